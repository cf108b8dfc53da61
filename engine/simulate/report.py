"""`fodoc eval` as text for a terminal: the numbers first, then every miss with its replay."""
from __future__ import annotations

from .evaluate import Report


def render_text(report: Report) -> str:
    data = report.as_dict()
    lines = [f"fodoc eval: {data['scenarios']} scenarios ({data['faulty']} with {report.faults} fault(s), "
             f"{data['healthy']} healthy), seed {report.seed}, engine {report.engine}, "
             f"{data['scenarios_per_second']} scenarios/s"]
    if data["top1"] is not None:
        lines.append(f"top-1 accuracy: {_pct(data['top1'])}")
    lines.append(f"faults found in the top {report.faults}: {_pct(data['top_k_coverage'])} of those the bundle shows "
                 f"({_pct(data['top_k_coverage_all'])} of all; {len(data['hidden'])} scenario(s) where one fault "
                 "hid another's evidence)")
    lines.append(f"false alarms on healthy pairs: {len(data['false_alarms'])} of {data['healthy']}")
    lines += ["", f"{'cause':28} {'n':>5} {'top-1':>7} {'top-3':>7}"]
    for cause, row in data["per_cause"].items():
        lines.append(f"{cause:28} {row['n']:>5} {_pct(row['top1_rate']):>7} {_pct(row['top3_rate']):>7}")
    lines += ["", "confusion (injected cause -> cause of the first finding; a cause nested under it as a "
              "consequence or reason counts as found, see docs/simulator.md):"]
    for cause, cols in data["confusion"].items():
        lines.append(f"  {cause:28} " + ", ".join(f"{c} {n}" for c, n in cols.items()))
    if data["skipped_kinds"]:
        lines += ["", "skipped fault kinds (their cause is not in the knowledge base yet):"]
        lines += [f"  {kind} -> {cause}" for kind, cause in data["skipped_kinds"].items()]
    misses = data["misses"]
    lines += ["", f"misses: {len(misses)}" + (" (replay each with the command shown)" if misses else "")]
    for miss in misses:
        what = "healthy" if not miss["expected"] else ", ".join(miss["expected"])
        extra = f"; problems: {miss['problems'][0][:160]}" if miss["problems"] else ""
        lines.append(f"  seed {miss['seed']}: injected {what}; ranked {', '.join(miss['found']) or 'nothing'}{extra}")
        lines.append(f"    {miss['replay']}")
    return "\n".join(lines) + "\n"


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"
