"""Timeline facts: what came first before a fall from Normal, how long a state has lasted, how often
a link dropped — derived from state changes and event summaries of both partners."""
from __future__ import annotations

from engine.facts import Fact, Source
from engine.timeline import derive_timeline

A, B = "dhcp-a", "dhcp-b"
SRC = Source("x/events-DhcpAdminEvents.xml", "event RecordId 1")


def pair(server=A, partner=B, state="CommunicationInterrupted", mclt_s=3600):
    return Fact("pair", {"relationship": "r1", "server": server, "partner": partner, "state": state,
                         "partner_collected": True, "mclt_s": mclt_s,
                         "normal_since": "1970-01-01T00:00:00Z"}, Source(f"{server}/failover.txt", "line 2"))


def change(time, old, new, server=A, subject=None, event_id=20252):
    fields = {"server": server, "relationship": "r1", "subject": subject or server, "new_state": new,
              "time": time, "event_id": event_id}
    if old:
        fields["old_state"] = old
    return Fact("state_change", fields, Source(f"{server}/events-DhcpAdminEvents.xml", f"at {time}"))


def event(server, event_id, first, last=None, relationship="r1", **extra):
    return Fact("event", {"server": server, "log": "DhcpAdminEvents", "event_id": event_id, "count": 1,
                          "first": first, "last": last or first, "relationship": relationship, **extra},
                Source(f"{server}/events-DhcpAdminEvents.xml", f"{event_id} at {first}"))


def offset(server, reference, offset_s):
    return Fact("clock_offset", {"server": server, "reference": reference, "offset_s": offset_s,
                                 "abs_offset_s": abs(offset_s), "samples": 5, "failed_samples": 0},
                Source(f"{server}/w32tm-stripchart-{reference}.txt", "line 4"))


def of_kind(facts, kind):
    return [f.fields for f in facts if f.kind == kind]


FALL = change("2026-11-30T08:00:06Z", "Normal", "CommunicationInterrupted")


def test_the_partners_skew_event_comes_first_once_its_clock_offset_is_taken_out():
    # dhcp-b's clock runs 95 s ahead: its 20253 stamped 08:01:40 happened at 08:00:05 on dhcp-a's clock
    facts = [pair(), FALL, event(A, 20255, "2026-11-30T08:00:06Z"), event(B, 20253, "2026-11-30T08:01:40Z"),
             offset(A, B, 95.0)]
    [incident] = of_kind(derive_timeline(facts), "incident")
    assert incident == {
        "server": A, "relationship": "r1", "partner": B, "time": "2026-11-30T08:00:06Z",
        "new_state": "CommunicationInterrupted", "event_id": 20252, "skew_before": True, "offset_corrected": True,
        "first_event_id": 20253, "first_event_server": B, "first_event_time": "2026-11-30T08:00:05Z", "lead_s": 1,
        "sequence": "20253 dhcp-b 08:00:05, 20255 dhcp-a 08:00:06"}


def test_the_offset_measured_from_the_other_side_counts_with_its_sign_turned():
    facts = [pair(), FALL, event(A, 20255, "2026-11-30T08:00:06Z"), event(B, 20253, "2026-11-30T08:01:40Z"),
             offset(B, A, -95.0)]
    [incident] = of_kind(derive_timeline(facts), "incident")
    assert (incident["first_event_id"], incident["first_event_time"]) == (20253, "2026-11-30T08:00:05Z")


def test_without_a_measured_offset_the_partners_late_stamp_is_not_before_the_fall():
    facts = [pair(), FALL, event(A, 20255, "2026-11-30T08:00:06Z"), event(B, 20253, "2026-11-30T08:01:40Z")]
    [incident] = of_kind(derive_timeline(facts), "incident")
    assert (incident["first_event_id"], incident["skew_before"], incident["offset_corrected"],
            incident["sequence"]) == (20255, False, False, "20255 dhcp-a 08:00:06")


def test_events_of_other_relationships_and_older_than_the_window_are_not_before_the_fall():
    facts = [pair(), FALL, event(A, 20253, "2026-11-30T08:00:01Z", relationship="r2"),
             event(A, 20253, "2026-11-30T07:50:00Z"), event(A, 20255, "2026-11-30T08:00:06Z")]
    [incident] = of_kind(derive_timeline(facts), "incident")
    assert (incident["first_event_id"], incident["skew_before"]) == (20255, False)


def test_only_the_earliest_occurrence_inside_the_window_is_placed():
    # a skew first seen 3 minutes before the fall and logged again long after it
    facts = [pair(), FALL, event(A, 20253, "2026-11-30T07:57:06Z", last="2026-11-30T08:40:00Z"),
             event(A, 20255, "2026-11-30T08:00:06Z")]
    [incident] = of_kind(derive_timeline(facts), "incident")
    assert (incident["first_event_id"], incident["lead_s"]) == (20253, 180)


