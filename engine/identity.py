"""Server identity: one id per server, however each output names it.

Windows names a partner by IP in one output (PartnerServer 10.0.0.1), by FQDN in another
(Test-NetConnection), by short name in a folder (DHCP-A). Rules join on server fields, so every
such name must become the same id before inference. Names are linked only by evidence that
states they are the same machine (a server's own computer.json, the relationship's
PrimaryServerName/IP pairs, the name in a connection test's file name and its ComputerName); DNS
answers (including the address Test-NetConnection resolved) are deliberately not used, since a
stale DNS record is itself one of the faults we look for.
"""
from __future__ import annotations

import functools
import ipaddress
from dataclasses import replace

from .catalog import FactCatalog
from .facts import Fact


class ServerIdentities:
    """Union-find over lower-cased names and addresses, with a preferred display name per server.

    Two safety rules keep distinct servers apart: a short name is joined to an FQDN only when no
    other FQDN in the bundle has the same first label (dhcp.site-a and dhcp.site-b stay two), and
    two collected server folders are never merged, whatever links claim (the conflict is recorded).
    """

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._folders: dict[str, set[str]] = {}      # root -> folder keys in that cluster
        self._fqdns: set[str] = set()
        self.conflicts: list[str] = []
        self._shown: dict[str, str] = {}             # root -> canonical id; cleared on every change

    def _find(self, key: str) -> str:
        self._parent.setdefault(key, key)
        root = key
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[key] != root:
            self._parent[key], key = root, self._parent[key]
        return root

    def link(self, *names: str | None) -> None:
        """Record that all `names` denote one machine (explicit evidence only)."""
        keys = [_key(n) for n in names if n and _key(n)]
        self._shown.clear()
        for key in keys:
            self._find(key)
            if _is_name(key) and "." in key:
                self._fqdns.add(key)
        for other in keys[1:]:
            self._union(keys[0], other)

    def add_folder(self, folder: str) -> None:
        key = _key(folder)
        self._shown.clear()
        root = self._find(key)
        self._folders.setdefault(root, set()).add(key)
        if "." in key and _is_name(key):
            self._fqdns.add(key)

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        self._shown.clear()
        fa, fb = self._folders.get(ra, set()), self._folders.get(rb, set())
        if fa and fb:
            self.conflicts.append(f"{a} and {b} are linked, but they belong to different server "
                                  f"folders ({', '.join(sorted(fa | fb))}); kept apart")
            return
        self._parent[rb] = ra
        if fb:
            self._folders[ra] = fa | self._folders.pop(rb)

    def join_short_names(self) -> None:
        """Join each short name with the one FQDN that has it as first label, if exactly one does."""
        by_label: dict[str, set[str]] = {}
        for fqdn in self._fqdns:
            by_label.setdefault(fqdn.split(".", 1)[0], set()).add(fqdn)
        for label, fqdns in sorted(by_label.items()):
            roots = {self._find(f) for f in fqdns}
            if len(roots) == 1:
                self._union(next(iter(sorted(fqdns))), label)

    def collected(self, name: str) -> bool:
        """True when `name` is linked to a server folder of the bundle."""
        key = _key(name)
        return bool(key) and key in self._parent and bool(self._folders.get(self._find(key)))

    def canonical(self, name: str) -> str:
        """The id of the server called `name` (itself, lower-cased, if nothing links it)."""
        key = _key(name)
        if not key:
            return name
        if key not in self._parent:
            return key
        root = self._find(key)
        shown = self._shown.get(root)
        if shown is None:  # asked for every server field of every fact: remembered until a change
            members = [k for k in self._parent if self._find(k) == root]
            shown = self._shown[root] = _preferred(members, self._folders.get(root, set()), self._fqdns)
        return shown


def _key(name: str) -> str:
    text = str(name).strip().strip("\\").lower()
    if text.endswith("."):
        text = text[:-1]
    return text


@functools.lru_cache(maxsize=4096)
def _is_name(key: str) -> bool:
    try:
        ipaddress.ip_address(key)
        return False
    except ValueError:
        return True


def _preferred(members: list[str], folders: set[str], fqdns: set[str]) -> str:
    """FQDN first (what -ComputerName needs), then the folder name, a short name, an address."""
    def rank(key: str) -> tuple:
        if key in fqdns:
            return (0, key)
        if key in folders:
            return (1, key)
        if _is_name(key):
            return (2, key)
        return (3, key)
    return min(members, key=rank)


def build_identities(facts: list[Fact], folders: list[str]) -> ServerIdentities:
    ids = ServerIdentities()
    for folder in folders:
        ids.add_folder(folder)
    for fact in facts:
        f = fact.fields
        if fact.kind == "server":
            ids.link(f.get("server"), f.get("hostname"), f.get("fqdn"),
                     *(f.get("ips") or "").split(","))
        elif fact.kind == "relationship":
            ids.link(f.get("primary_name"), f.get("primary_ip"))
            ids.link(f.get("secondary_name"), f.get("secondary_ip"))
            own = {"PrimaryServer": ("primary_name", "primary_ip"),
                   "SecondaryServer": ("secondary_name", "secondary_ip")}.get(f.get("server_type", ""))
            if own:
                ids.link(f.get("server"), *(f.get(k) for k in own))
        elif fact.kind == "tcp_probe":
            # not remote_address: that is a DNS answer, and a stale record is a fault to find
            ids.link(f.get("target"), f.get("target_address"))
    ids.join_short_names()
    _link_relationship_ends(ids, [f for f in facts if f.kind == "relationship"])
    return ids


def _link_relationship_ends(ids: ServerIdentities, relationships: list[Fact]) -> None:
    """A relationship is one object held by two servers under one name: when X's copy names Y as
    its partner and Y's copy names a partner that is no collected server, that partner is what
    the relationship calls X: an address X had when the relationship was created, or the name
    of the cluster node X's role ran on then. Without this a re-addressed or clustered server
    could not be recognised as the partner it is, and what is wrong with the stored name or
    address (partner_ip_changed, cluster_node_naming) could not be found."""
    holders: dict[str, list[Fact]] = {}
    for rel in relationships:
        if rel.get("name") and rel.get("server"):
            holders.setdefault(str(rel["name"]).lower(), []).append(rel)
    for copies in holders.values():
        if len(copies) != 2:
            continue
        for mine, theirs in (copies, copies[::-1]):
            me, them = mine["server"], theirs["server"]
            names_them = mine.get("partner") and ids.canonical(mine["partner"]) == ids.canonical(them)
            stray = theirs.get("partner")
            if names_them and stray and not ids.collected(stray) and ids.canonical(me) != ids.canonical(them):
                ids.link(me, stray)


def resolve_servers(facts: list[Fact], catalog: FactCatalog, ids: ServerIdentities) -> list[Fact]:
    """Return the facts with every server-typed field replaced by the server's id."""
    resolved = []
    cache: dict[str, str] = {}
    for fact in facts:
        server_fields = catalog.server_fields(fact.kind) if fact.kind in catalog.kinds else ()
        changes = {}
        for name in server_fields:
            value = fact.fields.get(name)
            if isinstance(value, str):
                if value not in cache:
                    cache[value] = ids.canonical(value)
                if cache[value] != value:
                    changes[name] = cache[value]
        resolved.append(replace(fact, fields={**fact.fields, **changes}) if changes else fact)
    return resolved
