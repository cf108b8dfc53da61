"""The pair model: the two sides of one failover relationship, compared.

Each server reports only its own view of a relationship, and most failover faults show as a
difference between the two views (different states, a side that lost the relationship, settings
or authentication that differ). Deriving those comparisons once, as `pair` and
`setting_mismatch` facts, keeps the rules short and the evidence precise.
"""
from __future__ import annotations

from .facts import Fact

# Settings both sides must hold with the same value.
_EQUAL_SETTINGS = ("mode", "mclt_s", "auto_transition", "switch_interval_s", "auth_enabled",
                   "scopes", "reserve_percent", "primary_ip", "secondary_ip")


NO_RECOVERY = "1970-01-01T00:00:00Z"


def derive_pairs(relationships: list[Fact], collected: set[str],
                 state_changes: list[Fact] = ()) -> list[Fact]:
    """Return one `pair` fact per relationship side and one `setting_mismatch` per differing setting.

    `collected` holds the servers whose failover output was read (an empty output still counts:
    it says the server has no relationships). `state_changes` give each side's last return to
    Normal, which separates a current incident's events from an old, recovered one's.
    """
    recovered: dict[tuple[str, str], str] = {}
    for change in state_changes:
        server, subject = change["server"], change.get("subject", change["server"])
        if change["new_state"] == "Normal" and subject == server:
            key = (server, change["relationship"].lower())
            recovered[key] = max(recovered.get(key, NO_RECOVERY), change["time"])
    by_key: dict[tuple[str, str], Fact] = {}
    for rel in relationships:
        by_key.setdefault((rel["name"].lower(), rel["server"]), rel)
    derived: list[Fact] = []
    for (name, server), rel in sorted(by_key.items()):
        partner = rel.get("partner")
        other = by_key.get((name, partner)) if partner else None
        if other is None and partner:
            other = _same_pair_other_name(rel, relationships)
        fields = {
            "relationship": rel["name"],
            "server": server,
            "partner": partner,
            "state": rel["state"],
            "partner_collected": partner in collected if partner else False,
            "mclt_s": rel.get("mclt_s"),
            "normal_since": recovered.get((server, name), NO_RECOVERY),
        }
        sources = [rel.source]
        if partner in collected:
            fields["partner_has_relationship"] = other is not None
        if other is not None:
            sources.append(other.source)
            fields["partner_state"] = other["state"]
            fields["states_agree"] = other["state"] == rel["state"]
            diffs = _differences(rel, other)
            fields["settings_differ"] = bool(diffs)
            fields["differing_settings"] = ",".join(name for name, _, _ in diffs)
            fields["auth_differs"] = any(name == "auth_enabled" for name, _, _ in diffs)
            for setting, mine, theirs in diffs:
                derived.append(Fact("setting_mismatch", {
                    "relationship": rel["name"], "server": server, "partner": partner,
                    "setting": setting, "value": _text(mine), "partner_value": _text(theirs)},
                    rel.source, (other.source,)))
        derived.append(Fact("pair", {k: v for k, v in fields.items() if v is not None},
                            rel.source, tuple(sources[1:])))
    return derived


def _same_pair_other_name(rel: Fact, relationships: list[Fact]) -> Fact | None:
    """The partner's record of this pair under another name, if it has exactly one.

    Both sides must use the same relationship name; a partner that calls the pair something else
    has a mismatched relationship (reported as a `name` difference), not a missing one.
    """
    candidates = [other for other in relationships
                  if other["server"] == rel.get("partner") and other.get("partner") == rel["server"]]
    return candidates[0] if len(candidates) == 1 else None


def _differences(mine: Fact, theirs: Fact) -> list[tuple[str, object, object]]:
    diffs = []
    if mine["name"] != theirs["name"]:
        diffs.append(("name", mine["name"], theirs["name"]))
    for setting in _EQUAL_SETTINGS:
        a, b = mine.get(setting), theirs.get(setting)
        if a is not None and b is not None and a != b:
            diffs.append((setting, a, b))
    a, b = mine.get("lb_percent"), theirs.get("lb_percent")
    if mine.get("mode") == "LoadBalance" and a is not None and b is not None and a + b != 100:
        diffs.append(("lb_percent", a, b))
    for setting, pair_ok in (("role", {"Active", "Standby"}),
                             ("server_type", {"PrimaryServer", "SecondaryServer"})):
        a, b = mine.get(setting), theirs.get(setting)
        if a is not None and b is not None and {a, b} != pair_ok:
            diffs.append((setting, a, b))
    return diffs


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)

