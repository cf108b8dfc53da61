"""What each fault does to the pair model. Fault kinds (faults.yaml) list these by name.

An effect changes the model the way the real fault changes a pair: a firewall rule, a clock, a
service, one side's relationship, what a name resolves to; and tells the state machine what that
does to the failover channel. The outputs are derived from the model afterwards, so an effect
never writes an artifact itself. Modelled from failover-knowledge.md §6 (evidence of RC1-RC15),
not from fodoc's rules.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from . import eventlog as ev
from .model import World

Effect = Callable[[World, dict], None]
EFFECTS: dict[str, Effect] = {}

_WINRM_DOWN = ("Connecting to remote server {host} failed with the following error message : WinRM cannot "
               "complete the operation. Verify that the specified computer name is valid, that the computer "
               "is accessible over the network, and that a firewall exception for the WinRM service is "
               "enabled and allows access from this computer.")
NO_SERVICE = "Failed to get version of the DHCP server {host}. (The RPC server is unavailable. (1722))"


def effect(func: Effect) -> Effect:
    EFFECTS[func.__name__] = func
    return func


def _view(world: World, side: str) -> dict:
    """This side's relationship record; a detached copy when another fault deleted it there."""
    return world.hosts[side].relationship or {"name": world.relationship["name"]}


def _since(world: World, params: dict):
    return world.ago(float(params.get("since_h", 2)))


def _stop_service(world: World, side: str, since, until=None, crashed: bool = False) -> None:
    world.inputs.service_down.setdefault(side, []).append((since, until))
    host = world.hosts[side]
    state = "stopped"
    if crashed:
        host.events.append(ev.EventRecord(ev.SYSTEM, ev.SCM, 7034, since, ("DHCP Server", "1")))
    host.events.append(ev.EventRecord(ev.SYSTEM, ev.SCM, 7036, since, ("DHCP Server", state)))
    if until is not None:
        host.events.append(ev.EventRecord(ev.SYSTEM, ev.SCM, 7036, until, ("DHCP Server", "running")))


@effect
def block_647(world: World, params: dict) -> None:
    """RC1: the failover channel is silently dropped; ping still answers. Host firewall: the
    receiving side's TCP-In rule disabled (locally or by GPO); network: an ACL in the path."""
    since = _since(world, params)
    directions = {"a->b": ["a->b"], "b->a": ["b->a"], "both": ["a->b", "b->a"]}[params["direction"]]
    world.blocked_647.update(directions)
    world.inputs.channel_down.append((since, None, "silent"))
    for direction in directions:
        target = world.hosts[direction[-1]]
        if params["where"] in ("host-firewall", "gpo"):
            rule = target.rule("Inbound")
            if params["where"] == "gpo":
                rule.store, rule.enabled = "GroupPolicy", world.rng.choice((False, True))
                rule.action = "Allow" if not rule.enabled else "Block"
            else:
                rule.enabled = False
    world.notes.append(f"TCP 647 blocked {params['direction']} ({params['where']}) since {since:%Y-%m-%d %H:%M}Z")


@effect
def clock_skew(world: World, params: dict) -> None:
    """RC3: one clock is off by more than the allowed 60 s; each CONNECT is dropped and 20253 logged."""
    side = params["side"]
    host = world.hosts[side]
    seconds = float(params["seconds"]) * (1 if params["direction"] == "ahead" else -1)
    host.clock_offset_s = round(seconds + world.rng.uniform(-0.5, 0.5), 7)
    if params["source"] in ("cmos", "free-running"):
        host.time_source = "Local CMOS Clock" if params["source"] == "cmos" else "Free-running System Clock"
        host.time_synced = False
    elif params["source"] == "vm-ic":
        host.time_source = "VM IC Time Synchronization Provider"
    else:
        host.time_source = "time.windows.com,0x9"
    world.inputs.channel_down.append((_since(world, params), None, "refused"))
    world.refusal.append(("time", {"side": side}))
    world.notes.append(f"{host.fqdn} clock {seconds:+.0f} s off ({host.time_source})")


