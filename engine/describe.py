"""Short human sentences for facts and patterns, used as evidence and ruled-out reasons.

An admin reads "tcp_probe dhcp-a → dhcp-b:647 failed (ping answered)" faster than a dict, and
the same words must appear in text, Markdown and JSON output, so they are made in one place.
"""
from __future__ import annotations

from typing import Any

from .facts import Fact
from .pairs import NO_RECOVERY
from .rules import AllOf, AnyOf, Compare, Condition, Pattern, Ref

_OPS = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "in": "in",
        "not_in": "not in", "regex": "matches"}


def summarise(fact: Fact) -> str:
    """One line that says what the fact states, in the admin's terms."""
    f = fact.fields
    k = fact.kind
    if k == "tcp_probe":
        result = "succeeded" if f.get("ok") else "failed"
        ping = ""
        if "ping_ok" in f:
            ping = " (ping answered)" if f["ping_ok"] else " (ping failed too)"
        return f"TCP test {f['source']} → {f['target']}:{f['port']} {result}{ping}"
    if k == "pair":
        other = f" / {f['partner']}: {f['partner_state']}" if "partner_state" in f else ""
        return f"{f['relationship']} on {f['server']}: {f['state']}{other}"
    if k == "relationship":
        return f"{f['server']} reports {f['name']} with {f.get('partner', '?')}: {f['state']}"
    if k == "service":
        return f"service {f['name']} on {f['server']}: {f['status']}"
    if k == "clock_offset":
        if "offset_s" in f:  # w32tm's sign: positive means the server runs behind the reference
            offset = f["offset_s"]
            if abs(offset) < 0.0005:
                relation = "in step with"
            else:
                relation = f"{abs(offset):.3f} s {'behind' if offset > 0 else 'ahead of'}"
            return (f"w32tm on {f['server']}: its clock is {relation} {f['reference']}'s "
                    f"(offset {offset:+.3f} s, {f['samples']} samples)")
        return f"clock of {f['server']} vs {f['reference']}: no sample answered ({f['failed_samples']} failed)"
    if k == "time_source":
        sync = "synchronised" if f.get("synchronized") else "NOT synchronised"
        return f"time source of {f['server']}: {f.get('source', '?')} ({sync})"
    if k == "event":
        extra = [f"{name}={f[name]}" for name in ("relationship", "partner", "skew_s", "old_state",
                                                   "new_state", "scope", "reject_reason",
                                                   "service_name", "service_state") if name in f]
        detail = f" [{', '.join(extra)}]" if extra else ""
        return (f"event {f['event_id']} in {f['log']} on {f['server']}: {f['count']}× "
                f"({f['first']} … {f['last']}){detail}")
    if k == "firewall_rule":
        state = "enabled" if f.get("enabled") else "disabled"
        return f"firewall rule {f['name']} on {f['server']}: {state}, {f.get('action', '?')}"
    if k == "collector_error":
        return f"collector error on {f['server']} ({f.get('artifact', '*')}): {f['message'][:200]}"
    if k == "setting_mismatch":
        return (f"{f['relationship']}: {f['setting']} is {f.get('value', '(not set)')} on {f['server']}, "
                f"{f.get('partner_value', '(not set)')} on {f['partner']}")
    if k == "artifact_missing":
        return f"{f['artifact']} missing for {f['server']}"
    if k in _TIMELINE:
        return _TIMELINE[k](f)
    if k in _CONFIGURATION:
        return _CONFIGURATION[k](f)
    if k in _ADDRESSING:
        return _ADDRESSING[k](f)
    fields = ", ".join(f"{name}={_show(value)}" for name, value in f.items())
    return f"{k}: {fields}"


def _incident(f: dict) -> str:
    text = (f"{f['server']} fell to {f['new_state']} on {f['relationship']} at {f['time']} "
            f"(event {f['event_id']})")
    if "sequence" in f:
        corrected = "; partner times corrected by the measured clock offset" if f.get("offset_corrected") else ""
        return f"{text}; just before it: {f['sequence']}{corrected}"
    return f"{text}; no failover event in the 5 minutes before it"


def _state_timer(f: dict) -> str:
    text = (f"{f['server']} in {f['state']} on {f['relationship']} since {f['since']} "
            f"({f['age_s']} s at collection)")
    if f.get("state") == "Startup" and "startup_ends" in f:
        text += f"; the 5-minute Startup timer ends at {f['startup_ends']}"
    elif "mclt_ends" in f:
        text += f"; one MCLT ends at {f['mclt_ends']}"
    return text


