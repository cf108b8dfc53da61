"""The simulated pair: two DHCP servers, their failover relationship, and what surrounds them.

Everything a bundle shows is derived from this model (plus the state machine's trace): a fault
changes the model (a firewall rule, a clock, a service, a setting on one side), never an output
file directly, so every artifact of a bundle tells the same story.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from .eventlog import EventRecord
from .statemachine import Inputs, Trace

SIDES = ("a", "b")

# Site names the seed picks from: host pairs, domains, time zones as Windows names them.
_HOSTS = (("DHCP-A", "DHCP-B"), ("DHCP01", "DHCP02"), ("SRV-DHCP1", "SRV-DHCP2"), ("NYC-DHCP", "BOS-DHCP"))
_DOMAINS = ("contoso.com", "fabrikam.local", "corp.example.org")
_ZONES = (("W. Europe Standard Time", 60), ("Eastern Standard Time", -300), ("UTC", 0),
          ("GMT Standard Time", 0))
_OS = (("Microsoft Windows Server 2016 Standard", "14393"), ("Microsoft Windows Server 2019 Standard", "17763"),
       ("Microsoft Windows Server 2022 Standard", "20348"), ("Microsoft Windows Server 2025 Datacenter", "26100"))


@dataclass
class FirewallRule:
    name: str
    display_name: str
    direction: str            # Inbound | Outbound
    enabled: bool = True
    action: str = "Allow"     # Allow | Block
    store: str = "PersistentStore"   # or the GPO that set it


@dataclass
class Host:
    side: str
    hostname: str
    fqdn: str
    ip: str
    os: tuple[str, str]
    zone: tuple[str, int]
    folder: str = ""
    clock_offset_s: float = 0.0       # this clock minus true time
    time_source: str = ""             # w32tm Source line
    time_synced: bool = True
    reachable: bool = True            # WinRM answers: the collector got this server's outputs
    icmp: bool = True                 # answers ping
    firewall: list[FirewallRule] = field(default_factory=list)
    relationship: Optional[dict] = None   # this side's view; None: it has no relationship
    dns: dict[str, Optional[str]] = field(default_factory=dict)   # name -> address it resolves to (None: fails)
    collector_errors: list[tuple[str, str]] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    scopes: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    extra_ips: list[str] = field(default_factory=list)
    node: Optional[str] = None        # a clustered DHCP role: the node that owns it now (its
    # $env:COMPUTERNAME); the hostname, folder and address are the role's

    def rule(self, direction: str) -> FirewallRule:
        return next(r for r in self.firewall if r.direction == direction)


@dataclass
class World:
    """The pair, its timeline and what the faults did to it."""

    seed: int
    rng: random.Random
    start: datetime
    end: datetime                     # collection time (true UTC)
    hosts: dict[str, Host]
    relationship: dict                # the agreed configuration (both sides start from it)
    inputs: Inputs = field(default_factory=Inputs)
    blocked_647: set[str] = field(default_factory=set)   # "a->b": a cannot reach b's 647
    refusal: list[tuple[str, dict]] = field(default_factory=list)  # why CONNECTs are dropped: ("time"|"digest", info)
    trace: Optional[Trace] = None
    notes: list[str] = field(default_factory=list)       # what happened, one line per fault (manifest)

    def other(self, side: str) -> str:
        return "b" if side == "a" else "a"

    def partner_name(self, side: str) -> str:
        """The partner as this side's relationship names it (PartnerServer)."""
        rel = self.hosts[side].relationship
        return rel["partner_server"] if rel else self.relationship["partner_server"][side]

    def ago(self, hours: float) -> datetime:
        return self.end - timedelta(seconds=round(hours * 3600))