@effect
def state_stuck(world: World, params: dict) -> None:
    """RC9 (KB 2751456): after a restart one side stays CommunicationInterrupted although the
    partners are connected; an unclean restart leaves System 6008 behind."""
    side = params["side"]
    since = _since(world, params)
    back = since + timedelta(minutes=world.rng.randrange(2, 6))
    _stop_service(world, side, since, back, crashed=False)
    world.inputs.stuck[side] = back
    if params.get("unclean") in (True, "true"):
        local = since + timedelta(minutes=world.hosts[side].zone[1])
        world.hosts[side].events.append(ev.EventRecord(
            ev.SYSTEM, ev.EVENTLOG, 6008, back - timedelta(seconds=40),
            (f"{local:%I:%M:%S %p}".lstrip("0"), f"{local.month}/{local.day}/{local.year}")))
    world.notes.append(f"{world.hosts[side].fqdn} restarted at {since:%H:%M}Z and stays CommunicationInterrupted")


@effect
def relationship_corrupt(world: World, params: dict) -> None:
    """RC5: one side lost the relationship (deleted, rebuilt, restored) or holds other settings;
    the partner's CONNECT is rejected (reason 8 invalid partner, 5 invalid MCLT)."""
    side = params["side"]
    host = world.hosts[side]
    since = _since(world, params)
    rel = _view(world, side)
    if params["variant"] == "missing":
        host.relationship = None
        a, b = world.hosts["a"], world.hosts["b"]
        host.events.append(ev.EventRecord(ev.OPERATIONAL, ev.DHCP, 20242, since, (rel["name"], a.fqdn, b.fqdn)))
    elif params["variant"] == "mclt-differs":
        rel["mclt_s"] = world.rng.choice([s for s in (1800, 3600, 7200, 14400) if s != rel["mclt_s"]])
        host.events.append(ev.EventRecord(ev.OPERATIONAL, ev.DHCP, 20245, since,
                                          (rel["name"], world.partner_name(side), str(world.relationship["mclt_s"]),
                                           str(rel["mclt_s"]))))
    else:
        other = "HotStandby" if rel["mode"] == "LoadBalance" else "LoadBalance"
        rel.update(mode=other, role="Active" if other == "HotStandby" else None,
                   lb_percent=50 if other == "LoadBalance" else None,
                   reserve_percent=5 if other == "HotStandby" else None)
    world.inputs.channel_down.append((since, None, "refused"))
    world.notes.append(f"relationship on {host.fqdn}: {params['variant']}")


@effect
def shared_secret(world: World, params: dict) -> None:
    """RC4: digests fail to compare (secrets differ) or are missing / not configured (auth on
    one side only); Windows drops the message and closes the connection [S2 3.1.5]."""
    side = params["side"]
    if params["variant"] == "differ":
        for s in ("a", "b"):
            _view(world, s)["auth"] = True
    else:
        _view(world, side)["auth"] = False
        _view(world, world.other(side))["auth"] = True
    world.inputs.channel_down.append((_since(world, params), None, "refused"))
    world.refusal.append(("digest", {"variant": params["variant"], "side": side}))
    world.notes.append(f"shared secret: {params['variant']} ({world.hosts[side].fqdn})")


@effect
def service_stopped(world: World, params: dict) -> None:
    """RC2: the DHCP Server service is stopped; the host answers ping, 647 is closed, and the
    collector cannot read the relationship there."""
    side = params["side"]
    _stop_service(world, side, _since(world, params), crashed=params.get("how") == "crashed")
    host = world.hosts[side]
    world.notes.append(f"DHCP Server service on {host.fqdn} {params.get('how', 'stopped')}")


@effect
def host_down(world: World, params: dict) -> None:
    """RC2 (host down): nothing answers; the collector records the host unreachable."""
    side = params["side"]
    host = world.hosts[side]
    _stop_service(world, side, _since(world, params))
    host.reachable = False
    host.icmp = False
    host.events.clear()
    host.collector_errors.append(("*", _WINRM_DOWN.format(host=host.fqdn)))
    world.notes.append(f"{host.fqdn} down since {_since(world, params):%Y-%m-%d %H:%M}Z")


