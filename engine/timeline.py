"""Timeline reasoning: what happened first, how long a state has lasted, how often a link dropped.

A state in itself rarely names its cause: CommunicationInterrupted follows a blocked port, a
skewed clock, a secret mismatch or a stopped partner alike. What separates them is the order of
events — a 20253 (out of time sync) logged a second before the fall from Normal points at the
clocks; a 20255 (contact lost) with no 20253 before it points at the path. Timers work the same
way: RecoverWait is normal for one MCLT after the change into it, a fault after that. This module
derives those facts from the state changes and event summaries of both partners, so rules can
ask for them like any other fact:

- ``incident``: each side's last fall from Normal not followed by a return, with the events
  logged just before it on either partner. The partner's clock may be off (that can be the very
  fault), so its times are moved onto this side's clock by the offset w32tm /stripchart measured.
- ``state_timer``: how long each side has been in its current state when the bundle was
  collected, and when the MCLT (or Startup) timer of that state runs out.
- ``link_history``: how often each side fell to CommunicationInterrupted and came back.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .facts import Fact
from .parsers.dates import parse_iso, utc_text

# Events that can start an incident, looked for just before a fall from Normal.
_SKEW = 20253
_COMM_DOWN = 20255
_DIGEST = frozenset(range(20256, 20285))
_SERVICE_CHANGE = 7036
_UNEXPECTED_SHUTDOWN = 6008
WINDOW_S = 300       # how far before a fall an event still counts as "just before" (tReceive is 180 s)
SAME_SECOND_S = 1    # events of the same moment may be logged a second after the state change
STARTUP_TIMER_S = 300
_INTERRUPTED = "CommunicationInterrupted"


def derive_timeline(facts: list[Fact]) -> list[Fact]:
    """incident, state_timer and link_history facts from the (server-resolved) facts of a bundle."""
    changes = sorted((f for f in facts if f.kind == "state_change"),
                     key=lambda f: (f["time"], f["server"], f.source))
    pairs = [f for f in facts if f.kind == "pair"]
    collected = {f["server"]: f["collected_at"] for f in facts if f.kind == "server" and f.get("collected_at")}
    offsets = clock_offsets(facts)
    events = [f for f in facts if f.kind == "event" and _is_marker(f)]
    derived: list[Fact] = []
    for pair in pairs:
        own = [c for c in changes if c["server"] == pair["server"]
               and c["relationship"].lower() == pair["relationship"].lower()
               and c.get("subject", c["server"]) == pair["server"]]
        derived.extend(_incident(pair, own, events, offsets))
        derived.extend(_state_timer(pair, own, collected.get(pair["server"])))
        derived.extend(_link_history(pair, own))
    return derived


def _is_marker(event: Fact) -> bool:
    event_id = event["event_id"]
    if event_id == _SERVICE_CHANGE:
        return str(event.get("service_name", "")).lower() == "dhcpserver" and \
            str(event.get("service_state", "")).lower() == "stopped"
    return event_id in (_SKEW, _COMM_DOWN, _UNEXPECTED_SHUTDOWN) or event_id in _DIGEST


def clock_offsets(facts: list[Fact]) -> dict[tuple[str, str], float]:
    """(server, other) -> seconds to subtract from `other`'s clock to get `server`'s clock.

    w32tm /stripchart on `server` against `other` gives a positive offset when `server` is behind,
    i.e. other's clock = server's clock + offset. A measurement from the other side counts too,
    with its sign turned.
    """
    found: dict[tuple[str, str], float] = {}
    for fact in facts:
        if fact.kind == "clock_offset" and "offset_s" in fact.fields:
            found.setdefault((fact["server"], fact["reference"]), float(fact["offset_s"]))
    for (server, other), offset in list(found.items()):
        found.setdefault((other, server), -offset)
    return found


def aligned_changes(facts: list[Fact]) -> tuple[str | None, list[tuple[str, Fact]]]:
    """Every state change with its time on one reference server's clock, in that order.

    The reference is the first server (by id) that logged a change; another server's times are
    moved onto its clock when w32tm measured the offset between the two, and kept as logged
    otherwise. Returns (reference or None when nothing was moved, [(aligned time, change)]).
    """
    changes = [f for f in facts if f.kind == "state_change"]
    if not changes:
        return None, []
    offsets = clock_offsets(facts)
    reference = min(c["server"] for c in changes)
    moved = False
    aligned = []
    for change in changes:
        shift = round(offsets.get((reference, change["server"]), 0.0)) if change["server"] != reference else 0
        moved = moved or shift != 0
        aligned.append((utc_text(_when(change["time"]) - timedelta(seconds=shift)), change))
    aligned.sort(key=lambda item: (item[0], item[1]["server"], item[1].get("relationship", "")))
    return (reference if moved else None), aligned


def _incident(pair: Fact, own: list[Fact], events: list[Fact],
              offsets: dict[tuple[str, str], float]) -> list[Fact]:
    falls = [c for c in own if c.get("old_state") == "Normal" and c["new_state"] != "Normal"]
    if not falls or pair["state"] == "Normal":
        return []
    fall = falls[-1]
    if any(c["new_state"] == "Normal" and c["time"] > fall["time"] for c in own):
        return []  # recovered since; the current state came another way
    server, partner = pair["server"], pair.get("partner")
    fall_time = _when(fall["time"])
    corrected = False
    before: list[tuple[datetime, Fact]] = []
    for event in events:
        if event["server"] not in (server, partner):
            continue
        if event.get("relationship") and event["relationship"].lower() != pair["relationship"].lower():
            continue
        shift = 0
        if event["server"] != server:
            # whole seconds: event times carry no more, and a 3 ms offset must not move an event
            # into the second before
            shift = round(offsets.get((server, event["server"]), 0.0))
            corrected = corrected or (server, event["server"]) in offsets
        for stamp in dict.fromkeys((event["first"], event["last"])):
            when = _when(stamp) - timedelta(seconds=shift)
            if fall_time - timedelta(seconds=WINDOW_S) <= when <= fall_time + timedelta(seconds=SAME_SECOND_S):
                before.append((when, event))
                break  # the earliest occurrence in the window is the one that can come first
    before.sort(key=lambda item: (item[0], item[1]["event_id"] != _SKEW, item[1]["server"]))
    fields = {"server": server, "relationship": pair["relationship"], "partner": partner,
              "time": fall["time"], "new_state": fall["new_state"], "event_id": fall["event_id"],
              "skew_before": any(e["event_id"] == _SKEW for _, e in before),
              "offset_corrected": corrected}
    sources = [fall.source]
    if before:
        when, first = before[0]
        fields.update(first_event_id=first["event_id"], first_event_server=first["server"],
                      first_event_time=utc_text(when),
                      lead_s=max(0, int(round((fall_time - when).total_seconds()))),
                      sequence=", ".join(f"{e['event_id']} {e['server']} {utc_text(w)[11:19]}"
                                         for w, e in before))
        sources.extend(e.source for _, e in before)
    return [Fact("incident", {k: v for k, v in fields.items() if v is not None}, sources[0],
                 tuple(dict.fromkeys(sources[1:])))]


def _state_timer(pair: Fact, own: list[Fact], collected_at: str | None) -> list[Fact]:
    if collected_at is None:
        return []
    into = [c for c in own if c["new_state"] == pair["state"]]
    if not into:
        return []
    change = into[-1]
    since, now = _when(change["time"]), _when(collected_at)
    if since > now:
        return []  # a clock that was wrong when the change was logged: no honest age
    fields = {"server": pair["server"], "relationship": pair["relationship"], "partner": pair.get("partner"),
              "state": pair["state"], "since": change["time"], "collected_at": collected_at,
              "age_s": int((now - since).total_seconds()),
              "startup_ends": utc_text(since + timedelta(seconds=STARTUP_TIMER_S)),
              "startup_left_s": int((since + timedelta(seconds=STARTUP_TIMER_S) - now).total_seconds())}
    if pair.get("mclt_s") is not None:
        ends = since + timedelta(seconds=pair["mclt_s"])
        fields.update(mclt_s=pair["mclt_s"], mclt_ends=utc_text(ends),
                      mclt_left_s=int((ends - now).total_seconds()))
    return [Fact("state_timer", {k: v for k, v in fields.items() if v is not None}, change.source,
                 (pair.source,))]


def _link_history(pair: Fact, own: list[Fact]) -> list[Fact]:
    drops = [c for c in own if c.get("old_state") == "Normal" and c["new_state"] == _INTERRUPTED]
    recoveries = [c for c in own if c.get("old_state") == _INTERRUPTED and c["new_state"] == "Normal"]
    if not drops:
        return []
    outages = []
    for drop in drops:
        back = next((r for r in recoveries if r["time"] >= drop["time"]), None)
        if back is not None:
            outages.append(int((_when(back["time"]) - _when(drop["time"])).total_seconds()))
    fields = {"server": pair["server"], "relationship": pair["relationship"], "drops": len(drops),
              "recoveries": len(recoveries), "first_drop": drops[0]["time"], "last_drop": drops[-1]["time"]}
    if outages:
        fields["shortest_outage_s"] = min(outages)
    fields.update(_drop_period(sorted(_when(d["time"]) for d in drops)))
    return [Fact("link_history", fields, drops[-1].source, tuple(d.source for d in drops[:-1]))]


def _drop_period(times: list[datetime]) -> dict:
    """The median time between drops, and whether they come at a fixed period (every gap within
    5 % or two minutes of it): with a heartbeat every minute (§3 tSend) an idle timeout longer
    than that never expires, so drops at a fixed period point at a maximum session lifetime or
    a scheduled reset on a device in the path, and irregular ones at load or flaps."""
    gaps = [int((later - earlier).total_seconds()) for earlier, later in zip(times, times[1:])]
    if len(gaps) < 2:
        return {}
    median = sorted(gaps)[len(gaps) // 2]
    slack = max(120, median // 20)
    return {"drop_interval_s": median, "regular_interval": all(abs(gap - median) <= slack for gap in gaps)}


def _when(text: str) -> datetime:
    value = parse_iso(text)
    if value is None:
        return datetime(1970, 1, 1, tzinfo=timezone.utc)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

