"""One scenario through the model: build the pair, apply noise and faults, run the state
machine, and write down what each side logged."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from . import eventlog as ev
from .effects import EFFECTS, NO_SERVICE
from .faults import fault_kinds
from .model import World, build_world
from .scenario import Scenario, draw_noise
from .statemachine import PairMachine

# How Windows spells states inside 20251/20252 messages is UNVERIFIED (failover-knowledge.md
# §2.2); the seed picks one of the spellings seen in the field for each bundle.
_EVENT_SPELLINGS = (
    lambda s: {"CommunicationInterrupted": "COMMUNICATION-INTERRUPTED", "PartnerDown": "PARTNER-DOWN",
               "RecoverWait": "RECOVER-WAIT", "RecoverDone": "RECOVER-DONE",
               "PotentialConflict": "POTENTIAL-CONFLICT", "ResolutionInterrupted": "RESOLUTION-INTERRUPTED",
               "ConflictDone": "CONFLICT-DONE"}.get(s, s.upper()),
    lambda s: {"CommunicationInterrupted": "COMMUNICATION_INT", "PartnerDown": "PARTNER_DOWN",
               "RecoverWait": "RECOVER_WAIT", "RecoverDone": "RECOVER_DONE",
               "PotentialConflict": "POTENTIAL_CONFLICT", "ResolutionInterrupted": "RESOLUTION_INT",
               "ConflictDone": "CONFLICT_DONE"}.get(s, s.upper()),
)
# CONNECT digest events: (failed to compare, not configured, not present) [S9]
_CONNECT_DIGEST = (20264, 20265, 20266)
_SERVICE_NOISE = ("Windows Update", "Software Protection", "Windows Modules Installer", "Background Intelligent Transfer Service")


@dataclass
class Simulated:
    scenario: Scenario
    world: World
    faults: list[tuple[str, dict]]   # kind and the parameters it ran with


def run_scenario(scenario: Scenario) -> Simulated:
    rng = random.Random(scenario.seed)
    world = build_world(scenario.seed, rng, scenario.collected_at)
    for kind, fixed in scenario.noise:
        EFFECTS[kind](world, draw_noise(kind, fixed, rng))
    applied = []
    for name, fixed in scenario.faults:
        kind = fault_kinds()[name]
        params = kind.draw(rng, fixed, f"scenario {scenario.name or scenario.seed}")
        for effect in kind.effects:
            EFFECTS[effect](world, params)
        applied.append((name, params))
    rel = world.relationship
    machine = PairMachine(("a", "b"), rel["primary"], timedelta(seconds=rel["mclt_s"]),
                          timedelta(seconds=rel["switch_s"]) if rel["auto_transition"] else None, world.start)
    world.trace = machine.run(world.inputs, world.end)
    _silence_stopped_service(world)
    for side, host in world.hosts.items():
        # Get-DhcpServerv4Failover needs the DHCP service: a stopped one leaves a collector error
        if host.reachable and world.trace.final[side] is None:
            host.collector_errors.append(("failover", NO_SERVICE.format(host=host.fqdn)))
    _log_trace(world, rng)
    _log_noise(world, rng)
    return Simulated(scenario, world, applied)


def _silence_stopped_service(world: World) -> None:
    """A stopped DHCP Server service writes nothing to its DhcpAdminEvents log (§2.1: the channel
    belongs to the service). Faults model their events independently (a backlog keeps logging
    20286 over its whole interruption), so a service another fault stopped must not be seen
    logging them while it was down."""
    for side, host in world.hosts.items():
        down = world.inputs.service_down.get(side, [])
        if not down:
            continue
        host.events = [r for r in host.events
                       if not (r.log == ev.ADMIN and r.provider == ev.DHCP and
                               any(start < r.time and (end is None or r.time < end) for start, end in down))]


def _log_trace(world: World, rng: random.Random) -> None:
    spell = rng.choice(_EVENT_SPELLINGS)
    for t in world.trace.transitions:
        host = world.hosts[t.side]
        rel = host.relationship or world.relationship
        if t.old is None:
            event_id = 20260 if t.new != "Startup" else 20259
            params = (host.fqdn, rel["name"], spell(t.new))
        else:
            error = t.old == "Normal" or t.new == "PartnerDown"
            event_id = 20252 if error else 20251
            params = (host.fqdn, rel["name"], spell(t.old), spell(t.new))
        host.events.append(ev.EventRecord(ev.ADMIN, ev.DHCP, event_id, t.time, params))
    for h in world.trace.happenings:
        host = world.hosts[h.side]
        rel = host.relationship or world.relationship
        partner = world.partner_name(h.side)
        if h.what in ("comm_up", "comm_down"):
            host.events.append(ev.EventRecord(ev.ADMIN, ev.DHCP, 20254 if h.what == "comm_up" else 20255,
                                              h.time, (partner, rel["name"])))
            continue
        for why, info in world.refusal:
            if why == "time":
                skew = abs(world.hosts["a"].clock_offset_s - world.hosts["b"].clock_offset_s)
                host.events.append(ev.EventRecord(ev.ADMIN, ev.DHCP, 20253, h.time,
                                                  (partner, rel["name"], str(int(round(skew))))))
            elif why == "digest" and h.side != world.relationship["primary"]:
                # the secondary receives CONNECT and checks its digest [S2 3.1.5]
                mine = host.relationship["auth"] if host.relationship else False
                theirs = (world.hosts[world.other(h.side)].relationship or {}).get("auth", False)
                if info["variant"] == "differ":
                    event_id = _CONNECT_DIGEST[0]
                elif mine:
                    event_id = _CONNECT_DIGEST[2]  # we expect a digest, the partner sent none
                elif theirs:
                    event_id = _CONNECT_DIGEST[1]  # a digest arrived, we have none configured
                else:
                    continue
                host.events.append(ev.EventRecord(ev.ADMIN, ev.DHCP, event_id, h.time, (partner, rel["name"])))


def _log_noise(world: World, rng: random.Random) -> None:
    """The System log of any server: services starting and stopping around updates."""
    for host in world.hosts.values():
        for _ in range(rng.randrange(4, 16)):
            when = world.start + (world.end - world.start) * rng.random()
            name = rng.choice(_SERVICE_NOISE)
            host.events.append(ev.EventRecord(ev.SYSTEM, ev.SCM, 7036, when, (name, "running")))
            host.events.append(ev.EventRecord(ev.SYSTEM, ev.SCM, 7036, when + timedelta(seconds=rng.randrange(30, 900)),
                                              (name, "stopped")))