@effect
def ip_changed(world: World, params: dict) -> None:
    """RC6: the server's address changed; both relationship records keep the old one, DNS has
    the new one, and the partner's failover connections go to the old address."""
    side = params["side"]
    host = world.hosts[side]
    net, last = host.ip.rsplit(".", 1)
    old, host.ip = host.ip, f"{net}.{(int(last) + 100) % 250 + 2}"
    world.hosts[world.other(side)].dns[host.fqdn] = host.ip
    world.inputs.channel_down.append((_since(world, params), None, "silent"))
    world.notes.append(f"{host.fqdn} moved from {old} to {host.ip}")


@effect
def name_resolution(world: World, params: dict) -> None:
    """RC7: the partner's name does not resolve (or to a stale address); the established
    relationship keeps using its stored addresses (INFERENCE in the reference)."""
    side = params["side"]
    target = world.hosts[world.other(side)]
    stale = f"{target.ip.rsplit('.', 1)[0]}.{(int(target.ip.rsplit('.', 1)[1]) + 37) % 250 + 2}"
    world.hosts[side].dns[target.fqdn] = None if params["variant"] == "nxdomain" else stale
    world.notes.append(f"{world.hosts[side].fqdn} cannot resolve {target.fqdn} ({params['variant']})")


@effect
def config_drift(world: World, params: dict) -> None:
    """RC8: a scope edited on one partner only (Operational 70-166 there, nothing on the other)."""
    side = params["side"]
    host = world.hosts[side]
    scope = host.scopes[0]
    since = _since(world, params)
    user = f"{host.fqdn.split('.', 1)[1].split('.')[0].upper()}\\admin"
    base = scope["ScopeId"].rsplit(".", 1)[0]
    if params["what"] == "option":
        scope["options"] = {**scope["options"], 6: "10.0.0.53"}
        host.events.append(ev.EventRecord(ev.OPERATIONAL, ev.DHCP, 76, since, (scope["ScopeId"], "6", user)))
    elif params["what"] == "reservation":
        scope["reservations"] = scope["reservations"] + [(f"{base}.240", "00-15-5d-0a-0b-0c", "printer-3")]
        host.events.append(ev.EventRecord(ev.OPERATIONAL, ev.DHCP, 71, since, (scope["ScopeId"], user)))
    else:
        scope["exclusions"] = scope["exclusions"] + [(f"{base}.200", f"{base}.219")]
        host.events.append(ev.EventRecord(ev.OPERATIONAL, ev.DHCP, 71, since, (scope["ScopeId"], user)))
    world.notes.append(f"{params['what']} of {scope['ScopeId']} changed on {host.fqdn} only")


@effect
def database_problem(world: World, params: dict) -> None:
    """RC10: the database fails to initialise (1004) and the service stops (7034)."""
    side = params["side"]
    host = world.hosts[side]
    since = _since(world, params)
    host.events.append(ev.EventRecord(ev.SYSTEM, ev.DHCP, 1004, since - timedelta(seconds=2),
                                      ("The JET Database call returned the following Error: -1018.",)))
    _stop_service(world, side, since, crashed=True)
    world.notes.append(f"DHCP database on {host.fqdn} failed to initialise")


@effect
def binding_backlog(world: World, params: dict) -> None:
    """RC11: a long interruption, still going on, overflows the BNDUPD queue: 20286 on one side.
    The interruption here is a network ACL dropping 647 both ways (RC1). Not one that has ended:
    after reconnection the partners resynchronise the leases themselves (UPDREQ, §6 RC11), so a
    backlog from an outage that is over is no longer a fault."""
    side = params["side"]
    since = _since(world, params)
    block_647(world, {"direction": "both", "where": "network", "since_h": params["since_h"]})
    full = since + timedelta(hours=float(params.get("hours", 2)))
    host = world.hosts[side]
    scope = host.scopes[0]["ScopeId"].rsplit(".", 1)[0]
    count = world.rng.randrange(20, 80)
    for n in range(count):
        when = full + (world.end - full) * (n / count)
        host.events.append(ev.EventRecord(ev.ADMIN, ev.DHCP, 20286, when,
                                          (f"{scope}.{world.rng.randrange(30, 219)}", world.partner_name(side),
                                           _view(world, side)["name"])))
    world.notes.append(f"{host.fqdn} dropped {count} binding updates since {full:%H:%M}Z; the interruption goes on")