def test_no_incident_after_a_return_to_normal_or_on_a_normal_side():
    recovered = [pair(), FALL, change("2026-11-30T08:10:00Z", "CommunicationInterrupted", "Normal", event_id=20251)]
    assert of_kind(derive_timeline(recovered), "incident") == []
    assert of_kind(derive_timeline([pair(state="Normal"), FALL]), "incident") == []


def test_the_partners_state_change_logged_here_is_not_this_sides_fall():
    facts = [pair(), change("2026-11-30T08:00:06Z", "Normal", "CommunicationInterrupted", subject=B)]
    assert of_kind(derive_timeline(facts), "incident") == []


def server_fact(server, collected_at):
    return Fact("server", {"server": server, "collected_at": collected_at}, Source(f"{server}/computer.json"))


def test_state_timer_says_when_the_mclt_wait_ends():
    facts = [pair(state="RecoverWait"), server_fact(A, "2026-11-30T09:00:00Z"),
             change("2026-11-30T08:48:10Z", "Recover", "RecoverWait", event_id=20251)]
    [timer] = of_kind(derive_timeline(facts), "state_timer")
    assert timer == {"server": A, "relationship": "r1", "partner": B, "state": "RecoverWait",
                     "since": "2026-11-30T08:48:10Z", "collected_at": "2026-11-30T09:00:00Z", "age_s": 710,
                     "startup_ends": "2026-11-30T08:53:10Z", "startup_left_s": -410, "mclt_s": 3600,
                     "mclt_ends": "2026-11-30T09:48:10Z", "mclt_left_s": 2890}


def test_no_state_timer_without_a_collection_time_or_with_a_change_after_it():
    change_in = change("2026-11-30T08:48:10Z", "Recover", "RecoverWait", event_id=20251)
    assert of_kind(derive_timeline([pair(state="RecoverWait"), change_in]), "state_timer") == []
    early = [pair(state="RecoverWait"), server_fact(A, "2026-11-30T08:00:00Z"), change_in]
    assert of_kind(derive_timeline(early), "state_timer") == []


def test_link_history_counts_drops_and_recoveries_and_the_shortest_outage():
    facts = [pair(state="Normal")]
    for hour, outage in ((1, 64), (5, 70), (9, 61)):
        down = f"2026-11-30T0{hour}:00:00Z"
        facts.append(change(down, "Normal", "CommunicationInterrupted"))
        facts.append(change(f"2026-11-30T0{hour}:01:{outage - 60:02d}Z", "CommunicationInterrupted", "Normal",
                            event_id=20251))
    [history] = of_kind(derive_timeline(facts), "link_history")
    assert history == {"server": A, "relationship": "r1", "drops": 3, "recoveries": 3,
                       "first_drop": "2026-11-30T01:00:00Z", "last_drop": "2026-11-30T09:00:00Z",
                       "shortest_outage_s": 61, "drop_interval_s": 14400, "regular_interval": True}


def _flaps(times: list[str]) -> list[Fact]:
    facts = [pair(state="Normal")]
    for time in times:
        back = time[:-3] + "58Z"  # back within the same minute
        facts += [change(time, "Normal", "CommunicationInterrupted"),
                  change(back, "CommunicationInterrupted", "Normal", event_id=20251)]
    return facts


def test_drops_at_a_fixed_period_are_told_apart_from_irregular_ones():
    """With a heartbeat every minute, drops every 4 h to the minute are a session lifetime on a
    device in the path, not an idle timeout: the history says the period and that it is fixed."""
    regular = _flaps(["2026-11-29T02:14:07Z", "2026-11-29T06:14:08Z", "2026-11-29T10:14:07Z",
                      "2026-11-29T14:15:09Z"])
    [history] = of_kind(derive_timeline(regular), "link_history")
    assert (history["drops"], history["drop_interval_s"], history["regular_interval"]) == (4, 14401, True)
    irregular = _flaps(["2026-11-29T02:14:07Z", "2026-11-29T03:00:00Z", "2026-11-29T09:30:00Z",
                        "2026-11-29T10:00:00Z"])
    [history] = of_kind(derive_timeline(irregular), "link_history")
    assert (history["drop_interval_s"], history["regular_interval"]) == (2753, False)
    [history] = of_kind(derive_timeline(_flaps(["2026-11-29T02:14:07Z", "2026-11-29T06:14:08Z"])), "link_history")
    assert "drop_interval_s" not in history and "regular_interval" not in history
