"""Whether a fault left the evidence that shows it, in this particular pair.

Two faults can hide each other: a partner that is down or whose service is stopped exchanges no
failover messages, so a shared-secret mismatch on it logs nothing and its relationship cannot be
read; a stuck state shows only while the partners are connected. Such a fault is not a miss of
the diagnosis when nothing in the bundle could show it. These checks read the model and the
trace (what was logged, what the collector could reach), following the evidence lists of
failover-knowledge.md §6, never fodoc's rules.
"""
from __future__ import annotations

from typing import Callable

from .model import World
from .statemachine import RECOVER, RECOVER_DONE, RECOVER_WAIT, at_rest_together

Check = Callable[[World, dict], bool]
_CHECKS: dict[str, Check] = {}


def check(kind: str):
    def register(func: Check) -> Check:
        _CHECKS[kind] = func
        return func
    return register


def observable(world: World, kind: str, params: dict) -> bool:
    """True when the bundle carries what the reference lists as evidence of this fault."""
    func = _CHECKS.get(kind)
    return func(world, params) if func is not None else True


def _collected(world: World, side: str, artifact: str = "*") -> bool:
    host = world.hosts[side]
    return host.reachable and not any(a in ("*", artifact) for a, _ in host.collector_errors)


def _logged(world: World, side: str, *ids: int) -> bool:
    return _collected(world, side) and any(r.event_id in ids for r in world.hosts[side].events)


def _running(world: World, side: str) -> bool:
    return world.hosts[side].reachable and world.trace.final[side] is not None


@check("port_647_blocked")
def _port(world: World, params: dict) -> bool:
    """RC1: Test-NetConnection fails while the target answers ping and runs DHCP, or the
    target's failover firewall rule is seen disabled / blocking."""
    for direction in {"a->b": ["a->b"], "b->a": ["b->a"], "both": ["a->b", "b->a"]}[params["direction"]]:
        source, target = direction[0], direction[-1]
        if _collected(world, source) and _running(world, target) and world.hosts[target].icmp:
            return True
        if params["where"] != "network" and _collected(world, target):
            return True
    return False


@check("clock_skew")
def _clock(world: World, params: dict) -> bool:
    """RC3: 20253 in a log we have, or a stripchart between two reachable partners."""
    both = all(world.hosts[s].reachable for s in ("a", "b"))
    return both or _logged(world, "a", 20253) or _logged(world, "b", 20253)


@check("shared_secret_mismatch")
def _secret(world: World, params: dict) -> bool:
    """RC4: digest events (20256-20284), or EnableAuth differing between two readable outputs."""
    digest = range(20256, 20285)
    if _logged(world, "a", *digest) or _logged(world, "b", *digest):
        return True
    views = [world.hosts[s].relationship for s in ("a", "b") if _collected(world, s, "failover")]
    return len(views) == 2 and all(views) and views[0].get("auth") != views[1].get("auth")


@check("relationship_corrupt")
def _relationship(world: World, params: dict) -> bool:
    """RC5: both relationship outputs readable (one missing or different), in a state that
    shows the pair is not working."""
    return all(_collected(world, s, "failover") for s in ("a", "b")) and \
        any(world.trace.final[s] not in (None, "Normal") for s in ("a", "b"))


@check("partner_state_drift")
def _drift(world: World, params: dict) -> bool:
    """RC9: the partners are connected and report different states that do not progress (§6 RC9:
    "if a state does not progress after comms are OK"). Different states that §1.3 keeps while
    connected (PartnerDown while the partner is in Recover or RecoverWait, after another fault
    restarted the stuck side) are the documented way back at collection, not drift, unless the
    transitional side has outstayed its MCLT."""
    final = world.trace.final
    connected = all(_collected(world, s, "failover") for s in ("a", "b")) and None not in final.values() \
        and final["a"] != final["b"] and not world.blocked_647 and not world.refusal \
        and all(down[1] is not None for down in world.inputs.channel_down)
    if not connected:
        return False
    if not at_rest_together(final["a"], final["b"]):
        return True
    return any(final[s] in (RECOVER, RECOVER_WAIT, RECOVER_DONE) and not _in_state(world, s, final[s], within_mclt=True)
               for s in ("a", "b"))


@check("partner_service_stopped")
def _stopped(world: World, params: dict) -> bool:
    """RC2: `Get-Service DHCPServer` not Running on the host (§6 RC2). Get-Service of a reachable,
    collected host shows its stopped service whatever the partner does: a survivor that logged
    20255 adds to it, but is not needed to see it."""
    side = params["side"]
    return _collected(world, side) and not _running(world, side)


def _survivor(world: World, side: str) -> bool:
    return _running(world, side) and _collected(world, side) and world.hosts[side].relationship is not None


