"""The DHCP failover state machine of one relationship, both sides, over time.

Each side runs its own copy of the IETF failover state machine (draft-ietf-dhc-failover-12 §9)
with the Windows timers of [MS-DHCPF] (failover-knowledge.md §1.3-1.4). The simulator drives it
with what the faults do to the pair (the failover channel refused or silently dropped, a service
stopped or started, an admin's -PartnerDown) and it answers what each side would report and log:
its state at any moment, every transition with its time, CommUp/CommDown, connect attempts.

It is a discrete-event simulation: inputs and timer expiries are processed in time order, and
after each one both sides settle (apply every transition the new situation allows) before time
moves on, so the result is exact to the second and independent of any step size.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

# Windows timers (failover-knowledge.md §1.4)
STARTUP_TIMER = timedelta(minutes=5)       # DhcpFailoverStartUpTimer [S2 App. A <5>]
CONNECT_RETRY = timedelta(minutes=1)       # DhcpFailoverConnectionRetryTime [S2 3.1.2.2]
RECEIVE_TIMER = timedelta(minutes=3)       # tReceive: a silent drop is noticed after this [S2 3.1.2.4]
SYNC_TIME = timedelta(seconds=20)          # UPDREQ(ALL) .. UPDDONE exchange on a small scope set (model choice)

NORMAL, COMM_INT, PARTNER_DOWN = "Normal", "CommunicationInterrupted", "PartnerDown"
STARTUP, RECOVER, RECOVER_WAIT, RECOVER_DONE = "Startup", "Recover", "RecoverWait", "RecoverDone"
POTENTIAL_CONFLICT, RESOLUTION_INT, CONFLICT_DONE = "PotentialConflict", "ResolutionInterrupted", "ConflictDone"
STOPPED = None  # the service is not running: the side reports nothing

# The state a side falls back to when communication fails, per state (IETF §9, "comm failed"
# transitions; Startup's timer maps the recorded state the same way [S2 3.1.6.3]).
_ON_COMM_FAIL = {NORMAL: COMM_INT, POTENTIAL_CONFLICT: RESOLUTION_INT}


@dataclass(frozen=True)
class Transition:
    time: datetime
    side: str
    old: Optional[str]
    new: str


@dataclass(frozen=True)
class Happening:
    """Something a side logs: comm_up, comm_down, or connect_refused (the partner's CONNECT or
    STATE was dropped by a time or digest check), with the side that logs it."""

    time: datetime
    side: str
    what: str


@dataclass
class _Side:
    name: str
    primary: bool
    state: Optional[str] = NORMAL
    entered: Optional[datetime] = None
    running: bool = True
    recorded: str = NORMAL          # the state kept in the database across a restart (prevState)
    token: int = 0                  # bumps on every state entry; a timer for an older entry is void
    stops: int = 0                  # service outages in progress


@dataclass
class Inputs:
    """What the faults do, as intervals and moments (all UTC).

    channel_down   (start, end or None, how): the failover channel between the two cannot be used.
                   how = "silent" (packets dropped: a firewall, a broken path, a dead host; noticed
                   after tReceive) or "refused" (the TCP session is made but the partner's messages
                   fail a time or digest check and Windows closes it at once [S2 3.1.5]).
    service_down   side -> [(start, end or None)]: the DHCP Server service is not running.
    partner_down   [(time, side)]: an admin runs Set-DhcpServerv4Failover -PartnerDown on side.
    """

    channel_down: list[tuple[datetime, Optional[datetime], str]] = field(default_factory=list)
    service_down: dict[str, list[tuple[datetime, Optional[datetime]]]] = field(default_factory=dict)
    partner_down: list[tuple[datetime, str]] = field(default_factory=list)
    stuck: dict[str, datetime] = field(default_factory=dict)
    """side -> time from which it no longer leaves its state on contact (the KB 2751456 defect:
    partners connected but reporting different states)."""


@dataclass
class Trace:
    transitions: list[Transition]
    happenings: list[Happening]
    final: dict[str, Optional[str]]
    entered: dict[str, Optional[datetime]]

    def state_at(self, side: str, when: datetime) -> Optional[str]:
        """The state `side` reported at `when` (after every transition up to and including it)."""
        state: Optional[str] = NORMAL
        for t in self.transitions:
            if t.side == side and t.time <= when:
                state = t.new
        return state


class PairMachine:
    """Both sides of one relationship. `mclt`, `auto_switch` (None when AutoStateTransition is
    off) and which side is primary come from the relationship configuration."""

    def __init__(self, sides: tuple[str, str], primary: str, mclt: timedelta,
                 auto_switch: Optional[timedelta], start: datetime):
        self.sides = {name: _Side(name, name == primary, entered=start) for name in sides}
        self.mclt = mclt
        self.auto_switch = auto_switch
        self.connected = True
        self.transitions: list[Transition] = []
        self.happenings: list[Happening] = []
        self._queue: list[tuple[datetime, int, str, tuple]] = []
        self._seq = 0

    # -- running ----------------------------------------------------------------------------

    def run(self, inputs: Inputs, end: datetime) -> Trace:
        for start, stop, how in inputs.channel_down:
            self._at(start, "channel", (False, how))
            if stop is not None:
                self._at(stop, "channel", (True, how))
        for side, spans in inputs.service_down.items():
            for start, stop in spans:
                self._at(start, "service", (side, False))
                if stop is not None:
                    self._at(stop, "service", (side, True))
        for when, side in inputs.partner_down:
            self._at(when, "admin_partner_down", (side,))
        self._channel_ok = True
        self._how = "silent"
        self._active = {"silent": 0, "refused": 0}
        self._pending: Optional[datetime] = None
        self._stuck = inputs.stuck
        while self._queue and self._queue[0][0] <= end:
            when, _, kind, args = heapq.heappop(self._queue)
            getattr(self, f"_on_{kind}")(when, *args)
            self._settle(when)
        return Trace(self.transitions, self.happenings,
                     {n: s.state for n, s in self.sides.items()},
                     {n: s.entered for n, s in self.sides.items()})

    def _at(self, when: datetime, kind: str, args: tuple) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (when, self._seq, kind, args))

    def _attempt(self, when: datetime) -> None:
        """Schedule the next connect attempt: one retry timer, however many reasons to retry."""
        if self._pending is not None and self._pending <= when:
            return
        self._pending = when
        self._at(when, "attempt", (when,))

    def _enter(self, side: _Side, state: Optional[str], when: datetime) -> None:
        if side.state == state:
            return
        if state is not None:
            self.transitions.append(Transition(when, side.name, side.state, state))
        side.state, side.entered = state, when
        side.token += 1
        if state is not None and state != STARTUP:
            side.recorded = state
        if state == COMM_INT and self.auto_switch is not None:
            self._at(when + self.auto_switch, "safe_period", (side.name, side.token))
        elif state == STARTUP:
            self._at(when + STARTUP_TIMER, "startup_timer", (side.name, side.token))
        elif state == RECOVER_WAIT:
            self._at(when + self.mclt, "mclt", (side.name, side.token))
        elif state in (RECOVER, POTENTIAL_CONFLICT):
            self._at(when + SYNC_TIME, "upddone", (side.name, side.token))

    # -- inputs -----------------------------------------------------------------------------

    def _on_channel(self, when: datetime, up: bool, how: str) -> None:
        # overlapping faults: the channel works only when no outage is active; a silent one
        # (nothing gets through) hides a refusing one (the session would be made, then closed)
        self._active[how] += -1 if up else 1
        ok = not any(self._active.values())
        self._how = "silent" if self._active["silent"] else "refused"
        if ok == self._channel_ok:
            return
        self._channel_ok = ok
        if not ok:
            if self.connected:
                # a refused session closes at once; a silent drop is noticed after tReceive
                self._at(when if self._how == "refused" else when + RECEIVE_TIMER, "lose", ())
        else:
            self._attempt(when + CONNECT_RETRY)

    def _on_service(self, when: datetime, name: str, up: bool) -> None:
        # overlapping stops (two faults on one server): it runs again only when all have ended
        side = self.sides[name]
        side.stops += -1 if up else 1
        if (side.stops == 0) == side.running:
            return
        side.running = up = side.stops == 0
        if not up:
            self._enter(side, STOPPED, when)
            if self.connected:  # the partner sees the TCP session close at once
                self._on_lose(when)
        else:  # the service initialises, then its connect-retry timer fires [S2 3.1.2.2]
            self._enter(side, STARTUP, when)
            self._attempt(when + CONNECT_RETRY)

    def _on_admin_partner_down(self, when: datetime, name: str) -> None:
        side = self.sides[name]
        if side.state in (COMM_INT, RESOLUTION_INT):  # [S12]: -PartnerDown acts on COMM_INT
            self._enter(side, PARTNER_DOWN, when)

    # -- timers -----------------------------------------------------------------------------

    def _on_lose(self, when: datetime) -> None:
        if not self.connected or (self._channel_ok and all(s.running for s in self.sides.values())):
            return  # the outage ended before tReceive noticed it
        self.connected = False
        for side in self.sides.values():
            if side.running:
                self.happenings.append(Happening(when, side.name, "comm_down"))
                self._enter(side, _ON_COMM_FAIL.get(side.state, side.state), when)
        self._attempt(when + CONNECT_RETRY)

    def _on_attempt(self, when: datetime, planned: datetime) -> None:
        if planned != self._pending:
            return  # superseded by an earlier attempt
        self._pending = None
        if self.connected or not all(s.running for s in self.sides.values()):
            return
        if not self._channel_ok:
            if self._how == "refused":  # TCP connects, the partner's CONNECT fails the check
                for side in self.sides.values():
                    self.happenings.append(Happening(when, side.name, "connect_refused"))
            self._attempt(when + CONNECT_RETRY)
            return
        self.connected = True
        for side in self.sides.values():
            self.happenings.append(Happening(when, side.name, "comm_up"))
            if side.state == STARTUP:
                self._startup_contact(side, when)

    def _on_safe_period(self, when: datetime, name: str, token: int) -> None:
        side = self.sides[name]
        if side.token == token and side.state == COMM_INT:
            self._enter(side, PARTNER_DOWN, when)

    def _on_startup_timer(self, when: datetime, name: str, token: int) -> None:
        side = self.sides[name]
        if side.token == token and side.state == STARTUP:  # no contact within 5 min [S2 3.1.6.3]
            self._enter(side, _ON_COMM_FAIL.get(side.recorded, side.recorded), when)

    def _on_mclt(self, when: datetime, name: str, token: int) -> None:
        side = self.sides[name]
        if side.token == token and side.state == RECOVER_WAIT:
            self._enter(side, RECOVER_DONE, when)

    def _on_upddone(self, when: datetime, name: str, token: int) -> None:
        side = self.sides[name]
        if side.token != token or not self.connected:
            if side.token == token:  # retry the update request once communication is back
                self._at(when + CONNECT_RETRY, "upddone", (name, token))
            return
        if side.state == RECOVER:
            self._enter(side, RECOVER_WAIT, when)
        elif side.state == POTENTIAL_CONFLICT:  # [S1 §9.10.3]
            self._enter(side, CONFLICT_DONE if side.primary else NORMAL, when)

    # -- the comms-OK transitions (IETF §9, table in failover-knowledge.md §1.3) ----------------

    def _startup_contact(self, side: _Side, when: datetime) -> None:
        partner = self._partner(side)
        if partner.state == PARTNER_DOWN:
            # the partner went PARTNER-DOWN after our last operation [S1 §9.3.2 step 5]
            self._enter(side, RECOVER, when)
        else:
            self._enter(side, _ON_COMM_FAIL.get(side.recorded, side.recorded), when)

    def _settle(self, when: datetime) -> None:
        if not self.connected:
            for side in self.sides.values():
                if side.state == POTENTIAL_CONFLICT:
                    self._enter(side, RESOLUTION_INT, when)
            return
        changed = True
        while changed:
            changed = False
            for side in self.sides.values():
                if side.name in self._stuck and self._stuck[side.name] <= when:
                    continue
                new = self._comms_ok(side.state, self._partner(side).state)
                if new is not None and new != side.state:
                    self._enter(side, new, when)
                    changed = True

    @staticmethod
    def _comms_ok(mine: Optional[str], theirs: Optional[str]) -> Optional[str]:
        if mine is None or theirs is None:
            return None
        conflict = {PARTNER_DOWN, POTENTIAL_CONFLICT, CONFLICT_DONE, RESOLUTION_INT}
        if mine == COMM_INT:
            if theirs in (NORMAL, COMM_INT, RECOVER_DONE):
                return NORMAL
            if theirs in conflict:
                return POTENTIAL_CONFLICT
        elif mine == PARTNER_DOWN:
            if theirs == RECOVER_DONE:
                return NORMAL
            if theirs in (NORMAL, COMM_INT, PARTNER_DOWN, POTENTIAL_CONFLICT, RESOLUTION_INT, CONFLICT_DONE):
                return POTENTIAL_CONFLICT
        elif mine == RECOVER and theirs in (POTENTIAL_CONFLICT, RESOLUTION_INT, CONFLICT_DONE):
            return POTENTIAL_CONFLICT
        elif mine == RECOVER_DONE and theirs in (NORMAL, RECOVER_DONE):
            return NORMAL
        elif mine == RESOLUTION_INT:
            return POTENTIAL_CONFLICT
        elif mine == CONFLICT_DONE and theirs == NORMAL:
            return NORMAL
        return None

    def _partner(self, side: _Side) -> _Side:
        return next(s for s in self.sides.values() if s is not side)


def owns_whole_pool(state: Optional[str], entered: Optional[datetime], mclt: timedelta, when: datetime) -> bool:
    """PARTNER-DOWN allocates from the partner's free pool only once MCLT has passed since the
    server entered PARTNER-DOWN [S1 §9.4.2][S7] (failover-knowledge.md §1.2)."""
    return state == PARTNER_DOWN and entered is not None and when - entered >= mclt


def at_rest_together(mine: Optional[str], theirs: Optional[str]) -> bool:
    """True when two connected sides in these states stay where they are: no comms-OK transition
    of §1.3 moves either (Normal/Normal, or PartnerDown while the partner is in Recover or
    RecoverWait, whose own timers move it on). States that differ and are at rest are a documented
    step, not drift; states that a transition would leave on contact are what a stuck side shows."""
    return PairMachine._comms_ok(mine, theirs) is None and PairMachine._comms_ok(theirs, mine) is None
