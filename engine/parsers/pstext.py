"""Read PowerShell's Format-List and Format-Table text back into records.

Admins paste what the console printed, so text artifacts are the default views: Format-List
(`Key   : value`, records separated by blank lines, empty values, `{a, b}` collections, long values
wrapped onto indented lines) and Format-Table (a header, a dashed underline, fixed-width columns
where numbers are right-aligned). Property names are never localised, so matching them is safe.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..errors import ArtifactError

# Property names hold no hyphen, so "Get-Foo : message" (an error record) is not taken for one.
_FIELD = re.compile(r"(?P<key>[A-Za-z][\w .()/]*?)\s+:(?:\s(?P<value>.*))?")
_DASHES = re.compile(r"\s*-+(?:\s+-+)*\s*")
_TRUNCATED = ("...", "\u2026")


@dataclass
class ListRecord:
    """One Format-List record: lower-case property name -> value text, and where it starts."""

    line: int
    fields: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> Optional[str]:
        """The value of a property, None when it is absent or printed empty."""
        value = self.fields.get(name.lower())
        return value or None


@dataclass
class FormatList:
    """All records of a Format-List text, plus the lines that were not part of any record."""

    records: list[ListRecord]
    other: list[tuple[int, str]]


@dataclass
class TableRow:
    """One Format-Table row: lower-case column header -> cell text."""

    line: int
    cells: dict[str, str]

    def get(self, name: str) -> Optional[str]:
        return self.cells.get(name.lower()) or None


def parse_format_list(text: str) -> FormatList:
    """Split Format-List output into records; WARNING lines and error text land in `other`."""
    records: list[ListRecord] = []
    other: list[tuple[int, str]] = []
    current: Optional[ListRecord] = None
    last_key: Optional[str] = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            current = None
            continue
        match = _FIELD.fullmatch(line.rstrip())
        if match and not line[0].isspace():
            if current is None:
                current = ListRecord(number)
                records.append(current)
            last_key = match["key"].strip().lower()
            current.fields[last_key] = (match["value"] or "").strip()
        elif current is not None and last_key is not None and line[0].isspace():
            current.fields[last_key] = f"{current.fields[last_key]} {line.strip()}".strip()
        else:
            other.append((number, line.strip()))
            current = None
    return FormatList(records, other)


def format_list_records(text: str, path: str, expected: str) -> list:
    """The Format-List records of an artifact's text; none for an empty file (the command printed
    nothing), and one error line quoting the text when it holds something but no record."""
    if not text.strip():
        return []
    listing = parse_format_list(text)
    if not listing.records:
        raise no_records_error(path, listing, expected)
    return listing.records


def no_records_error(path: str, listing: FormatList, expected: str) -> ArtifactError:
    """The error for a text artifact without a single record, quoting what it holds instead
    (often the cmdlet's own error message, which is the most useful thing to show)."""
    if listing.other:
        line, text = listing.other[0]
        return ArtifactError(path, f"has no records; expected {expected}; line {line} reads {text[:120]!r}")
    return ArtifactError(path, f"has no records; expected {expected}")


def list_items(value: Optional[str]) -> tuple[list[str], bool]:
    """Items of a printed collection (`{a, b}`, or a bare value) and whether PowerShell cut it short.

    Format-List shows at most $FormatEnumerationLimit items and ends the list with "..." when there
    were more, so a truncated list must not be compared as if it were complete.
    """
    if not value:
        return [], False
    text = value.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    truncated = text.endswith(_TRUNCATED)
    for marker in _TRUNCATED:
        text = text.removesuffix(marker)
    return [item.strip() for item in text.split(",") if item.strip()], truncated


def parse_tables(text: str) -> list[TableRow]:
    """Rows of every Format-Table block (header line, dashed underline, rows up to a blank line)."""
    lines = text.split("\n")
    rows: list[TableRow] = []
    index = 1
    while index < len(lines):
        underline = lines[index]
        if not (_DASHES.fullmatch(underline) and "-" in underline and lines[index - 1].strip()):
            index += 1
            continue
        starts = [m.start() for m in re.finditer(r"-+", underline)]
        headers = [h.lower() for h in _cells(lines[index - 1], starts)]
        index += 1
        while index < len(lines) and lines[index].strip():
            rows.append(TableRow(index + 1, dict(zip(headers, _cells(lines[index], starts)))))
            index += 1
    return rows


_COLUMNS_REMOVED = re.compile(r"WARNING:\s*(?P<count>\d+)\s+columns?\s+do(?:es)?\s+not\s+fit\s+into\s+the\s+display",
                              re.IGNORECASE)


def table_rows(text: str, path: str, problems) -> list[TableRow]:
    """parse_tables, for an artifact: a cell Format-Table cut to the column width (ending in "..."
    in Windows PowerShell, "…" in PowerShell 7) is left out rather than read as a value, and one
    line says the table may hide data (also when PowerShell dropped columns that did not fit)."""
    rows = parse_tables(text)
    cut: list[tuple[int, str]] = []
    for row in rows:
        for key, value in list(row.cells.items()):
            if value.endswith(_TRUNCATED):
                cut.append((row.line, key))
                del row.cells[key]  # not shown, which is not the same as empty
    removed = _COLUMNS_REMOVED.search(text)
    if cut or removed:
        parts = []
        if cut:
            line, column = cut[0]
            parts.append(f"{len(cut)} value(s) cut short with '...' (the first: {column} on line {line}) were "
                         "not read")
        if removed:
            parts.append(f"{removed['count']} column(s) did not fit the console and were removed")
        problems.add(path, f"is a Format-Table view that may hide data: {'; '.join(parts)}; collect it with "
                           "Format-List or ConvertTo-Json for every value", lost=False)
    return rows


def _cells(line: str, starts: list[int]) -> list[str]:
    """Cut a table line at the column starts; a right-aligned value that reaches left of its
    column's underline moves the cut to the space before it."""
    cuts = [0]
    for start in starts[1:]:
        cut = start
        if 0 < cut < len(line) and line[cut - 1] != " " and line[cut] != " ":
            cut = max(line.rfind(" ", cuts[-1], cut) + 1, cuts[-1])
        cuts.append(cut)
    cuts.append(max(len(line), cuts[-1]))
    return [line[a:b].strip() for a, b in zip(cuts, cuts[1:])]
