"""Get-DhcpServerv4Scope, Get-DhcpServerv4Reservation, Get-DhcpServerv4ExclusionRange → `scope`,
`reservation` and `exclusion` facts.

Failover replicates leases continuously but scope configuration only when someone runs the
replication, so these three lists are what the drift comparison holds side by side. Values are
kept as this server reports them (no defaults filled in); addresses arrive as strings or as
serialised IPAddress objects, TimeSpans as objects or "8.00:00:00" text, and all of them are
reduced to one spelling so that equal settings compare equal.
"""
from __future__ import annotations

import re
from typing import Optional

from ..facts import Fact
from .base import Artifact, Problems, is_ipv4
from .cimrecords import readers
from .psjson import bool_value, int_value, ip_text, name_value, text_value, timespan_seconds

_SCOPE_JSON = "Get-DhcpServerv4Scope | ConvertTo-Json output"
_SCOPE_TEXT = "Get-DhcpServerv4Scope | Format-List output ('ScopeId : ...' records)"
_RESERVATION_JSON = "Get-DhcpServerv4Scope | Get-DhcpServerv4Reservation | ConvertTo-Json output"
_RESERVATION_TEXT = "Get-DhcpServerv4Reservation | Format-List output ('IPAddress : ...', 'ClientId : ...')"
_EXCLUSION_JSON = "Get-DhcpServerv4Scope | Get-DhcpServerv4ExclusionRange | ConvertTo-Json output"
_EXCLUSION_TEXT = "Get-DhcpServerv4ExclusionRange | Format-List output ('StartRange : ...', 'EndRange : ...')"

_SCOPE_STATES = ("Active", "InActive")  # a CIM string property, never an integer
_SCOPE_TYPES = ("Dhcp", "Bootp", "Both")
_CLIENT_ID_SEPARATORS = re.compile(r"[\s:.-]")








def address(artifact: Artifact, problems: Problems, label: str, record: dict, key: str,
            what: str) -> Optional[str]:
    """An IPv4 address property (string or IPAddress object); a value that is not one is
    reported (naming the property) and read as absent."""
    value = ip_text(record.get(key))
    if value is None:
        return None
    if not is_ipv4(value):
        problems.add(artifact.path, f"{what} {value!r} is not an IPv4 address; left out", record=label,
                     lost=False)
        return None
    return value


def _scope(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    scope_id = address(artifact, problems, label, record, "scopeid", "ScopeId")
    if scope_id is None:
        problems.add(artifact.path, "has no IPv4 ScopeId; expected a Get-DhcpServerv4Scope record",
                     record=label)
        return None
    lease = timespan_seconds(record.get("leaseduration"))
    raw_state = record.get("state")
    state = name_value(raw_state, _SCOPE_STATES)
    if raw_state is not None and state is None:
        problems.add(artifact.path, f"State {text_value(raw_state)!r} of scope {scope_id} is not a scope "
                                    "state; expected Active or InActive", record=label, lost=False)
    return artifact.fact(
        "scope", label,
        server=artifact.server,
        scope_id=scope_id,
        name=text_value(record.get("name")),
        description=text_value(record.get("description")),
        subnet_mask=address(artifact, problems, label, record, "subnetmask", "SubnetMask"),
        start_range=address(artifact, problems, label, record, "startrange", "StartRange"),
        end_range=address(artifact, problems, label, record, "endrange", "EndRange"),
        lease_s=round(lease) if lease is not None else None,
        state=state,
        type=name_value(record.get("type"), _SCOPE_TYPES) or text_value(record.get("type")),
        superscope=text_value(record.get("superscopename")),
        delay_ms=int_value(record.get("delay")),
        max_bootp_clients=int_value(record.get("maxbootpclients")),
        activate_policies=bool_value(record.get("activatepolicies")),
        nap_enable=bool_value(record.get("napenable")),
    )


def _reservation(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    ip = address(artifact, problems, label, record, "ipaddress", "IPAddress")
    if ip is None:
        if record.get("ipaddress") is None:
            problems.add(artifact.path, "has no IPAddress; expected a Get-DhcpServerv4Reservation record",
                         record=label)
        return None
    return artifact.fact(
        "reservation", label,
        server=artifact.server,
        scope_id=address(artifact, problems, label, record, "scopeid", "ScopeId"),
        ip=ip,
        client_id=client_id(text_value(record.get("clientid"))),
        name=text_value(record.get("name")),
        type=name_value(record.get("type"), _SCOPE_TYPES) or text_value(record.get("type")),
        description=text_value(record.get("description")),
    )


def client_id(value: Optional[str]) -> Optional[str]:
    """A client id (usually the MAC) in one spelling: lower-case hex pairs joined by '-'.

    The console prints 00-15-5d-01-02-03, admins type 00:15:5D:01:02:03 or 00155d010203 when
    they create reservations; all are the same client to the DHCP server.
    """
    if value is None:
        return None
    compact = _CLIENT_ID_SEPARATORS.sub("", value).lower()
    if compact and len(compact) % 2 == 0 and all(c in "0123456789abcdef" for c in compact):
        return "-".join(compact[i:i + 2] for i in range(0, len(compact), 2))
    return value


def _exclusion(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    start = address(artifact, problems, label, record, "startrange", "StartRange")
    end = address(artifact, problems, label, record, "endrange", "EndRange")
    if start is None or end is None:
        problems.add(artifact.path, "has no IPv4 StartRange and EndRange; expected a "
                                    "Get-DhcpServerv4ExclusionRange record", record=label)
        return None
    return artifact.fact(
        "exclusion", label,
        server=artifact.server,
        scope_id=address(artifact, problems, label, record, "scopeid", "ScopeId"),
        start=start,
        end=end,
    )


parse_scopes_json, parse_scopes_text = readers(_scope, _SCOPE_JSON, _SCOPE_TEXT)
parse_reservations_json, parse_reservations_text = readers(_reservation, _RESERVATION_JSON, _RESERVATION_TEXT)
parse_exclusions_json, parse_exclusions_text = readers(_exclusion, _EXCLUSION_JSON, _EXCLUSION_TEXT)
