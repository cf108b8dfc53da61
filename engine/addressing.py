"""The addresses and names a relationship stores, checked against what the servers are now.

A failover relationship records both partners' names and IPv4 addresses when it is created and
never follows a change: a partner that was re-addressed keeps being called at its old address
(RC6), a relationship created against one node of a failover cluster keeps naming that node
after the DHCP role moves (RC15), and a stale or missing DNS record for the partner breaks the
management calls and replication that go by name (RC7). This module derives the facts those
rules need from the relationship records, the servers' own addresses (ipaddresses, else
computer.json), their DHCP bindings and Resolve-DnsName answers:

* `address_check`: one per relationship record and side, the stored name/IP against the
  server's current addresses and the name it was collected under;
* `partner_lookup`: one per Resolve-DnsName of a partner (and per Test-NetConnection to it by
  name, which resolves the name too), whether the answer is the partner.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from .facts import Fact
from .parsers.base import join_addresses

_ROLES = {"PrimaryServer": ("primary", "secondary"), "SecondaryServer": ("secondary", "primary")}


def derive_address_facts(facts: list[Fact], folders: dict[str, str]) -> list[Fact]:
    """`folders` maps each server id to the bundle folder it was collected in."""
    current = _current_addresses(facts)
    hosts = {f["server"]: f for f in facts if f.kind == "server"}
    bindings: dict[tuple[str, str], Fact] = {}
    for fact in facts:
        if fact.kind == "dhcp_binding" and fact.get("address"):
            bindings.setdefault((fact["server"], fact["address"]), fact)
    derived = []
    for rel in (f for f in facts if f.kind == "relationship"):
        roles = _roles(rel, current)
        if not rel.get("partner"):
            continue
        if roles is None:
            # the default view (Format-List/Table) shows no PrimaryServerIP/SecondaryServerIP; the
            # PartnerServer is still the address or name this side calls its partner by
            if rel.get("partner_address"):
                check = _address_check(rel, rel["partner"], rel["server"], "partner", current, hosts, folders,
                                       bindings)
                if check is not None:
                    derived.append(check)
            continue
        for subject, other, role in ((rel["server"], rel["partner"], roles[0]),
                                     (rel["partner"], rel["server"], roles[1])):
            check = _address_check(rel, subject, other, role, current, hosts, folders, bindings)
            if check is not None:
                derived.append(check)
    for lookup in (f for f in facts if f.kind == "name_resolution"):
        derived += _lookup(lookup["server"], lookup.get("target"), lookup["query"], lookup["ok"],
                           lookup.get("addresses"), "Resolve-DnsName", lookup.source, current)
    for probe in (f for f in facts if f.kind == "tcp_probe"):
        # Test-NetConnection by name resolves the name first: the address it tried is a second,
        # independent DNS answer. A probe by address, or one that printed no address, says nothing.
        name, tried = probe.get("target_address"), probe.get("remote_address")
        if name and tried and not _is_ip(name) and _is_ip(tried):
            derived += _lookup(probe["source"], probe["target"], name, True, tried, "Test-NetConnection",
                               probe.source, current)
    return derived


def _lookup(server: str, partner: str | None, query: str, ok: bool, answer: str | None, via: str,
            source, current: dict) -> list[Fact]:
    """A `partner_lookup` when the name belongs to a partner whose current addresses are known."""
    if partner not in current or partner == server:
        return []
    addresses = set((answer or "").split(",")) - {""}
    fields = {"server": server, "partner": partner, "query": query, "ok": ok, "via": via,
              "partner_ips": join_addresses(current[partner][0]),
              "points_to_partner": bool(addresses & current[partner][0])}
    if answer:
        fields["addresses"] = answer
    return [Fact("partner_lookup", fields, source, (current[partner][1],))]


def _current_addresses(facts: Iterable[Fact]) -> dict[str, tuple[set[str], object]]:
    """server id -> (its usable IPv4 addresses, the source they came from).

    Get-NetIPAddress is preferred (it is what the server has now, loopback and link-local left
    out); computer.json's list is the fallback.
    """
    from_ip: dict[str, tuple[set[str], object]] = {}
    from_computer: dict[str, tuple[set[str], object]] = {}
    for fact in facts:
        if fact.kind == "ip_address" and _usable(fact["address"]) and fact.get("address_state") in (None, "Preferred"):
            entry = from_ip.setdefault(fact["server"], (set(), fact.source))
            entry[0].add(fact["address"])
        elif fact.kind == "server" and fact.get("ips"):
            ips = {ip for ip in fact["ips"].split(",") if _usable(ip)}
            if ips:
                from_computer[fact["server"]] = (ips, fact.source)
    return {**from_computer, **from_ip}


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local)


def _roles(rel: Fact, current: dict) -> tuple[str, str] | None:
    """(this server's role, the partner's role) as primary/secondary, from ServerType, else from
    which stored address this server holds now."""
    if rel.get("server_type") in _ROLES:
        return _ROLES[rel["server_type"]]
    mine = current.get(rel["server"], (set(), None))[0]
    if rel.get("primary_ip") in mine and rel.get("secondary_ip") not in mine:
        return ("primary", "secondary")
    if rel.get("secondary_ip") in mine and rel.get("primary_ip") not in mine:
        return ("secondary", "primary")
    return None


def _address_check(rel: Fact, subject: str, other: str, role: str, current: dict, hosts: dict,
                   folders: dict[str, str], bindings: dict) -> Fact | None:
    if role == "partner":  # PartnerServer only: an address, or a name with no address beside it
        stored_ip = rel["partner_address"] if _is_ip(rel.get("partner_address")) else None
    else:
        stored_ip = rel.get(f"{role}_ip")
    if not (stored_ip or role == "partner") or subject not in current:
        return None
    stored_name = rel.get(f"{role}_name")
    if stored_name is None and subject == rel.get("partner") and not _is_ip(rel.get("partner_address")):
        stored_name = rel.get("partner_address")
    addresses, addresses_source = current[subject]
    host = hosts.get(subject)
    host_name = host.get("hostname") if host else None
    collected_as = folders.get(subject)
    # Collected under a name that is not the machine's own: a clustered DHCP role (or an alias).
    virtual = bool(host_name and collected_as and _label(collected_as) != _label(host_name))
    fields = {"relationship": rel["name"], "server": subject, "partner": other, "reported_by": rel["server"],
              "current_ips": join_addresses(addresses),
              "node_named": bool(virtual and stored_name and not _is_ip(stored_name)
                                 and _label(stored_name) != _label(collected_as))}
    if stored_ip:  # a record that stores only a name says nothing about addresses
        fields.update(stored_ip=stored_ip, ip_current=stored_ip in addresses)
    for name, value in (("stored_name", stored_name), ("host_name", host_name), ("collected_as", collected_as)):
        if value:
            fields[name] = value
    binding = bindings.get((subject, stored_ip)) if stored_ip else None
    if binding is not None:
        fields["bound"] = binding["bound"]
    extra = tuple(s for s in (addresses_source, binding.source if binding else None) if s is not None)
    return Fact("address_check", fields, rel.source, extra)


def _label(name: str) -> str:
    return name.strip().lower().split(".", 1)[0]


def _is_ip(text: str | None) -> bool:
    try:
        ipaddress.ip_address((text or "").strip())
    except ValueError:
        return False
    return True