@check("partner_unreachable")
def _unreachable(world: World, params: dict) -> bool:
    """RC2 (host down): a survivor that runs, holds the relationship and was collected; or the
    collector's own record that it could not reach the host (DESIGN.md: a collector error in the
    manifest, host unreachable, is itself a fact) beside a partner host it did reach."""
    side, other = params["side"], world.other(params["side"])
    recorded = not world.hosts[side].reachable and any(a == "*" for a, _ in world.hosts[side].collector_errors)
    return _survivor(world, other) or (recorded and world.hosts[other].reachable)


# Expected behaviour is the explanation of a state the pair is in at collection (§1.2-1.3): when
# another fault keeps the pair out of that state, there is nothing left to explain.

def _in_state(world: World, side: str, state: str, within_mclt: bool = False) -> bool:
    if not _collected(world, side, "failover") or world.trace.final[side] != state:
        return False
    entered = world.trace.entered.get(side)
    mclt = world.relationship["mclt_s"]
    return not within_mclt or (entered is not None and (world.end - entered).total_seconds() < mclt)


@check("recover_wait_within_mclt")
def _recover_wait(world: World, params: dict) -> bool:
    """§1.3: the returning side reports RecoverWait, entered less than MCLT ago."""
    return _in_state(world, params["side"], "RecoverWait", within_mclt=True)


@check("partner_down_waiting_mclt")
def _partner_down_waiting(world: World, params: dict) -> bool:
    """§1.2: the survivor reports PartnerDown, entered less than MCLT ago."""
    return _in_state(world, params["side"], "PartnerDown", within_mclt=True)


@check("startup_after_restart")
def _startup(world: World, params: dict) -> bool:
    """§1.3: the restarted side reports Startup at collection."""
    return _in_state(world, params["side"], "Startup")


@check("benign_outdated_binding")
def _benign(world: World, params: dict) -> bool:
    """RC12: duplicate relays are noise to explain on a pair that works (both Normal, readable);
    on a broken pair the fault is what the admin must see, not the noise."""
    return all(_in_state(world, s, "Normal") for s in ("a", "b"))


@check("intermittent_path")
def _intermittent(world: World, params: dict) -> bool:
    """§1.3 NORMAL <-> COMM_INT cycling on a path that works between the drops: when another fault
    keeps the pair apart at collection (a closed port, a stopped or unreachable partner, skew),
    the last drop never came back and the bundle shows that fault, not the cycling."""
    return all(_in_state(world, s, "Normal") for s in ("a", "b"))


@check("config_drift")
def _drift_config(world: World, params: dict) -> bool:
    """RC8: a field-by-field comparison needs both servers' relationship and scope configuration,
    which a stopped DHCP service or an unreachable host cannot give (RPC 1722, §3.11)."""
    return all(_running(world, s) and _collected(world, s, "failover") for s in ("a", "b"))


# Evidence that lives on one server is in the bundle only when that server was collected.

@check("binding_update_backlog")
def _backlog(world: World, params: dict) -> bool:
    """RC11: 20286 in the Admin log of the side whose queue overflowed."""
    return _logged(world, params["side"], 20286)


@check("server_not_authorized")
def _not_authorized(world: World, params: dict) -> bool:
    """RC13: 1046 and IsAuthorized False come from the unauthorized server itself."""
    return _collected(world, params["side"])


@check("time_service_unhealthy")
def _time_service(world: World, params: dict) -> bool:
    """§4.1: w32tm /query /status of the unsynchronised server."""
    return _collected(world, params["side"])


@check("partner_ip_changed")
def _readdressed(world: World, params: dict) -> bool:
    """RC6: the re-addressed server's current addresses against the address its partner's
    relationship stores: both servers' outputs are needed."""
    other = world.other(params["side"])
    return _collected(world, params["side"]) and _collected(world, other, "failover") \
        and world.hosts[other].relationship is not None


@check("partner_name_resolution")
def _name(world: World, params: dict) -> bool:
    """RC7: the lookup made on the side that cannot resolve its partner, compared with the
    partner's own addresses: both servers collected."""
    return all(_collected(world, s) for s in ("a", "b"))


@check("cluster_node_naming")
def _cluster(world: World, params: dict) -> bool:
    """RC15: the relationship record naming the node, and the clustered server's own name."""
    partner = world.other(params["side"])
    return _collected(world, params["side"], "failover") and _collected(world, partner)


@check("pool_exhaustion")
def _pool(world: World, params: dict) -> bool:
    """RC14: 1063/20287 on the survivor *while* its relationship is interrupted: the survivor's
    logs and its relationship state are both needed."""
    side = params["side"]
    return _logged(world, side, 20287, 1063) and _collected(world, side, "failover") \
        and world.hosts[side].relationship is not None