@effect
def not_authorized(world: World, params: dict) -> None:
    """RC13: not authorized in AD: 1046 in System, IsAuthorized False."""
    side = params["side"]
    host = world.hosts[side]
    host.settings["IsAuthorized"] = False
    domain = host.fqdn.split(".", 1)[1]
    since = _since(world, params)
    for hour in range(int(float(params.get("since_h", 2))) + 1):
        host.events.append(ev.EventRecord(ev.SYSTEM, ev.DHCP, 1046, since + timedelta(hours=hour), ("", domain)))
    world.notes.append(f"{host.fqdn} is not authorized in AD")


@effect
def pool_exhaustion(world: World, params: dict) -> None:
    """RC14: interrupted (here: the partner's service crashed), the survivor runs out of its own
    free pool: 20287 and 1063 while CommunicationInterrupted."""
    side = params["side"]
    since = _since(world, params)
    other = world.other(side)
    _stop_service(world, other, since, crashed=True)
    host = world.hosts[side]
    scope = host.scopes[0]
    scope["in_use"] = scope["size"] // 2
    scope["own_free_used_up"] = (side,)  # its own share is gone; the partner's is still free
    for n in range(world.rng.randrange(5, 30)):
        when = since + timedelta(minutes=30 + 7 * n)
        if when >= world.end:
            break
        mac = "".join(f"{world.rng.randrange(256):02x}" for _ in range(6))
        host.events.append(ev.EventRecord(ev.ADMIN, ev.DHCP, 20287, when, (mac, scope["ScopeId"])))
        host.events.append(ev.EventRecord(ev.SYSTEM, ev.DHCP, 1063, when, (scope["ScopeId"],)))
    world.notes.append(f"{world.hosts[other].fqdn}'s DHCP service crashed at {since:%Y-%m-%dT%H:%M:%SZ} (the "
                       f"interruption behind the exhaustion); {host.fqdn} ran out of its own free addresses in "
                       f"{scope['ScopeId']}")


@effect
def cluster_node(world: World, params: dict) -> None:
    """RC15: the partner is a clustered DHCP role; the relationship was made against node 1, the
    role now runs on node 2, so failover connections reach a node without the role."""
    side = params["side"]
    partner = world.hosts[world.other(side)]
    node1 = partner.hostname + "-N1"
    domain = partner.fqdn.split(".", 1)[1]
    node1_ip = partner.ip.rsplit(".", 1)[0] + ".240"
    _view(world, side)["partner_server"] = f"{node1.lower()}.{domain}"
    world.hosts[side].dns[f"{node1.lower()}.{domain}"] = node1_ip
    # one relationship, two copies: both store the node's name and address for the clustered side
    role = "primary" if world.other(side) == "a" else "secondary"
    for view in (world.hosts[side].relationship, partner.relationship):
        if view is not None:
            view[f"{role}_name"], view[f"{role}_ip"] = f"{node1.lower()}.{domain}", node1_ip
    partner.extra_ips.append(partner.ip.rsplit(".", 1)[0] + ".241")
    partner.node = partner.hostname + "-N2"  # the role moved: collected as the role, the node answers
    world.inputs.channel_down.append((_since(world, params), None, "silent"))
    world.notes.append(f"relationship on {world.hosts[side].fqdn} names cluster node {node1}")


@effect
def time_unhealthy(world: World, params: dict) -> None:
    """§4.1: unsynchronised time service (Leap 3, Local CMOS Clock); still inside 60 s."""
    host = world.hosts[params["side"]]
    host.time_synced = False
    host.time_source = "Local CMOS Clock"
    host.clock_offset_s = round(float(params["seconds"]) * world.rng.choice((1, -1)), 7)
    world.notes.append(f"{host.fqdn} time service unsynchronised, {host.clock_offset_s:+.0f} s off")


