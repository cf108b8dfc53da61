"""Console text: Format-List records and Format-Table tables as PowerShell prints them."""
from __future__ import annotations

from typing import Sequence

from .psvalues import console_text


def format_list(records: Sequence[dict]) -> str:
    """`Name : value` lines, labels padded to the longest, a blank line around each record."""
    out = [""]
    for record in records:
        width = max(len(k) for k in record)
        out.append("")
        for key, value in record.items():
            out.append(f"{key.ljust(width)} : {console_text(value)}".rstrip() if value in (None, "") else
                       f"{key.ljust(width)} : {console_text(value)}")
    out += ["", "", ""]
    return "\n".join(out)


def format_table(records: Sequence[dict], widths: dict[str, int] | None = None) -> str:
    """A table with header and dashes; column widths from the view (`widths`) or the data."""
    if not records:
        return ""
    keys = list(records[0])
    widths = dict(widths or {})
    for key in keys[:-1]:
        widths.setdefault(key, max([len(key)] + [len(console_text(r.get(key))) for r in records]) + 1)
    def row(cells: list[str]) -> str:
        text = "".join(cell.ljust(widths[k]) if k != keys[-1] else cell for k, cell in zip(keys, cells))
        return text.rstrip()
    lines = ["", row(keys), row(["-" * len(k) for k in keys])]
    lines += [row([console_text(r.get(k)) for k in keys]) for r in records]
    return "\n".join(lines + ["", "", ""])
