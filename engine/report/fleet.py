"""Renderers of a fleet run (`fodoc analyze`): text (one line per bundle and a summary), JSON
(schema fodoc.fleet/1) and CSV (one row per bundle, with a header).

Like the diagnosis JSON, nothing here depends on the machine, the time or the number of
workers: the same folder gives byte-identical output with --jobs 1 and --jobs 8.
"""
from __future__ import annotations

import csv
import io
import json

from ..fleet import ROW_FIELDS, SCHEMA, FleetReport

FLEET_FORMATS = ("text", "json", "csv")
_TEXT_COLUMNS = (("BUNDLE", "name"), ("VERDICT", "verdict"), ("EXIT", "exit_code"), ("TOP CAUSE", "top_cause"),
                 ("RELATIONSHIP", "relationship"), ("SERVER", "server"), ("CONFIDENCE", "confidence"))


def render_fleet(report: FleetReport, fmt: str) -> str:
    if fmt == "json":
        return render_fleet_json(report)
    if fmt == "csv":
        return render_fleet_csv(report)
    return render_fleet_text(report)


def render_fleet_json(report: FleetReport) -> str:
    data = {
        "schema": SCHEMA,
        "bundles": report.rows,
        "summary": report.summary,
        "skipped": [{"name": s.name, "reason": s.reason} for s in report.skipped],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_fleet_csv(report: FleetReport) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(ROW_FIELDS)
    for row in report.rows:
        writer.writerow(["" if row[name] is None else row[name] for name in ROW_FIELDS])
    return stream.getvalue()


def _cell(row: dict, key: str) -> str:
    value = row[key]
    if value is None:
        return "-"
    if key == "confidence":
        return f"{value:.2f}"
    return str(value)


def render_fleet_text(report: FleetReport) -> str:
    table = [[title for title, _ in _TEXT_COLUMNS]]
    table += [[_cell(row, key) for _, key in _TEXT_COLUMNS] for row in report.rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(_TEXT_COLUMNS))]
    lines = []
    for line, row in zip(table, [None] + report.rows):
        text = "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
        if row is not None and row["error"]:
            text += f"  {row['error']}"
        lines.append(text)
    summary = report.summary
    lines.append("")
    counted = ", ".join(f"{count} {verdict}" for verdict, count in summary["verdicts"].items() if count)
    lines.append(f"{summary['bundles']} bundle{'s' if summary['bundles'] != 1 else ''}: {counted or 'none'}"
                 + (f"; {len(report.skipped)} entr{'ies' if len(report.skipped) != 1 else 'y'} skipped"
                    if report.skipped else ""))
    causes = ", ".join(f"{cause} {count}" for cause, count in summary["top_causes"].items())
    lines.append(f"top causes: {causes or 'none'}")
    lines.append(f"exit code: {summary['exit_code']}")
    return "\n".join(lines) + "\n"
