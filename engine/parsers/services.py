"""Get-Service DHCPServer, W32Time → one `service` fact per service.

A stopped DHCP service on the partner and a stopped time service are two of the commonest
reasons a pair is interrupted. Windows PowerShell writes Status and StartType as integers in
JSON; the console prints names. Service names are case-insensitive in Windows, so the two that
rules look for are emitted in one canonical spelling.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

from ..facts import Fact
from .base import Artifact, Problems, facts_from
from .psjson import enum_value, iter_records, text_value
from .pstext import no_records_error, parse_format_list, table_rows

_JSON = "Get-Service | ConvertTo-Json output"
_TEXT = "Get-Service output (a 'Status Name DisplayName' table or Format-List records)"

_STATUS = {1: "Stopped", 2: "StartPending", 3: "StopPending", 4: "Running", 5: "ContinuePending",
           6: "PausePending", 7: "Paused"}
_START_TYPE = {0: "Boot", 1: "System", 2: "Automatic", 3: "Manual", 4: "Disabled"}
_CANONICAL_NAMES = {"dhcpserver": "DHCPServer", "w32time": "W32Time"}


def parse_json(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    records = ((f"record {number}", record) for number, record in iter_records(artifact, problems, _JSON))
    return facts_from(artifact, problems, records, _service)


def parse_text(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    text = artifact.read_text()
    if not text.strip():
        return
    rows: list[tuple[int, dict[str, Any]]] = [(row.line, row.cells) for row in table_rows(text, artifact.path, problems)]
    if not rows:
        listing = parse_format_list(text)
        if not listing.records:
            raise no_records_error(artifact.path, listing, _TEXT)
        rows = [(record.line, record.fields) for record in listing.records]
    yield from facts_from(artifact, problems, ((f"line {line}", cells) for line, cells in rows), _service)


def _service(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    name = text_value(record.get("name")) or text_value(record.get("servicename"))
    if name is None:
        problems.add(artifact.path, "has no service Name; expected a Get-Service record", record=label)
        return None
    status = enum_value(record.get("status"), _STATUS)
    if status is None:
        raw = text_value(record.get("status"))
        problems.add(artifact.path, f"Status {raw!r} of service {name!r} is not a service status; "
                                    "expected e.g. Running, Stopped, or 1-7", record=label)
        return None
    start_type = enum_value(record.get("starttype"), _START_TYPE)
    return artifact.fact(
        "service", label,
        server=artifact.server,
        name=_CANONICAL_NAMES.get(name.lower(), name),
        status=status,
        start_type=start_type,
    )
