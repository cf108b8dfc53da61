"""The failover state machine follows the documented transitions and timers
(reference/failover-knowledge.md §1.2-1.4)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from engine.simulate.statemachine import (CONNECT_RETRY, RECEIVE_TIMER, STARTUP_TIMER, Inputs, PairMachine,
                                          owns_whole_pool)

T0 = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)
MCLT = timedelta(hours=1)


def machine(auto: timedelta | None = None) -> PairMachine:
    return PairMachine(("a", "b"), "a", MCLT, auto, T0)


def states(trace, side):
    return [(t.time - T0, t.old, t.new) for t in trace.transitions if t.side == side]


def test_a_silent_drop_is_noticed_after_treceive_and_stays_interrupted_without_auto_transition():
    """§1.3 NORMAL -> COMMUNICATION_INT on tReceive expiry (3 min, §1.4); nothing moves a server
    on to PartnerDown unless AutoStateTransition is on or an admin forces it (§1.3 consequences)."""
    drop = T0 + timedelta(hours=1)
    trace = machine().run(Inputs(channel_down=[(drop, None, "silent")]), T0 + timedelta(days=2))
    assert states(trace, "a") == [(timedelta(hours=1) + RECEIVE_TIMER, "Normal", "CommunicationInterrupted")]
    assert trace.final == {"a": "CommunicationInterrupted", "b": "CommunicationInterrupted"}
    assert [h.what for h in trace.happenings] == ["comm_down", "comm_down"]


def test_a_refused_connection_interrupts_at_once():
    """§1.3: a digest or time-delta failure makes Windows drop the packet and close the TCP
    connection [S2 3.1.5], so there is no tReceive wait; each retry is refused again."""
    start = T0 + timedelta(hours=1)
    trace = machine().run(Inputs(channel_down=[(start, None, "refused")]), start + timedelta(minutes=10))
    assert states(trace, "b") == [(timedelta(hours=1), "Normal", "CommunicationInterrupted")]
    refused = [h.time - start for h in trace.happenings if h.what == "connect_refused" and h.side == "a"]
    assert refused == [CONNECT_RETRY * n for n in range(1, 11)]


def test_auto_state_transition_moves_to_partner_down_after_the_state_switch_interval():
    """§1.3 COMMUNICATION_INT -> PARTNER_DOWN when the safe-period timer (StateSwitchInterval)
    expires with AutoStateTransition on (§1.4)."""
    switch = timedelta(minutes=30)
    drop = T0 + timedelta(hours=1)
    trace = machine(switch).run(Inputs(service_down={"b": [(drop, None)]}), T0 + timedelta(hours=5))
    assert states(trace, "a") == [(timedelta(hours=1), "Normal", "CommunicationInterrupted"),
                                  (timedelta(hours=1) + switch, "CommunicationInterrupted", "PartnerDown")]
    assert trace.final["b"] is None  # a stopped service reports nothing


def test_partner_down_takes_the_whole_pool_only_after_mclt():
    """§1.2: PARTNER_DOWN allocates from the whole pool only once MCLT has elapsed since it was
    entered [S1 §9.4.2][S7]."""
    down = T0 + timedelta(hours=1)
    trace = machine().run(Inputs(service_down={"b": [(down, None)]}, partner_down=[(down + timedelta(minutes=10), "a")]),
                          T0 + timedelta(hours=4))
    entered = trace.entered["a"]
    assert trace.final["a"] == "PartnerDown" and entered == down + timedelta(minutes=10)
    assert not owns_whole_pool("PartnerDown", entered, MCLT, entered + MCLT - timedelta(seconds=1))
    assert owns_whole_pool("PartnerDown", entered, MCLT, entered + MCLT)
    assert not owns_whole_pool("CommunicationInterrupted", entered, MCLT, entered + 2 * MCLT)


def test_return_after_partner_down_goes_recover_then_recover_wait_for_exactly_mclt():
    """§1.3: a server starting while its partner is PARTNER_DOWN goes RECOVER (§9.3.2 step 5),
    then RECOVER_WAIT, which lasts MCLT before RECOVER_DONE (§9.6.2); the survivor returns to
    NORMAL when its partner is RECOVER_DONE (§9.4.3), and then so does the returning side."""
    down, back = T0 + timedelta(hours=1), T0 + timedelta(hours=5)
    trace = machine(timedelta(minutes=30)).run(Inputs(service_down={"b": [(down, back)]}), T0 + timedelta(hours=9))
    b = states(trace, "b")
    assert [s[2] for s in b] == ["Startup", "Recover", "RecoverWait", "RecoverDone", "Normal"]
    wait = next(s[0] for s in b if s[2] == "RecoverWait")
    done = next(s[0] for s in b if s[2] == "RecoverDone")
    assert done - wait == MCLT
    assert b[1][0] == timedelta(hours=5) + CONNECT_RETRY  # contact at the first connect retry
    a = states(trace, "a")
    assert [s[2] for s in a] == ["CommunicationInterrupted", "PartnerDown", "Normal"]
    assert a[-1][0] == done
    assert trace.final == {"a": "Normal", "b": "Normal"}


def test_startup_without_contact_falls_back_after_the_startup_timer():
    """§1.3: STARTUP with no contact for the Startup timer (5 min, §1.4) -> the comm-failed state
    of the recorded state: Normal -> COMMUNICATION_INT [S2 3.1.6.3]."""
    stop, start = T0 + timedelta(hours=1), T0 + timedelta(hours=1, minutes=2)
    trace = machine().run(Inputs(service_down={"b": [(stop, start)]},
                                 channel_down=[(stop, None, "silent")]), T0 + timedelta(hours=3))
    assert states(trace, "b") == [(timedelta(hours=1, minutes=2), None, "Startup"),
                                  (timedelta(hours=1, minutes=2) + STARTUP_TIMER, "Startup", "CommunicationInterrupted")]


def test_reconnecting_with_a_partner_down_survivor_resolves_through_potential_conflict():
    """§1.3: COMMUNICATION_INT meeting PARTNER_DOWN -> POTENTIAL_CONFLICT on both; on UPDDONE the
    primary goes CONFLICT_DONE and the secondary NORMAL, then the primary NORMAL (§9.10.3, §9.12.3)."""
    drop, heal = T0 + timedelta(hours=1), T0 + timedelta(hours=3)
    trace = machine().run(Inputs(channel_down=[(drop, heal, "silent")],
                                 partner_down=[(drop + timedelta(minutes=30), "b")]), T0 + timedelta(hours=4))
    assert [s[2] for s in states(trace, "a")] == ["CommunicationInterrupted", "PotentialConflict", "ConflictDone",
                                                  "Normal"]
    assert [s[2] for s in states(trace, "b")] == ["CommunicationInterrupted", "PartnerDown", "PotentialConflict",
                                                  "Normal"]


def test_an_outage_shorter_than_treceive_goes_unnoticed():
    """§5.1: a silent drop is detected only after tReceive (3 min) without a message."""
    drop = T0 + timedelta(hours=1)
    trace = machine().run(Inputs(channel_down=[(drop, drop + timedelta(minutes=2), "silent")]), T0 + timedelta(hours=2))
    assert trace.transitions == []


def test_a_stuck_side_stays_interrupted_although_connected():
    """KB 2751456 (§1.1, RC9): partners connected but reporting different states."""
    stop = T0 + timedelta(hours=1)
    back = stop + timedelta(minutes=3)
    trace = machine().run(Inputs(service_down={"b": [(stop, back)]}, stuck={"b": back}), T0 + timedelta(hours=3))
    assert trace.final == {"a": "Normal", "b": "CommunicationInterrupted"}


def test_rendered_scope_statistics_give_partner_down_the_whole_pool_only_after_mclt(tmp_path):
    """The rendered Get-DhcpServerv4ScopeStatistics -Failover follows the model: a survivor in
    PARTNER-DOWN for less than MCLT still hands out only its own share; at MCLT it has the whole
    free pool (§1.2); a hot-standby standby's share is its reserve."""
    import dataclasses

    from engine.simulate.render.artifacts import own_free_share
    from engine.simulate.run import run_scenario
    from engine.simulate.scenario import Scenario

    for seed in range(40):
        sim = run_scenario(Scenario(seed, [("partner_down_waiting_mclt", {})], [], "test"))
        world = sim.world
        survivor = next(s for s, state in world.trace.final.items() if state == "PartnerDown")
        if world.relationship["mode"] == "LoadBalance":
            break
    host, scope = world.hosts[survivor], world.hosts[survivor].scopes[0]
    free = scope["size"] - scope["in_use"]
    entered, mclt = world.trace.entered[survivor], timedelta(seconds=world.relationship["mclt_s"])
    assert world.end - entered < mclt
    assert own_free_share(world, host, scope) == free * world.relationship["lb_percent"][survivor] // 100
    at_mclt = dataclasses.replace(world, end=entered + mclt)
    assert own_free_share(at_mclt, host, scope) == free

    for seed in range(40):
        sim = run_scenario(Scenario(seed, [], [], "test"))
        if sim.world.relationship["mode"] == "HotStandby":
            break
    world = sim.world
    standby = next(s for s, role in world.relationship["role"].items() if role == "Standby")
    scope = world.hosts[standby].scopes[0]
    free = scope["size"] - scope["in_use"]
    assert own_free_share(world, world.hosts[standby], scope) == free * world.relationship["reserve_percent"] // 100