def _link_history(f: dict) -> str:
    text = (f"{f['server']} fell to CommunicationInterrupted on {f['relationship']} {f['drops']}× and came back "
            f"{f['recoveries']}× ({f.get('first_drop', '?')} … {f.get('last_drop', '?')})")
    if "shortest_outage_s" in f:
        text += f", shortest outage {f['shortest_outage_s']} s"
    if "drop_interval_s" in f:
        text += f", {'a drop every' if f.get('regular_interval') else 'drops about'} {_duration(f['drop_interval_s'])}"
        text += "" if f.get("regular_interval") else " apart, irregularly"
    return text


def _duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes = rest // 60
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _scope_stats(f: dict) -> str:
    parts = []
    if "free_on_this_server" in f:
        parts.append(f"{f['free_on_this_server']} free for {f['server']} itself")
    if "free_on_partner" in f:
        parts.append(f"{f['free_on_partner']} for the partner")
    if "free" in f and not parts:
        parts.append(f"{f['free']} free")
    usage = f" ({f['in_use']} in use, {f.get('percent_in_use', '?')} %)" if "in_use" in f else ""
    where = f" in {f['relationship']}" if "relationship" in f else ""
    return f"scope {f['scope']} on {f['server']}{where}: {', '.join(parts) or 'no counts'}{usage}"


def _state_change(f: dict) -> str:
    old = f"{f['old_state']} → " if "old_state" in f else "→ "
    return (f"{f['time']}: {f.get('subject', f['server'])} {old}{f['new_state']} on {f['relationship']} "
            f"(event {f['event_id']} on {f['server']})")


# Derived timeline facts and scope statistics, said in the admin's terms.
_TIMELINE = {"incident": _incident, "state_timer": _state_timer, "link_history": _link_history,
             "scope_stats": _scope_stats, "state_change": _state_change}

_AREAS = {"scope": "scope settings", "scope_option": "scope option values", "reservation": "reservations",
          "exclusion": "exclusion ranges", "server_option": "server-level option values"}


def _in_scope(f: dict, field: str = "scope_id") -> str:
    return f" in scope {f[field]}" if field in f else ""


def _config_compared(f: dict) -> str:
    return (f"the {_AREAS.get(f['area'], f['area'])} of {f['relationship']} were compared between "
            f"{f['server']} and {f['partner']}")


def _config_difference(f: dict) -> str:
    return (f"{f['item']}{_in_scope(f, 'scope')} differs between the partners of {f['relationship']}: "
            f"{f['value']} on {f['server']}, {f['partner_value']} on {f['partner']}")


def _scope(f: dict) -> str:
    name = f" ({f['name']})" if "name" in f else ""
    details = []
    if "start_range" in f and "end_range" in f:
        details.append(f"{f['start_range']} – {f['end_range']}")
    if "state" in f:
        details.append(f["state"])
    if "lease_s" in f:
        details.append(f"lease {f['lease_s']} s")
    return f"scope {f['scope_id']}{name} on {f['server']}" + (f": {', '.join(details)}" if details else "")


def _option_value(f: dict) -> str:
    level = "server-level option" if f["level"] == "server" else "scope option"
    name = f" {f['name']}" if "name" in f else ""
    value = f": {f['value']}" if "value" in f else ""
    return f"{level} {f['option_id']}{name} on {f['server']}{_in_scope(f)}{value}"


def _reservation(f: dict) -> str:
    client = f" for {f['client_id']}" if "client_id" in f else ""
    name = f" ({f['name']})" if "name" in f else ""
    return f"reservation {f['ip']}{client}{name}{_in_scope(f)} on {f['server']}"


def _exclusion(f: dict) -> str:
    return f"exclusion range {f['start']} – {f['end']}{_in_scope(f)} on {f['server']}"


def _dhcp_settings(f: dict) -> str:
    authorized = {True: "authorized in Active Directory", False: "NOT authorized in Active Directory"}
    parts = [authorized.get(f.get("is_authorized"), "authorization not reported")]
    if "is_domain_joined" in f:
        parts.append("domain member" if f["is_domain_joined"] else "not domain-joined")
    if f.get("restore_status"):
        parts.append("restores its database from backup at the next service start")
    return f"DHCP server {f['server']}: {', '.join(parts)}"


def _server(f: dict) -> str:
    names = f.get("fqdn") or f.get("hostname")
    details = [d for d in (f.get("ips"), f.get("os")) if d]
    return f"server {f['server']}" + (f" ({names})" if names and names != f["server"] else "") + \
        (f": {', '.join(details)}" if details else "")


# Configuration as a server holds it, and the comparison of the two partners' copies.
_CONFIGURATION = {"config_compared": _config_compared, "config_difference": _config_difference,
                  "scope": _scope, "option_value": _option_value, "reservation": _reservation,
                  "exclusion": _exclusion, "dhcp_settings": _dhcp_settings, "server": _server}


