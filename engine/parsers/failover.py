"""Get-DhcpServerv4Failover → one `relationship` fact per relationship this server reports.

Each side reports its own view (state, settings), and the pair model later compares the two
views, so values are kept exactly as this server gives them: no defaults are filled in for
empty properties. A server without relationships is `[]` (what the collector writes then), which
is a finding in itself (a partner that lost its half of the relationship). An empty, blank or
`null` output is not: Get-DhcpServerv4Failover | ConvertTo-Json prints nothing both for no
relationships and when the capture went wrong, so such a file is reported and the server's
relationships stay unread (never "missing", which would call for deleting the survivor's half).
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Iterable, Iterator, Optional

from ..errors import ArtifactError
from ..facts import Fact
from .base import Artifact, Problems, converted, facts_from, is_ipv4, join_addresses, within
from .psjson import (bool_value, enum_value, int_value, iter_records, name_value, text_list,
                     text_value, timespan_seconds)
from .pstext import ListRecord, format_list_records, list_items, table_rows
from .states import normalise_state

_JSON = "Get-DhcpServerv4Failover | ConvertTo-Json output"
_TEXT = "Get-DhcpServerv4Failover Format-List output ('Name : ...', 'State : ...' lines)"

# `Get-DhcpServerv4Failover | Format-Table`: a header line naming Name, PartnerServer and State.
_TABLE_HEADER = re.compile(r"^\s*Name\s+PartnerServer\s+.*\bState\b", re.MULTILINE)
_MODES = {0: "LoadBalance", 1: "HotStandby"}
_SERVER_TYPES = {0: "PrimaryServer", 1: "SecondaryServer"}
_ROLES = ("Active", "Standby")


_EMPTY = ("is {what}; this cannot tell a server without failover relationships (written as [] by fodoc collect "
          "and Collect-FailoverFacts.ps1) from a capture that failed, so this server's relationships were left "
          "unread; expected {expected}, or {none} for none")


def parse_json(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    text = artifact.read_text().strip(" \t\n\ufeff")
    if not text or text == "null":
        raise ArtifactError(artifact.path, _EMPTY.format(what="null" if text else "empty", expected=_JSON,
                                                         none="[]"))
    records = ((f"record {number}", record) for number, record in iter_records(artifact, problems, _JSON))
    return facts_from(artifact, problems, records, _relationship)


def parse_text(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    text = artifact.read_text()
    if not text.strip(" \t\n\ufeff"):
        raise ArtifactError(artifact.path, _EMPTY.format(what="empty", expected=_TEXT,
                                                         none="failover.json holding []"))
    rows = table_rows(text, artifact.path, problems) if _TABLE_HEADER.search(text) else []
    records = [ListRecord(row.line, row.cells) for row in rows] or format_list_records(text, artifact.path, _TEXT)
    for record in records:
        label = f"line {record.line}"
        values: dict[str, Any] = {key: value or None for key, value in record.fields.items()}
        if "scopeid" in record.fields:
            scopes, truncated = list_items(values.pop("scopeid"))
            if not truncated:
                values["scopeid"] = scopes
            else:
                problems.add(artifact.path, "ScopeId is cut short with '...' ($FormatEnumerationLimit); "
                                            "scopes are not compared for this relationship; "
                                            "expected the complete list (collect as JSON)", record=label, lost=False)
        fact = _relationship(artifact, problems, label, values)
        if fact is not None:
            yield fact


def _relationship(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    """Build the fact from a record whose keys are lower-case property names."""
    name = text_value(record.get("name"))
    if name is None:
        problems.add(artifact.path, "has no Name; expected a failover relationship record", record=label)
        return None
    raw_state = record.get("state")
    state = normalise_state(raw_state)
    if state is None:
        problems.add(artifact.path, f"State {text_value(raw_state)!r} of relationship {name!r} is not a "
                                    "failover state; expected e.g. Normal, CommunicationInterrupted",
                     record=label)
        return None

    def choice(key: str, value: Optional[str], known: Iterable[str]) -> Optional[str]:
        raw = text_value(record.get(key.lower()))
        if raw is not None and value is None:
            problems.add(artifact.path, f"{key} {raw!r} of relationship {name!r} is not a known value; "
                                        f"expected {' or '.join(known)}", record=label, lost=False)
        return value

    def typed(value: Any, expected: str, *keys: str) -> Any:
        return converted(artifact, problems, label, record, value, expected, *keys,
                         subject=f" of relationship {name!r}")

    partner = text_value(record.get("partnerserver"))
    return artifact.fact(
        "relationship", label,
        server=artifact.server,
        name=name,
        partner=partner,
        partner_address=partner,
        mode=choice("Mode", enum_value(record.get("mode"), _MODES), _MODES.values()),
        role=choice("ServerRole", name_value(record.get("serverrole"), _ROLES), _ROLES),
        server_type=choice("ServerType", enum_value(record.get("servertype"), _SERVER_TYPES),
                           _SERVER_TYPES.values()),
        lb_percent=typed(within(int_value(record.get("loadbalancepercent")), 0, 100), _PERCENT_EXPECTED,
                         "LoadBalancePercent"),
        reserve_percent=typed(within(int_value(record.get("reservepercent")), 0, 100), _PERCENT_EXPECTED,
                              "ReservePercent"),
        mclt_s=typed(within(_seconds(record, "mcltseconds", "maxclientleadtime"), 1, MAX_TIMER_S),
                     _TIMESPAN_EXPECTED, "MCLTSeconds", "MaxClientLeadTime"),
        switch_interval_s=typed(within(_seconds(record, "switchseconds", "stateswitchinterval"), 1, MAX_TIMER_S),
                                _TIMESPAN_EXPECTED, "SwitchSeconds", "StateSwitchInterval"),
        auto_transition=typed(bool_value(record.get("autostatetransition")), "True or False", "AutoStateTransition"),
        state=state,
        auth_enabled=typed(bool_value(record.get("enableauth")), "True or False", "EnableAuth"),
        scopes=_scopes(record, artifact, problems, label, name),
        primary_ip=text_value(record.get("primaryserverip")),
        secondary_ip=text_value(record.get("secondaryserverip")),
        primary_name=text_value(record.get("primaryservername")),
        secondary_name=text_value(record.get("secondaryservername")),
    )


# MCLT and the state switchover interval are timers Windows runs (a failover state waits them
# out): no documented maximum, so anything not positive or beyond ten years is damage, not a
# setting, and is left unread rather than turned into a date no clock can show.
MAX_TIMER_S = 10 * 366 * 86400
_TIMESPAN_EXPECTED = ("a positive TimeSpan of at most ten years such as 01:00:00 (or an object with "
                      "TotalSeconds)")
_PERCENT_EXPECTED = "a whole percentage from 0 to 100"


def _seconds(record: dict, seconds_key: str, timespan_key: str) -> Optional[int]:
    """Whole seconds from the collector's *Seconds number or from the TimeSpan property."""
    seconds = record.get(seconds_key)
    if isinstance(seconds, str):
        seconds = seconds.strip() or None
    if seconds is not None and not isinstance(seconds, bool):
        try:
            return round(float(seconds))
        except (TypeError, ValueError, OverflowError):  # not a number, NaN, infinite
            return None
    value = timespan_seconds(record.get(timespan_key))
    return round(value) if value is not None and math.isfinite(value) else None


