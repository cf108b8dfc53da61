"""Short human sentences for facts and patterns, used as evidence and ruled-out reasons.

An admin reads "tcp_probe dhcp-a → dhcp-b:647 failed (ping answered)" faster than a dict, and
the same words must appear in text, Markdown and JSON output, so they are made in one place.
"""
from __future__ import annotations

from typing import Any

from .facts import Fact
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
        if "offset_s" in f:
            return (f"clock of {f['server']} vs {f['reference']}: {f['offset_s']:+.3f} s "
                    f"({f['samples']} samples)")
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
        return (f"{f['relationship']}: {f['setting']} = {f.get('value')} on {f['server']}, "
                f"{f.get('partner_value')} on {f['partner']}")
    if k == "artifact_missing":
        return f"{f['artifact']} missing for {f['server']}"
    if k in _TIMELINE:
        return _TIMELINE[k](f)
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
    if "mclt_ends" in f:
        text += f"; one MCLT ends at {f['mclt_ends']}"
    return text


def _link_history(f: dict) -> str:
    text = (f"{f['server']} fell to CommunicationInterrupted on {f['relationship']} {f['drops']}× and came back "
            f"{f['recoveries']}× ({f.get('first_drop', '?')} … {f.get('last_drop', '?')})")
    if "shortest_outage_s" in f:
        text += f", shortest outage {f['shortest_outage_s']} s"
    return text


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


# Derived timeline facts and scope statistics, said in the admin's terms.
_TIMELINE = {"incident": _incident, "state_timer": _state_timer, "link_history": _link_history,
             "scope_stats": _scope_stats}


def describe_pattern(pattern: Pattern, bindings: dict[str, Fact]) -> str:
    """'tcp_probe with source = dhcp-a, port = 647, ok = false' (refs resolved where bound)."""
    parts = [_describe(cond, bindings) for cond in pattern.conditions]
    return f"{pattern.kind} with " + ", ".join(parts) if parts else f"any {pattern.kind}"


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
