"""Test-NetConnection <partner> -Port 647 → one `tcp_probe` fact.

Whether TCP 647 connects from each side is the single most telling test for an interrupted
pair. Windows only pings when the TCP test fails, so PingSucceeded is kept only then: on a
successful test a JSON `PingSucceeded: false` means "not tried", not "host silent".
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from ..errors import ArtifactError
from ..facts import Fact
from .base import Artifact, Problems
from .psjson import bool_value, int_value, ip_text, iter_records, text_value
from .pstext import no_records_error, parse_format_list

_JSON = "Test-NetConnection -Port | ConvertTo-Json output"
_TEXT = "Test-NetConnection Format-List output ('TcpTestSucceeded : True' lines)"
# Both warnings Windows prints before the record when there is nothing to connect to.
_FAILED = re.compile(r"WARNING:\s*(TCP connect to .* failed|Name resolution of .* failed)", re.IGNORECASE)


def parse_json(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    records = list(iter_records(artifact, problems, _JSON))
    if not records:
        raise ArtifactError(artifact.path, f"holds no result; expected {_JSON}")
    number, record = records[0]
    if len(records) > 1:
        problems.add(artifact.path, f"holds {len(records)} results; only the first was read, expected one "
                                    "Test-NetConnection result per file")
    yield _probe(artifact, f"record {number}", record, failed_warning=False)


def parse_text(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    listing = parse_format_list(artifact.read_text())
    records = [r for r in listing.records if r.get("ComputerName") or r.get("TcpTestSucceeded")]
    if not records:
        raise no_records_error(artifact.path, listing, _TEXT)
    if len(records) > 1:
        problems.add(artifact.path, f"holds {len(records)} results; only the first was read, expected one "
                                    "Test-NetConnection result per file")
    failed = any(_FAILED.match(text) for _, text in listing.other)
    record = records[0]
    yield _probe(artifact, f"line {record.line}", {k: v or None for k, v in record.fields.items()},
                 failed_warning=failed)


def _probe(artifact: Artifact, label: str, record: dict[str, Any], failed_warning: bool) -> Fact:
    ok = bool_value(record.get("tcptestsucceeded"))
    if ok is None:
        if not failed_warning:
            raise ArtifactError(artifact.path, "has no TcpTestSucceeded; expected Test-NetConnection run "
                                               "with -Port", record=label)
        ok = False
    port = int_value(record.get("remoteport")) or artifact.port
    if port is None:
        raise ArtifactError(artifact.path, "names no port (no RemotePort, no -<port> in the file name); "
                                           "expected Test-NetConnection run with -Port", record=label)
    target_address = text_value(record.get("computername"))
    ping_ok: Optional[bool] = None if ok else bool_value(record.get("pingsucceeded"))
    return artifact.fact(
        "tcp_probe", label,
        source=artifact.server,
        target=artifact.target or target_address,
        target_address=target_address,
        remote_address=ip_text(record.get("remoteaddress")),
        port=port,
        ok=ok,
        ping_ok=ping_ok,
    )
