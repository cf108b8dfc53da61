"""Get-NetFirewallRule -Name Microsoft-Windows-DHCP-Failover-* → `firewall_rule` facts.

A disabled or blocking failover rule (often pushed by group policy, hence -PolicyStore
ActiveStore and PolicyStoreSource) is the usual reason TCP 647 is closed. The NetSecurity enums
serialise as integers in JSON (Enabled 1/2, Direction 1/2, Action 2/3/4) and as names on screen.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

from ..facts import Fact
from .base import Artifact, Problems, facts_from
from .psjson import bool_value, enum_value, int_value, iter_records, name_value, text_value
from .pstext import format_list_records

_JSON = "Get-NetFirewallRule | ConvertTo-Json output"
_TEXT = "Get-NetFirewallRule Format-List output ('Name : ...', 'Enabled : ...' lines)"

_ENABLED = {1: True, 2: False}
_DIRECTIONS = {1: "Inbound", 2: "Outbound"}
_ACTIONS = {2: "Allow", 3: "AllowBypass", 4: "Block"}


def parse_json(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    records = ((f"record {number}", record) for number, record in iter_records(artifact, problems, _JSON))
    return facts_from(artifact, problems, records, _rule)


def parse_text(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    records = format_list_records(artifact.read_text(), artifact.path, _TEXT)
    yield from facts_from(artifact, problems, ((f"line {r.line}", r.fields) for r in records), _rule)


def _rule(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    name = text_value(record.get("name"))
    if name is None:
        problems.add(artifact.path, "has no Name; expected a firewall rule record", record=label)
        return None
    enabled = _enabled(record.get("enabled"))
    if enabled is None:
        problems.add(artifact.path, f"Enabled {text_value(record.get('enabled'))!r} of rule {name!r} is not "
                                    "True/False (or 1/2)", record=label)
        return None
    action = record.get("action")
    return artifact.fact(
        "firewall_rule", label,
        server=artifact.server,
        name=name,
        display_name=text_value(record.get("displayname")),
        enabled=enabled,
        action=enum_value(action, _ACTIONS) or name_value(action, ("NotConfigured",)),
        direction=enum_value(record.get("direction"), _DIRECTIONS),
        store_source=text_value(record.get("policystoresource")),
    )


def _enabled(value: Any) -> Optional[bool]:
    """Enabled is the NetSecurity enum (True = 1, False = 2) in JSON, a name on screen."""
    number = int_value(value)
    return _ENABLED.get(number) if number is not None else bool_value(value)
