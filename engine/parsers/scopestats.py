"""Get-DhcpServerv4ScopeStatistics -Failover → one `scope_stats` fact per scope.

While a relationship is interrupted each server may only allocate from its own part of the free
pool (in hot standby the standby only from the reserve), so "the scope still has free addresses"
and "this server can still serve a new client" are different questions: the -Failover columns
(AddressesFreeOnThisServer ...) answer the second. The class properties (AddressesFree,
AddressesInUse, ReservedAddress, PendingOffers) and the shorter names the module's default view
prints (Free, InUse, Reserved, Pending) are both accepted.
"""
from __future__ import annotations

from typing import Any, Iterator, Optional

from ..facts import Fact
from .base import Artifact, Problems, facts_from, is_ipv4
from .psjson import int_value, iter_records, text_value
from .pstext import format_list_records

_JSON = "Get-DhcpServerv4ScopeStatistics -Failover | ConvertTo-Json output"
_TEXT = "Get-DhcpServerv4ScopeStatistics -Failover | Format-List output ('ScopeId : ...' lines)"

# fact field -> property names, class name first, then the default view's alias
_COUNTS = {
    "free": ("AddressesFree", "Free"),
    "in_use": ("AddressesInUse", "InUse"),
    "reserved": ("ReservedAddress", "Reserved"),
    "pending": ("PendingOffers", "Pending"),
    "free_on_this_server": ("AddressesFreeOnThisServer",),
    "free_on_partner": ("AddressesFreeOnPartnerServer",),
    "in_use_on_this_server": ("AddressesInUseOnThisServer",),
    "in_use_on_partner": ("AddressesInUseOnPartnerServer",),
}


def parse_json(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    records = ((f"record {number}", record) for number, record in iter_records(artifact, problems, _JSON))
    return facts_from(artifact, problems, records, _scope_stats)


def parse_text(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
    records = format_list_records(artifact.read_text(), artifact.path, _TEXT)
    return facts_from(artifact, problems, ((f"line {r.line}", {k: v or None for k, v in r.fields.items()})
                                           for r in records), _scope_stats)


def _scope_stats(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    """Build the fact from a record whose keys are lower-case property names."""
    scope = text_value(record.get("scopeid"))
    if scope is None or not is_ipv4(scope):
        problems.add(artifact.path, f"ScopeId {scope!r} is not an IPv4 scope id; expected a "
                                    "Get-DhcpServerv4ScopeStatistics record", record=label)
        return None
    values: dict[str, Any] = {}
    for name, keys in _COUNTS.items():
        raw = next((record[k.lower()] for k in keys if record.get(k.lower()) is not None), None)
        if raw is None:
            continue
        number = int_value(raw)
        if number is None or number < 0:
            problems.add(artifact.path, f"{keys[0]} {text_value(raw)!r} of scope {scope} is not a "
                                        "count; expected a whole number ≥ 0", record=label, lost=False)
            continue
        values[name] = number
    percent = _percent(record.get("percentageinuse"))
    return artifact.fact("scope_stats", label, server=artifact.server, scope=scope,
                         percent_in_use=percent, superscope=text_value(record.get("superscopename")),
                         **values)


def _percent(value: Any) -> Optional[float]:
    """PercentageInUse: a real32 in JSON, printed with the locale's decimal separator in text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return round(float(value), 2)
    text = text_value(value)
    try:
        return round(float(text.replace(",", ".")), 2) if text else None
    except ValueError:
        return None


def attach_relationships(facts: list[Fact]) -> None:
    """Name the relationship of each scope_stats fact from the same server's failover output, so
    rules can join the statistics with the state of that relationship."""
    holder: dict[tuple[str, str], str] = {}
    for fact in facts:
        if fact.kind == "relationship":
            for scope in (fact.get("scopes") or "").split(","):
                if scope:
                    holder[(fact["server"], scope)] = fact["name"]
    for fact in facts:
        if fact.kind == "scope_stats" and "relationship" not in fact.fields:
            name = holder.get((fact["server"], fact["scope"]))
            if name is not None:
                fact.fields["relationship"] = name
