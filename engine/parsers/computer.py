"""computer.json (written by our collector) → one `server` fact.

It lists every name and address the server is known by, which is what lets the identity
resolver see that "10.0.0.2" in one output and "DHCP-B" in another are the same partner, and its
UTC collection time anchors every clock comparison.
"""
from __future__ import annotations

from datetime import timezone
from typing import Iterator

from ..errors import ArtifactError
from ..facts import Fact
from .base import Artifact, Problems, join_addresses
from .dates import utc_text
from .psjson import date_value, iter_records, text_list, text_value

_JSON = "computer.json as the collector writes it (ComputerName, FQDN, IPv4Addresses, ...)"


def parse_json(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    records = list(iter_records(artifact, problems, _JSON))
    if not records:
        raise ArtifactError(artifact.path, f"is empty; expected {_JSON}")
    number, record = records[0]
    label = f"record {number}"
    if len(records) > 1:
        problems.add(artifact.path, f"holds {len(records)} records; only the first was read, expected one")
    collected = date_value(record.get("collectedatutc"))
    if record.get("collectedatutc") is not None and collected is None:
        problems.add(artifact.path, f"CollectedAtUtc {text_value(record.get('collectedatutc'))!r} is not "
                                    "a date; expected ISO-8601 UTC like 2026-11-30T09:00:00Z", record=label)
    if collected is not None and collected.tzinfo is None:
        collected = collected.replace(tzinfo=timezone.utc)  # the property is UTC by contract
    addresses = text_list(record.get("ipv4addresses"))
    yield artifact.fact(
        "server", label,
        server=artifact.server,
        hostname=text_value(record.get("computername")),
        fqdn=text_value(record.get("fqdn")),
        domain=text_value(record.get("domain")),
        ips=join_addresses(addresses) if addresses else None,
        os=text_value(record.get("oscaption")),
        os_build=text_value(record.get("osbuild")),
        timezone=text_value(record.get("timezone")),
        collected_at=utc_text(collected) if collected is not None else None,
    )