@effect
def intermittent_path(world: World, params: dict) -> None:
    """NORMAL <-> COMMUNICATION-INTERRUPTED cycling: the path drops for minutes at a time."""
    since = _since(world, params)
    drops = int(params["drops"])
    span = (world.end - timedelta(minutes=20)) - since
    for n in range(drops):
        start = since + span * (n / drops)
        world.inputs.channel_down.append((start, start + timedelta(minutes=world.rng.randrange(4, 15)), "silent"))
    world.notes.append(f"{drops} path drops since {since:%H:%M}Z")


@effect
def recover_wait(world: World, params: dict) -> None:
    """§1.3: the partner's service was down long enough for the survivor to go PartnerDown; it is
    back, went Recover and waits out MCLT in RecoverWait."""
    side = params["side"]
    mclt = timedelta(seconds=world.relationship["mclt_s"])
    back = world.end - mclt * world.rng.uniform(0.1, 0.8)
    since = back - timedelta(hours=world.rng.uniform(2, 6))
    _stop_service(world, side, since, back)
    world.inputs.partner_down.append((since + timedelta(minutes=30), world.other(side)))
    world.notes.append(f"{world.hosts[side].fqdn} back at {back:%H:%M}Z after a PartnerDown period")


@effect
def partner_down_waiting(world: World, params: dict) -> None:
    """§1.2: an admin set PartnerDown on the survivor less than MCLT ago while the partner was in
    maintenance; the partner is back (Recover), the survivor waits out MCLT in PartnerDown before
    it takes the whole pool. The partner's service runs again: a partner still stopped would be a
    fault (RC2) that the diagnosis must report first, not expected behaviour."""
    side = params["side"]
    mclt = timedelta(seconds=world.relationship["mclt_s"])
    declared = world.end - mclt * world.rng.uniform(0.1, 0.8)
    # maintenance began minutes before the admin declared it, well within the state switch
    # interval (>= 30 min), so auto state transition does not enter PartnerDown earlier
    stop = declared - timedelta(minutes=world.rng.uniform(2, 15))
    back = world.end - (world.end - declared) * world.rng.uniform(0.1, 0.5)
    _stop_service(world, world.other(side), stop, back)
    world.inputs.partner_down.append((declared, side))
    world.notes.append(f"{world.hosts[side].fqdn} put in PartnerDown by an admin")


@effect
def duplicate_relays(world: World, params: dict) -> None:
    """RC12: two relay agents forward each broadcast; the second update is outdated (reason 15)."""
    count = int(params["count"])
    for n in range(count):
        side = world.rng.choice(("a", "b"))
        host = world.hosts[side]
        scope = world.rng.choice(host.scopes)["ScopeId"].rsplit(".", 1)[0]
        when = world.start + (world.end - world.start) * world.rng.random()
        event_id = world.rng.choice((20291, 20292))
        host.events.append(ev.EventRecord(ev.ADMIN, ev.DHCP, event_id, when, (
            str(world.rng.randrange(1000, 400000)), f"{scope}.{world.rng.randrange(30, 219)}",
            "Outdated binding information", world.partner_name(side), host.relationship["name"]
            if host.relationship else world.relationship["name"])))


@effect
def service_restart(world: World, params: dict) -> None:
    """§1.3: a service restarted seconds ago is in STARTUP until its first contact."""
    side = params["side"]
    stop = world.end - timedelta(seconds=world.rng.randrange(20, 40))
    _stop_service(world, side, stop, stop + timedelta(seconds=5))


@effect
def old_interruption(world: World, params: dict) -> None:
    """Noise: an interruption that recovered long ago (its events stay in the log)."""
    since = world.ago(float(params.get("since_h", 40)))
    world.inputs.channel_down.append((since, since + timedelta(minutes=float(params.get("minutes", 20))), "silent"))
