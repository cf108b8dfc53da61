"""Configuration drift: the two partners' copies of a relationship's scopes, compared field by field.

Failover replicates leases on its own but scope configuration only when an admin replicates it,
so a scope edited on one partner stays different on the other while the relationship reports
Normal, and clients get different settings depending on which server answers. This module
holds the two copies side by side and emits one `config_difference` fact per difference,
precise enough to say which scope, which option, reservation or exclusion, and the value on each
side. Server-level options are compared too: failover never replicates them, which is exactly
why a difference there deserves a note.

Only scopes of the relationship (its ScopeId list) are compared, and an area is compared only
when both servers' artifacts for it were read: a partner whose reservations were not collected
has no reservations "missing".
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .facts import Fact, Source

# Scope properties Invoke-DhcpServerv4FailoverReplication copies, as fact field -> property name.
SCOPE_SETTINGS = {"name": "Name", "description": "Description", "subnet_mask": "SubnetMask",
                  "start_range": "StartRange", "end_range": "EndRange", "lease_s": "LeaseDuration",
                  "state": "State", "type": "Type", "superscope": "SuperscopeName", "delay_ms": "Delay",
                  "max_bootp_clients": "MaxBootpClients", "activate_policies": "ActivatePolicies",
                  "nap_enable": "NapEnable"}
# Each area of the comparison and the artifact family it comes from.
AREAS = {"scope": "scopes", "scope_option": "options-scope", "reservation": "reservations",
         "exclusion": "exclusions", "server_option": "options-server"}
# Option 51 (lease time) mirrors the scope's LeaseDuration, which is compared already.
_MIRRORED_OPTIONS = {51}
NOT_SET = "(not set)"
ABSENT_SCOPE = "(scope missing)"


def derive_drift(facts: list[Fact], read: Mapping[tuple[str, str], str]) -> list[Fact]:
    """One `config_difference` per differing item of every relationship whose two sides are in
    the bundle, and one `config_compared` per area compared. `read` maps (server id, artifact
    family) to the bundle path of every artifact that was read."""
    by_kind: dict[str, list[Fact]] = {}
    for fact in facts:
        by_kind.setdefault(fact.kind, []).append(fact)
    held = {kind: _by_server(by_kind.get(kind, ())) for kind in
            ("scope", "option_value", "reservation", "exclusion")}
    records: dict[tuple[str, str], Fact] = {}
    for rel in by_kind.get("relationship", ()):
        records.setdefault((rel["name"].lower(), rel["server"]), rel)
    found: list[Fact] = []
    for (name, server), rel in sorted(records.items()):
        partner = rel.get("partner")
        other = records.get((name, partner)) if partner else None
        if other is None or not server < partner:
            continue
        scopes = _scope_list(rel) | _scope_list(other)
        pair = _Pair(rel["name"], server, partner, read, rel.source, other.source)
        found += pair.scopes(held["scope"], scopes)
        # A scope one side lacks altogether is one difference (reported above), not one per option.
        shared = pair.shared_scopes(held["scope"], scopes)
        found += pair.options(held["option_value"], shared)
        found += pair.reservations(held["reservation"], shared)
        found += pair.exclusions(held["exclusion"], shared)
        found += pair.compared()
    return found


def _by_server(facts: Iterable[Fact]) -> dict[str, list[Fact]]:
    grouped: dict[str, list[Fact]] = {}
    for fact in facts:
        grouped.setdefault(fact["server"], []).append(fact)
    return grouped


def _scope_list(rel: Fact) -> set[str]:
    return {scope for scope in (rel.get("scopes") or "").split(",") if scope}


class _Pair:
    """The two sides of one relationship, and the differences between their copies."""

    def __init__(self, relationship: str, server: str, partner: str, read: Mapping[tuple[str, str], str],
                 *relationship_sources):
        self.relationship, self.server, self.partner = relationship, server, partner
        self.read = read
        self.relationship_sources = relationship_sources

    def both_read(self, family: str) -> bool:
        return (self.server, family) in self.read and (self.partner, family) in self.read

    def compared(self) -> list[Fact]:
        """One `config_compared` per area whose artifacts both sides have: what lets the report
        tell "compared and equal" (ruled out) from "not collected" (not evaluated)."""
        return [Fact("config_compared", {"relationship": self.relationship, "server": self.server,
                                         "partner": self.partner, "area": area},
                     Source(self.read[(self.server, family)]), (Source(self.read[(self.partner, family)]),))
                for area, family in AREAS.items() if self.both_read(family)]

    def difference(self, area: str, scope: str | None, item: str, mine: Any, theirs: Any,
                   evidence: list[Fact], swap: bool = False) -> Fact:
        """The difference as seen from `server`, or from `partner` when `swap` (a scope missing
        on one side is told from the side that lacks it: that is where the fault is)."""
        server, partner = (self.partner, self.server) if swap else (self.server, self.partner)
        if swap:
            mine, theirs = theirs, mine
        fields = {"relationship": self.relationship, "server": server, "partner": partner,
                  "area": area, "item": item, "value": _text(mine), "partner_value": _text(theirs)}
        if scope is not None:
            fields["scope"] = scope
        sources = [f.source for f in evidence] or list(self.relationship_sources)
        return Fact("config_difference", fields, sources[0], tuple(sources[1:]))

    def sides(self, held: dict[str, list[Fact]]) -> tuple[list[Fact], list[Fact]]:
        return held.get(self.server, []), held.get(self.partner, [])

    def shared_scopes(self, held: dict[str, list[Fact]], scopes: set[str]) -> set[str]:
        """The scopes both sides hold; all of them when the scope lists were not read on both."""
        if not self.both_read("scopes"):
            return scopes
        mine, theirs = ({f["scope_id"] for f in side} for side in self.sides(held))
        return scopes & mine & theirs

    def scopes(self, held: dict[str, list[Fact]], scopes: set[str]) -> list[Fact]:
        if not self.both_read("scopes"):
            return []
        mine, theirs = (_index(side, lambda f: f["scope_id"]) for side in self.sides(held))
        found = []
        for scope in sorted(scopes, key=_address_key):
            a, b = mine.get(scope), theirs.get(scope)
            if a is None and b is None:
                continue
            if a is None or b is None:
                found.append(self.difference("scope", scope, "scope", "present" if a else ABSENT_SCOPE,
                                             "present" if b else ABSENT_SCOPE, [f for f in (a, b) if f],
                                             swap=b is None))
                continue
            for field, prop in SCOPE_SETTINGS.items():
                va, vb = a.get(field), b.get(field)
                if va != vb:
                    show = _timespan if field == "lease_s" else _text
                    found.append(self.difference("scope", scope, prop, show(va), show(vb), [a, b]))
        return found

    def options(self, held: dict[str, list[Fact]], scopes: set[str]) -> list[Fact]:
        found = []
        for family, level in (("options-scope", "scope"), ("options-server", "server")):
            if not self.both_read(family):
                continue
            mine, theirs = (_index([f for f in side if f["level"] == level], _option_key)
                            for side in self.sides(held))
            for key in sorted(set(mine) | set(theirs), key=lambda k: (_address_key(k[0]), k[1:])):
                scope, option_id = key[0] or None, key[1]
                if option_id in _MIRRORED_OPTIONS or (level == "scope" and scope not in scopes):
                    continue
                a, b = mine.get(key), theirs.get(key)
                va = a.get("value", "") if a else NOT_SET
                vb = b.get("value", "") if b else NOT_SET
                if va != vb:
                    named = (a or b).get("name")
                    item = f"option {option_id}" + (f" {named}" if named else "") + _classes(key)
                    area = "scope_option" if level == "scope" else "server_option"
                    found.append(self.difference(area, scope, item, va, vb, [f for f in (a, b) if f]))
        return found

    def reservations(self, held: dict[str, list[Fact]], scopes: set[str]) -> list[Fact]:
        if not self.both_read("reservations"):
            return []
        mine, theirs = (_index([f for f in side if f.get("scope_id") in scopes], lambda f: f["ip"])
                        for side in self.sides(held))
        found = []
        for ip in sorted(set(mine) | set(theirs), key=_address_key):
            a, b = mine.get(ip), theirs.get(ip)
            va, vb = _reservation_text(a), _reservation_text(b)
            if va != vb:
                scope = (a or b).get("scope_id")
                found.append(self.difference("reservation", scope, f"reservation {ip}", va, vb,
                                             [f for f in (a, b) if f]))
        return found

    def exclusions(self, held: dict[str, list[Fact]], scopes: set[str]) -> list[Fact]:
        if not self.both_read("exclusions"):
            return []
        mine, theirs = (_index([f for f in side if f.get("scope_id") in scopes],
                               lambda f: (f["scope_id"], f["start"], f["end"])) for side in self.sides(held))
        found = []
        for key in sorted(set(mine) ^ set(theirs), key=lambda k: (_address_key(k[0]), _address_key(k[1]))):
            scope, start, end = key
            a, b = mine.get(key), theirs.get(key)
            found.append(self.difference("exclusion", scope, f"exclusion range {start}-{end}",
                                         "excluded" if a else "not excluded", "excluded" if b else "not excluded",
                                         [f for f in (a, b) if f]))
        return found


def _index(facts: Iterable[Fact], key) -> dict:
    indexed: dict = {}
    for fact in facts:
        indexed.setdefault(key(fact), fact)
    return indexed


def _option_key(fact: Fact) -> tuple:
    return (fact.get("scope_id") or "", fact["option_id"], fact.get("vendor_class") or "",
            fact.get("user_class") or "", fact.get("policy_name") or "")


def _classes(key: tuple) -> str:
    named = [f"{what} {value}" for what, value in zip(("vendor class", "user class", "policy"), key[2:]) if value]
    return f" ({', '.join(named)})" if named else ""


def _reservation_text(fact: Fact | None) -> str:
    if fact is None:
        return "not reserved"
    parts = [f"client {fact.get('client_id') or '?'}"]
    for field in ("name", "type", "description"):
        if fact.get(field):
            parts.append(f"{field} {fact[field]}")
    return ", ".join(parts)


def _address_key(text: str | None) -> tuple:
    try:
        return (0, tuple(int(part) for part in (text or "").split(".")), "")
    except ValueError:
        return (1, (), text or "")


def _timespan(seconds: Any) -> str:
    """Seconds as Windows prints a TimeSpan (8.00:00:00), so the report reads like the console."""
    if not isinstance(seconds, int):
        return _text(seconds)
    days, rest = divmod(seconds, 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return f"{days}.{text}" if days else text


def _text(value: Any) -> str:
    if value is None:
        return NOT_SET
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)
