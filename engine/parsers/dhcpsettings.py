"""Get-DhcpServerSetting → one `dhcp_settings` fact.

IsAuthorized False on a domain member means the server stopped serving clients (it is not
authorized in Active Directory), whatever its failover state says; a workgroup server is never
"authorized", so IsDomainJoined is kept alongside to tell the two apart.
"""
from __future__ import annotations

from typing import Iterator, Optional

from ..facts import Fact
from .base import Artifact, Problems, converted, facts_from
from .cimrecords import json_records, text_records
from .psjson import bool_value, int_value, text_value

_JSON = "Get-DhcpServerSetting | ConvertTo-Json output"
_TEXT = "Get-DhcpServerSetting | Format-List output ('IsAuthorized : True', ...)"


def parse_json(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    return _first(artifact, problems, list(json_records(artifact, problems, _JSON)))


def parse_text(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    return _first(artifact, problems, list(text_records(artifact, problems, _TEXT)))


def _first(artifact: Artifact, problems: Problems, records: list[tuple[str, dict]]) -> Iterator[Fact]:
    if len(records) > 1:
        problems.add(artifact.path, f"holds {len(records)} records; only the first was read, expected one")
    return facts_from(artifact, problems, records[:1], _settings)


def _settings(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    authorized = bool_value(record.get("isauthorized"))
    joined = bool_value(record.get("isdomainjoined"))
    if authorized is None and joined is None:
        problems.add(artifact.path, f"IsAuthorized {text_value(record.get('isauthorized'))!r} is not True or "
                                    "False; expected a Get-DhcpServerSetting record", record=label)
        return None
    return artifact.fact(
        "dhcp_settings", label,
        server=artifact.server,
        is_authorized=converted(artifact, problems, label, record, authorized, "True or False", "IsAuthorized"),
        is_domain_joined=joined,
        dynamic_bootp=bool_value(record.get("dynamicbootp")),
        restore_status=bool_value(record.get("restorestatus")),
        nap_enabled=bool_value(record.get("napenabled")),
        activate_policies=bool_value(record.get("activatepolicies")),
        conflict_detection_attempts=int_value(record.get("conflictdetectionattempts")),
    )