def build_world(seed: int, rng: random.Random, when: Optional[datetime] = None) -> World:
    """A healthy pair, named and configured by the seed; faults are applied to it afterwards."""
    names = rng.choice(_HOSTS)
    domain = rng.choice(_DOMAINS)
    net = f"10.{rng.randrange(0, 250)}.{rng.randrange(0, 250)}"
    first = rng.randrange(2, 200)
    end = when or datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc) + timedelta(
        days=rng.randrange(0, 30), seconds=rng.randrange(0, 86400))
    hosts = {}
    folder_style = rng.choice(("fqdn", "host", "host-lower"))
    dc = f"dc1.{domain}"
    for side, host, offset in zip(SIDES, names, (0, 1)):
        fqdn = f"{host.lower()}.{domain}"
        h = Host(side, host, fqdn, f"{net}.{first + offset}", rng.choice(_OS), rng.choice(_ZONES),
                 time_source=dc)
        h.folder = {"fqdn": fqdn, "host": host, "host-lower": host.lower()}[folder_style]
        h.clock_offset_s = round(rng.uniform(-0.02, 0.02), 7)
        h.firewall = [
            FirewallRule("Microsoft-Windows-DHCP-Failover-TCP-In", "DHCP Server Failover (TCP-In)", "Inbound"),
            FirewallRule("Microsoft-Windows-DHCP-Failover-TCP-Out", "DHCP Server Failover (TCP-Out)", "Outbound"),
        ]
        h.settings = {"IsDomainJoined": True, "IsAuthorized": True, "ConflictDetectionAttempts": 0}
        hosts[side] = h
    for side in SIDES:
        other = hosts["b" if side == "a" else "a"]
        hosts[side].dns[other.fqdn] = other.ip
    mode = rng.choice(("LoadBalance", "LoadBalance", "HotStandby"))
    scopes = sorted({f"10.{rng.randrange(1, 250)}.{n}.0" for n in rng.sample(range(1, 250), rng.choice((1, 2, 3)))},
                    key=lambda s: tuple(int(p) for p in s.split(".")))
    mclt_s = rng.choice((3600, 3600, 1800, 7200))
    auto = rng.random() < 0.3
    refer_by_ip = rng.random() < 0.5
    relationship = {
        "name": rng.choice((f"{names[0].lower()}-{names[1].lower()}", f"{hosts['a'].fqdn}-{hosts['b'].ip}",
                            "Failover-Site1")),
        "mode": mode,
        "mclt_s": mclt_s,
        "auto_transition": auto,
        "switch_s": rng.choice((3600, 1800)) if auto else None,
        "lb_percent": {"a": 50, "b": 50} if mode == "LoadBalance" else None,
        "reserve_percent": 5 if mode == "HotStandby" else None,
        "role": {"a": "Active", "b": "Standby"} if mode == "HotStandby" else None,
        "scopes": scopes,
        "auth": rng.random() < 0.6,
        "primary": "a",
        "partner_server": {s: (hosts[o].ip if refer_by_ip else hosts[o].fqdn)
                           for s, o in (("a", "b"), ("b", "a"))},
        "ips": {"a": hosts["a"].ip, "b": hosts["b"].ip},
    }
    for side in SIDES:
        hosts[side].relationship = _side_view(relationship, side)
        hosts[side].scopes = [_scope(scope, rng) for scope in scopes]
    return World(seed, rng, end - timedelta(days=3), end, hosts, relationship)


def _side_view(rel: dict, side: str) -> dict:
    """What Get-DhcpServerv4Failover on `side` shows, before any fault touches it."""
    return {
        "name": rel["name"], "partner_server": rel["partner_server"][side], "mode": rel["mode"],
        "role": rel["role"][side] if rel["role"] else None,
        "lb_percent": rel["lb_percent"][side] if rel["lb_percent"] else None,
        "reserve_percent": rel["reserve_percent"], "scopes": list(rel["scopes"]), "mclt_s": rel["mclt_s"],
        "auto_transition": rel["auto_transition"], "switch_s": rel["switch_s"], "auth": rel["auth"],
        "primary_ip": rel["ips"]["a"], "secondary_ip": rel["ips"]["b"],
        "server_type": "PrimaryServer" if side == rel["primary"] else "SecondaryServer",
        "primary_name": None, "secondary_name": None,
    }


def _scope(scope_id: str, rng: random.Random) -> dict:
    base = scope_id.rsplit(".", 1)[0]
    size = 200
    in_use = rng.randrange(10, 150)
    return {"ScopeId": scope_id, "Name": f"Clients {base}", "SubnetMask": "255.255.255.0",
            "StartRange": f"{base}.20", "EndRange": f"{base}.219", "LeaseDuration_s": 8 * 86400,
            "State": "Active", "size": size, "in_use": in_use, "options": {3: f"{base}.1", 6: "10.0.0.10"},
            "reservations": [], "exclusions": [(f"{base}.20", f"{base}.29")]}
