"""Resolve-DnsName <partner> → one `name_resolution` fact.

Failover itself talks to stored IPs, but management calls and relationship creation resolve the
partner's name, and a stale record pointing at an old address is a classic cause. Only IPv4
answers count (DHCPv4 failover). An empty file counts as "did not resolve": Resolve-DnsName
writes its error to the error stream, so redirecting only its output leaves nothing behind.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Optional

from ..errors import ArtifactError
from ..facts import Fact
from .base import Artifact, Problems, is_ipv4, join_addresses
from .psjson import ip_text, iter_records, text_value
from .pstext import parse_format_list, table_rows

_JSON = "Resolve-DnsName | ConvertTo-Json output"
_TEXT = "Resolve-DnsName output (a 'Name Type TTL Section IPAddress' table)"
_FAILURE = re.compile(r"Resolve-DnsName\s*:", re.IGNORECASE)
_ADDRESS_KEYS = ("ip4address", "ipaddress", "address")


def parse_json(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    records = [record for _, record in iter_records(artifact, problems, _JSON)]
    names = (text_value(record.get("name")) for record in records)
    yield _resolution(artifact, "record 1" if records else None, _addresses(records), names)


def parse_text(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    text = artifact.read_text()
    listing = parse_format_list(text)
    found = sorted([(row.line, row.cells) for row in table_rows(text, artifact.path, problems)]
                   + [(record.line, record.fields) for record in listing.records], key=lambda r: r[0])
    failed = any(_FAILURE.match(line) for _, line in listing.other)
    if text.strip() and not found and not failed:
        first = listing.other[0][1] if listing.other else text.strip().split("\n")[0]
        raise ArtifactError(artifact.path, f"has no answers and no Resolve-DnsName error; expected {_TEXT}; "
                                           f"it reads {first[:120]!r}")
    records = [cells for _, cells in found]
    names = (text_value(record.get("name")) for record in records)
    yield _resolution(artifact, f"line {found[0][0]}" if found else None, _addresses(records), names)


def _addresses(records: Iterable[dict]) -> list[str]:
    """IPv4 addresses of the answer section (glue in other sections belongs to other names)."""
    found = []
    for record in records:
        section = text_value(record.get("section"))
        if section is not None and section.lower() not in ("answer", "1"):
            continue
        for key in _ADDRESS_KEYS:
            address = ip_text(record.get(key))
            if address is not None and is_ipv4(address):
                found.append(address)
                break
    return found


def _resolution(artifact: Artifact, label: Optional[str], addresses: list[str],
                names: Iterable[Optional[str]]) -> Fact:
    query = artifact.target or next((name for name in names if name), None)
    if query is None:
        raise ArtifactError(artifact.path, "names no query: expected the file name dns-<name>.json|.txt")
    return artifact.fact(
        "name_resolution", label,
        server=artifact.server,
        query=query,
        target=query,
        ok=bool(addresses),
        addresses=join_addresses(addresses) if addresses else None,
    )