def _scopes(record: dict, artifact: Artifact, problems: Problems, label: str, name: str) -> Optional[str]:
    """Scope ids joined in address order; "" for a relationship with no scopes, None if not shown.

    A scope id is an IPv4 network address; anything else is reported and left out, so it can
    never reach a runbook's Remove-DhcpServerv4Scope as a "scope".
    """
    if "scopeid" not in record:
        return None
    raw = record["scopeid"]
    if isinstance(raw, dict) and text_value(raw) is None:  # not an IPAddress object either
        problems.add(artifact.path, f"ScopeId {json.dumps(raw, default=str)[:80]!r} of relationship {name!r} is "
                                    "not a list of scope ids; expected e.g. [\"10.0.10.0\"]; scopes left unread",
                     record=label, lost=False)
        return None
    scopes = []
    for item in raw if isinstance(raw, list) else [raw]:
        if item is not None and not isinstance(item, str) and text_value(item) is None:
            problems.add(artifact.path, f"scope id {json.dumps(item, default=str)[:80]} of relationship {name!r} "
                                        "is not an IPv4 address; left out", record=label, lost=False)
    for item in text_list(raw) or []:
        if is_ipv4(item.strip()):
            scopes.append(item)
        else:
            problems.add(artifact.path, f"scope id {item!r} of relationship {name!r} is not an IPv4 "
                                        "address; left out", record=label, lost=False)
    return join_addresses(scopes)