def _address_check(f: dict) -> str:
    stored = " / ".join(str(f[k]) for k in ("stored_name", "stored_ip") if f.get(k))
    if "ip_current" not in f:  # only a name is stored (the default Format-List view)
        verdict = f"its current addresses are {f['current_ips'] or 'not known'}"
    elif f["ip_current"]:
        verdict = "one of its current addresses"
    else:
        verdict = f"NOT one of its current addresses ({f['current_ips'] or 'none known'})"
    text = f"{f['reported_by']}'s record of {f['relationship']} stores {stored} for {f['server']}: {verdict}"
    if f["node_named"]:
        text += "; the stored name is a cluster node's, not the clustered role's"
    if f.get("bound") is False:
        text += "; DHCP does not serve on the interface holding it"
    return text


def _partner_lookup(f: dict) -> str:
    if not f["ok"]:
        return f"{f['server']} cannot resolve {f['query']} ({f['via']})"
    where = "one of" if f["points_to_partner"] else "NOT one of"
    return (f"{f['server']} resolves {f['query']} to {f.get('addresses', '?')} ({f['via']}): {where} "
            f"{f['partner']}'s current addresses ({f['partner_ips']})")


def _name_resolution(f: dict) -> str:
    if not f["ok"]:
        return f"{f['server']} cannot resolve {f['query']}"
    return f"{f['server']} resolves {f['query']} to {f.get('addresses', '?')}"


def _ip_address(f: dict) -> str:
    prefix = f"/{f['prefix_length']}" if "prefix_length" in f else ""
    details = [str(f[name]) for name in ("interface_alias", "prefix_origin", "address_state") if name in f]
    return f"address {f['address']}{prefix} on {f['server']}" + (f" ({', '.join(details)})" if details else "")


def _dhcp_binding(f: dict) -> str:
    address = f" ({f['address']})" if "address" in f else ""
    serves = "serves" if f["bound"] else "does NOT serve"
    return f"DHCP on {f['server']} {serves} interface {f['interface_alias']}{address}"


# Names, addresses and interfaces: what each server is reachable and known by.
_ADDRESSING = {"address_check": _address_check, "partner_lookup": _partner_lookup,
               "name_resolution": _name_resolution, "ip_address": _ip_address, "dhcp_binding": _dhcp_binding}


def describe_conditions(pattern: Pattern, bindings: dict[str, Fact]) -> str:
    """'tcp_probe with source = dhcp-a, port = 647, ok = false' (refs resolved where bound).

    In the rule's own terms, for rule authors (fixture diffs, `fodoc explain`); reports to the
    admin use `describe_pattern`.
    """
    parts = [_describe(cond, bindings) for cond in pattern.conditions]
    return f"{pattern.kind} with " + ", ".join(parts) if parts else f"any {pattern.kind}"


# What a pattern of each kind looks for, as the admin would name it.
_NOUNS = {"pair": "side of a relationship", "tcp_probe": "TCP connection test", "event": "event",
          "address_check": "stored server address", "partner_lookup": "lookup of the partner's name",
          "config_difference": "configuration difference", "config_compared": "configuration comparison",
          "dhcp_settings": "DHCP server settings", "time_source": "time source", "clock_offset":
          "clock offset measurement", "setting_mismatch": "relationship setting that differs",
          "state_timer": "time spent in a state", "link_history": "history of lost contact",
          "scope_stats": "scope statistics", "option_value": "option value", "firewall_rule": "firewall rule",
          "collector_error": "collector error", "artifact_missing": "missing output", "service": "service"}
# Field conditions that read better as a preposition than as "field = value".
_PREPOSITIONS = {"server": "on", "relationship": "for", "log": "in", "state": "in state",
                 "partner_state": "with the partner in state", "source": "from", "target": "to",
                 "reference": "against"}
_WORDS = {"eq": "", "ne": "not ", "lt": "below ", "le": "at most ", "gt": "above ", "ge": "at least ",
          "in": "", "not_in": "not ", "regex": "matching "}
_TIME_WORDS = {"lt": "before ", "le": "at or before ", "gt": "after ", "ge": "at or after "}


def describe_pattern(pattern: Pattern, bindings: dict[str, Fact]) -> str:
    """What a pattern looks for, as an admin reads it: 'event 20286 on dhcp-a for dhcp-a-dhcp-b,
    last logged after dhcp-a's last return to Normal (2026-11-28T10:21:52Z)'.

    Used where the report says why a cause was ruled out. The sentinel 1970-01-01T00:00:00Z
    (engine/pairs.py NO_RECOVERY: the server never logged a return to Normal) is never shown.
    """
    conditions = list(pattern.conditions)
    head = _NOUNS.get(pattern.kind, pattern.kind.replace("_", " "))
    if pattern.kind == "event":
        ids = [c for c in conditions if isinstance(c, Compare) and c.field == "event_id" and c.op in ("eq", "in")]
        if ids:
            conditions.remove(ids[0])
            values = ids[0].value if isinstance(ids[0].value, tuple) else (ids[0].value,)
            head = f"event {_either(values)}"
    if pattern.kind == "service":
        names = [c for c in conditions if isinstance(c, Compare) and c.field == "name" and c.op == "eq"]
        if names:
            conditions.remove(names[0])
            head = f"service {names[0].value}"
    said = [_say(cond, bindings) for cond in conditions]
    plain = [text for text in said if not text.startswith(_WITH)]
    qualities = [text[len(_WITH):] for text in said if text.startswith(_WITH)]
    return " ".join([head] + plain) + (f" with {', '.join(qualities)}" if qualities else "")


_WITH = "\0with "   # marks a condition said as a quality of the fact ("with ok: no"), not a place
_LABELS = {"last": "last logged", "first": "first logged", "ok": "answered", "ping_ok": "ping answered"}


def _say(cond: Condition, bindings: dict[str, Fact]) -> str:
    if isinstance(cond, AnyOf):
        return _WITH + "(" + " or ".join(_say(c, bindings).replace(_WITH, "") for c in cond.conditions) + ")"
    if isinstance(cond, AllOf):
        return _WITH + " and ".join(_say(c, bindings).replace(_WITH, "") for c in cond.conditions)
    assert isinstance(cond, Compare)
    text = _say_compare(cond, bindings)
    plain = text.startswith(("on ", "for ", "in ", "from ", "to ", "against ", "with the partner", "at ")) \
        or text.endswith(" times")
    return text if plain else _WITH + text


def _say_compare(cond: Compare, bindings: dict[str, Fact]) -> str:
    label = _LABELS.get(cond.field, cond.field.replace("_", " "))
    if cond.op == "exists":
        return f"with {label}" if cond.value else f"without {label}"
    value, since = cond.value, ""
    if isinstance(value, Ref):
        bound = bindings.get(value.alias)
        if bound is None or value.field not in bound.fields:
            return f"{label} {_WORDS[cond.op]}the {value.field.replace('_', ' ')} of its {value.alias}".strip()
        if value.field == "normal_since":
            if bound.fields[value.field] == NO_RECOVERY and cond.op in ("gt", "ge"):
                return f"at any time ({bound.fields.get('server', 'the server')} never logged a return to Normal)"
            since = f" ({bound.fields.get('server', 'the server')}'s last return to Normal)"
        value = bound.fields[value.field]
    if isinstance(value, bool):
        return f"{label}: {'yes' if value else 'no'}" if cond.op == "eq" else f"{label}: {'no' if value else 'yes'}"
    if cond.field == "count" and cond.op in ("ge", "gt", "le", "lt", "eq"):
        return f"{_WORDS[cond.op]}{_show(value)} times".strip()
    shown = _either(value) if isinstance(value, tuple) else _show(value)
    if cond.op in _TIME_WORDS and _is_time(value):
        return f"{label} {_TIME_WORDS[cond.op]}{shown}{since}"
    if cond.op in ("eq", "in") and cond.field in _PREPOSITIONS:
        return f"{_PREPOSITIONS[cond.field]} {shown}"
    if cond.op in ("in", "not_in"):
        return f"{label} {_WORDS[cond.op]}{shown}"
    return f"{label} {_WORDS[cond.op]}{shown}{since}"


def _either(values) -> str:
    shown = [_show(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _is_time(value: Any) -> bool:
    return hasattr(value, "isoformat") or (isinstance(value, str) and len(value) >= 20 and value[4:5] == "-"
                                             and value[10:11] == "T")


def _describe(cond: Condition, bindings: dict[str, Fact]) -> str:
    if isinstance(cond, AnyOf):
        return "(" + " or ".join(_describe(c, bindings) for c in cond.conditions) + ")"
    if isinstance(cond, AllOf):
        return " and ".join(_describe(c, bindings) for c in cond.conditions)
    assert isinstance(cond, Compare)
    if cond.op == "exists":
        return f"{cond.field} {'present' if cond.value else 'absent'}"
    value = cond.value
    if isinstance(value, Ref):
        bound = bindings.get(value.alias)
        value = bound.fields.get(value.field, f"<{value}>") if bound else f"<{value}>"
    return f"{cond.field} {_OPS[cond.op]} {_show(value)}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)
