"""Recognise artifacts by content and work out which server each came from.

What a customer sends is often a folder of files named anything (`server1_fo.txt`,
`Export.evtx`), one server's or two, without a manifest. The file name then says nothing, but
the content does: every output fodoc reads has properties or lines that only it prints
(`TcpTestSucceeded`, `MaxClientLeadTime`, `Leap Indicator:`, the `ElfFile` signature), and
most name the machine they came from (computer.json's ComputerName and FQDN, MachineName of a
Get-WinEvent record, <Computer> of an event, PSComputerName of a remote call, the server's own
name in Get-DhcpServerv4Failover, the SourceAddress of Test-NetConnection).

`place_files` gathers those names into one cluster per server (names joined by computer.json
and by a short name being the first label of exactly one FQDN), then places each file: by the
names it carries; else, for outputs that name the partner (Test-NetConnection, stripchart,
Resolve-DnsName, Get-DhcpServerv4Failover's PartnerServer, by name or address), on the other
server of a two-server folder; else on the only server there is; else by a server name in its
file name. A file is never placed on the partner it is about: when that is the only choice, or
its names contradict each other, it is reported as not placed, with why, rather than guessed.
"""
from __future__ import annotations

import codecs
import io
import json
import re
from dataclasses import dataclass, field
from typing import Iterable, Optional

from .parsers.eventcsv import looks_like_event_csv
from .parsers.evtxread import SIGNATURE as EVTX_SIGNATURE
from .parsers.logs import canonical_log
from .errors import unexpected
from .textio import normalise_newlines

HEAD_BYTES = 1 << 16  # how much of a text file is looked at to recognise it
SNIFF_BYTES = 4096 + 65536  # what sniff needs at most: an .evtx file header and its first chunk
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass
class Sniffed:
    """What the content of one file says it is, and the names of the machine it came from."""

    family: str
    fmt: str
    reason: str                                  # what gave it away, for `fodoc inspect`
    names: list[str] = field(default_factory=list)
    target: Optional[str] = None                 # the partner the output is about
    target_aliases: list[str] = field(default_factory=list)  # other names of that partner (its address)
    port: Optional[int] = None
    log: Optional[str] = None
    linked: list[list[str]] = field(default_factory=list)  # names stated to be one machine


@dataclass(frozen=True)
class Placement:
    """Where a loose file goes: as which artifact, on which server, and how that was decided."""

    path: str
    sniffed: Optional[Sniffed]
    server: Optional[str]
    how: str                                     # "by content: ...", or why it could not be placed
    failed: bool = False                         # sniffing the file raised: `how` is the problem line

    def recognised(self) -> Optional[dict]:
        """The file in the shape parsers.recognise gives, or None when it was not placed."""
        if self.sniffed is None or self.server is None:
            return None
        s = self.sniffed
        return {"server": self.server, "family": s.family, "fmt": s.fmt, "target": s.target, "port": s.port,
                "log": s.log}


def head_text(data: bytes) -> str:
    """The start of a file as text, whatever Windows encoding it is in (undecodable bytes dropped),
    with \r\n and a lone \r read as \n as `textio.decode` reads the whole file (a line ending
    in a lone carriage return must not reach the line-based checks, the csv module among them)."""
    return normalise_newlines(_head_text(data))


def _head_text(data: bytes) -> str:
    head = data[:HEAD_BYTES]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore")
    sample = head[:200]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 2 * 0.8:
        return head.decode("utf-16-le", errors="ignore")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut in two by the head
            return head[:exc.start].decode("utf-8", errors="ignore")
        return head.decode("cp850", errors="ignore")


# --- Recognising one file -------------------------------------------------------------------

def _value(text: str, name: str) -> Optional[str]:
    """The first string (or integer: Windows PowerShell writes enums as numbers) value of JSON
    property `name`."""
    match = re.search(r'"' + name + r'"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+)\b)', text, re.IGNORECASE)
    if match is None:
        return None
    return (match[1] if match[1] is not None else match[2]).strip() or None


def _listed(text: str, name: str) -> Optional[str]:
    """The value of a Format-List line `Name : value`."""
    match = re.search(r"^" + name + r"\s*:[ \t]*(\S.*?)\s*$", text, re.IGNORECASE | re.MULTILINE)
    return match[1] if match else None


def _has(text: str, *names: str) -> bool:
    return all(re.search(r'(^|["\s])' + re.escape(n) + r'("?\s*:)', text, re.IGNORECASE | re.MULTILINE)
               for n in names)


_W32TM_STATUS = re.compile(r"^\s*(Leap Indicator|Sprungindikator|Indicateur de dérive)\s*:", re.I | re.M)
_STRIPCHART_SAMPLE = re.compile(r"^\s*\d{1,2}:\d{2}:\d{2}\s*,?\s*(?:[+-]\d+[.,]\d+s|error)", re.I | re.M)
_TRACKING = re.compile(r"^\s*(?:Tracking|Verfolgung von)\s+(\S+?)\.?\s*(?:\[([^\]]*?)(?::\d+)?\]|$)",
                       re.I | re.M)
_FAILOVER_TABLE = re.compile(r"^\s*Name\s+PartnerServer\s+.*\bState\b", re.M)
_SERVICE_TABLE = re.compile(r"^\s*Status\s+Name\s+DisplayName\s*$", re.M)
_DNS_TABLE = re.compile(r"^\s*Name\s+Type\s+TTL\s+Section\s+", re.M)
_COMPUTER_XML = re.compile(r"<Computer>\s*([^<\s]+)\s*</Computer>")
_CHANNEL_XML = re.compile(r"<Channel>\s*([^<]+?)\s*</Channel>")
_EVTX_COMPUTER = re.compile(r'"Computer":"((?:[^"\\]|\\.)*)"')
_EVTX_CHANNEL = re.compile(r'"Channel":"((?:[^"\\]|\\.)*)"')


def sniff(data: bytes) -> Optional[Sniffed]:
    """What the content of a file is, or None when it is no artifact fodoc knows."""
    if data.startswith(EVTX_SIGNATURE):
        return _sniff_evtx(data)
    text = head_text(data).lstrip("\ufeff")
    body = text.lstrip()
    if not body:
        return None
    if body.startswith(("[", "{")):
        return _sniff_json(body)
    if body.startswith("<"):
        if re.search(r"<Event[\s>]", body[:4096]):
            computer, channel = _COMPUTER_XML.search(body), _CHANNEL_XML.search(body)
            return Sniffed("events", "xml", "event XML (<Event> elements)", _names(computer and computer[1]),
                           log=canonical_log(channel[1]) if channel else None)
        return None
    if looks_like_event_csv(body.split("\n", 1)[0]):
        return Sniffed("events", "csv", "Event Viewer CSV header")
    return _sniff_text(body)


def _sniff_evtx(data: bytes) -> Sniffed:
    found = Sniffed("events", "evtx", "'ElfFile' signature of an .evtx log")
    try:
        from evtx import PyEvtxParser

        first = next(iter(PyEvtxParser(io.BytesIO(data[:4096 + 65536]), number_of_threads=1).records_json()), None)
    except (RuntimeError, OSError, StopIteration):
        first = None
    if first is not None:
        computer, channel = _EVTX_COMPUTER.search(first["data"]), _EVTX_CHANNEL.search(first["data"])
        found.names = _names(computer and computer[1])
        found.log = canonical_log(channel[1]) if channel else None
    return found


def _sniff_json(text: str) -> Optional[Sniffed]:
    remote = _names(_value(text, "PSComputerName"))
    if _has(text, "TimeCreated") and (_has(text, "ProviderName") or _has(text, "LogName")):
        log = _value(text, "LogName")
        return Sniffed("events", "json", "Get-WinEvent records (TimeCreated, ProviderName)",
                       _names(_value(text, "MachineName")), log=canonical_log(log) if log else None)
    if _has(text, "TcpTestSucceeded"):
        port = re.search(r'"RemotePort"\s*:\s*(\d+)', text)
        return Sniffed("tnc", "json", "Test-NetConnection result (TcpTestSucceeded)",
                       remote + _names(_source_address(text)),
                       target=_value(text, "ComputerName"), target_aliases=_names(_remote_address(text)),
                       port=int(port[1]) if port else None)
    if _has(text, "PartnerServer", "MaxClientLeadTime"):
        return _failover(text, _value, "json", remote)
    if _has(text, "CollectedAtUtc") or _has(text, "IPv4Addresses"):
        names = _computer_names(text)
        return Sniffed("computer", "json", "computer.json (ComputerName, IPv4Addresses)", names, linked=[names])
    if _has(text, "ServiceName") and _has(text, "Status"):
        machine = _value(text, "MachineName")
        return Sniffed("services", "json", "Get-Service records (ServiceName, Status)",
                       remote + _names(machine if machine != "." else None))
    if re.search(r"Microsoft-Windows-DHCP-Failover", text) and _has(text, "Direction"):
        return Sniffed("firewall", "json", "DHCP failover firewall rules (Get-NetFirewallRule)", remote)
    if _has(text, "QueryType") or (_has(text, "Section") and _has(text, "IP4Address")):
        return Sniffed("dns", "json", "Resolve-DnsName answers", remote, target=_value(text, "Name"))
    return _configuration(text, "json", remote)


# The configuration outputs, recognised the same way in ConvertTo-Json and Format-List text by
# the properties only that cmdlet prints (order matters: scope statistics also carry ScopeId,
# exclusions share StartRange/EndRange with scopes, scope options add ScopeId to option rows).
_CONFIGURATION = (
    ("scope-stats", ("ScopeId", "PercentageInUse"), "Get-DhcpServerv4ScopeStatistics (PercentageInUse)"),
    ("scopes", ("ScopeId", "SubnetMask", "StartRange", "LeaseDuration"),
     "Get-DhcpServerv4Scope (ScopeId, SubnetMask, LeaseDuration)"),
    ("reservations", ("ScopeId", "IPAddress", "ClientId"), "Get-DhcpServerv4Reservation (ClientId)"),
    ("exclusions", ("ScopeId", "StartRange", "EndRange"), "Get-DhcpServerv4ExclusionRange (StartRange, EndRange)"),
    ("options-scope", ("OptionId", "Value", "ScopeId"), "Get-DhcpServerv4OptionValue rows with ScopeId"),
    ("options-server", ("OptionId", "Value"), "Get-DhcpServerv4OptionValue rows (server level)"),
    ("dhcp-settings", ("IsAuthorized", "IsDomainJoined"), "Get-DhcpServerSetting (IsAuthorized)"),
    ("bindings", ("BindingState", "InterfaceAlias"), "Get-DhcpServerv4Binding (BindingState)"),
    ("ipaddresses", ("IPAddress", "PrefixLength", "InterfaceAlias"), "Get-NetIPAddress (PrefixLength)"),
)


def _configuration(text: str, fmt: str, remote: list[str]) -> Optional[Sniffed]:
    for family, properties, why in _CONFIGURATION:
        if _has(text, *properties):
            return Sniffed(family, fmt, why, remote)
    return None


def _source_address(text: str) -> Optional[str]:
    """Test-NetConnection's SourceAddress: an object in JSON, whose IPAddress is this server's."""
    match = re.search(r'"SourceAddress"\s*:\s*(?:"([^"]+)"|\{[^}]*?"IPAddress"\s*:\s*"([^"]+)")', text)
    return (match[1] or match[2]) if match else None


def _remote_address(text: str) -> Optional[str]:
    """Test-NetConnection's RemoteAddress: the partner's address (a string, or an object with
    IPAddressToString)."""
    match = re.search(r'"RemoteAddress"\s*:\s*(?:"([^"]+)"|\{[^}]*?"IPAddressToString"\s*:\s*"([^"]+)")', text)
    return (match[1] or match[2]) if match else None


def _computer_names(text: str) -> list[str]:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        doc = {}
    if isinstance(doc, list) and doc:
        doc = doc[0]
    if not isinstance(doc, dict):
        return []
    lowered = {str(k).lower(): v for k, v in doc.items()}
    addresses = lowered.get("ipv4addresses") or []
    return _names(lowered.get("fqdn"), lowered.get("computername"),
                  *(addresses if isinstance(addresses, list) else [addresses]))


def _failover(text: str, read, fmt: str, remote: list[str]) -> Sniffed:
    """Get-DhcpServerv4Failover names this server as the Primary or Secondary of ServerType, and
    always names its partner (PartnerServer, a name or an address): in a two-server folder an
    output that names only the partner is the other server's."""
    partners = {p.lower().rstrip(".") for p in re.findall(
        r'"PartnerServer"\s*:\s*"([^"]+)"' if fmt == "json" else r"^PartnerServer\s*:[ \t]*(\S+)\s*$",
        text, re.IGNORECASE | re.MULTILINE)}
    partner = read(text, "PartnerServer") if len(partners) == 1 else None  # several partners: none is "the" one
    own = []
    kind = read(text, "ServerType")
    if kind and kind.lower().startswith(("primary", "secondary")) or kind in ("0", "1"):
        prefix = "Primary" if kind.lower().startswith("primary") or kind == "0" else "Secondary"
        own = _names(read(text, f"{prefix}ServerName"), read(text, f"{prefix}ServerIP"))
    return Sniffed("failover", fmt, "Get-DhcpServerv4Failover output (PartnerServer, MaxClientLeadTime)",
                   remote + own, target=partner, linked=[own] if own else [])


def _sniff_text(text: str) -> Optional[Sniffed]:
    remote = _names(_listed(text, "PSComputerName"))
    if _W32TM_STATUS.search(text):
        return Sniffed("w32tm-status", "txt", "w32tm /query /status labels")
    if _STRIPCHART_SAMPLE.search(text) or _TRACKING.search(text):
        tracking = _TRACKING.search(text)
        return Sniffed("w32tm-stripchart", "txt", "w32tm /stripchart samples",
                       target=tracking[1] if tracking else None,
                       target_aliases=_names(tracking[2]) if tracking else [])
    if _listed(text, "TcpTestSucceeded") is not None:
        port = _listed(text, "RemotePort")
        return Sniffed("tnc", "txt", "Test-NetConnection output (TcpTestSucceeded)",
                       remote + _names(_listed(text, "SourceAddress")), target=_listed(text, "ComputerName"),
                       target_aliases=_names(_listed(text, "RemoteAddress")),
                       port=int(port) if port and port.isdigit() else None)
    if _listed(text, "PartnerServer") is not None and _listed(text, "MaxClientLeadTime") is not None:
        return _failover(text, _listed, "txt", remote)
    if _FAILOVER_TABLE.search(text):
        return Sniffed("failover", "txt", "Get-DhcpServerv4Failover table (Name PartnerServer ... State)", remote)
    if _SERVICE_TABLE.search(text) or (_listed(text, "ServiceName") and _listed(text, "Status")):
        return Sniffed("services", "txt", "Get-Service output (Status Name DisplayName)", remote)
    if "Microsoft-Windows-DHCP-Failover" in text and _listed(text, "Direction") is not None:
        return Sniffed("firewall", "txt", "DHCP failover firewall rules (Get-NetFirewallRule)", remote)
    if _DNS_TABLE.search(text):
        first = re.search(r"^-+.*\n\s*(\S+)", text, re.M)
        return Sniffed("dns", "txt", "Resolve-DnsName table (Name Type TTL Section)", remote,
                       target=first[1] if first else None)
    return _configuration(text, "txt", remote)


def _names(*values: Optional[str]) -> list[str]:
    return [v.strip() for v in values if isinstance(v, str) and v.strip() and v.strip() not in (".", "localhost")]


# --- Placing files on servers ---------------------------------------------------------------

class _Clusters:
    """Names of the same machine joined together (union-find over lower-case names)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.spelling: dict[str, str] = {}  # key -> the name as first seen

    def find(self, name: str) -> str:
        key = name.lower().rstrip(".")
        self.spelling.setdefault(key, name.rstrip("."))
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def link(self, names: Iterable[str]) -> None:
        roots = [self.find(n) for n in names]
        for root in roots[1:]:
            self.parent[self.find(root)] = self.find(roots[0])

    def join_short_names(self) -> None:
        fqdns = [k for k in self.parent if "." in k and not k.replace(".", "").isdigit()]
        for short in [k for k in self.parent if "." not in k]:
            matches = {self.find(f) for f in fqdns if f.split(".", 1)[0] == short}
            if len(matches) == 1:
                self.link([short, next(iter(matches))])

    def servers(self) -> dict[str, str]:
        """Cluster root -> display name (an FQDN if the cluster has one, else a host name)."""
        members: dict[str, list[str]] = {}
        for key in self.parent:
            members.setdefault(self.find(key), []).append(key)

        def rank(key: str) -> tuple:
            is_ip = key.replace(".", "").isdigit()
            return (is_ip, "." not in key, key)
        return {root: self.spelling[min(keys, key=rank)] for root, keys in members.items()}


def place_files(files: dict[str, bytes], folders: Iterable[str] = ()) -> list[Placement]:
    """Recognise each file by content and place it on a server (see the module docstring).

    `folders` are the bundle's server folders: servers already, whose folder name is kept as the
    server's name so that a loose file about the same machine lands in that folder's server.
    """
    sniffed: dict[str, Optional[Sniffed]] = {}
    failed: dict[str, str] = {}
    for path, data in files.items():
        try:
            sniffed[path] = sniff(data)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one file never ends the run
            sniffed[path] = None
            failed[path] = unexpected(exc, "recognised by content")
    clusters = _Clusters()
    folders = list(folders)
    for folder in folders:
        clusters.find(folder)
    for found in sniffed.values():
        if found is None:
            continue
        for group in found.linked:
            clusters.link(group)
        for name in found.names:
            clusters.find(name)
    clusters.join_short_names()
    display = clusters.servers()
    for folder in folders:
        display[clusters.find(folder)] = folder
    # A server is a folder, or a cluster named by a machine's own output (not one only ever seen
    # as a target).
    servers = sorted({display[clusters.find(n)] for f in sniffed.values() if f for n in f.names}
                     | set(folders))
    placements = []
    for path, found in sorted(sniffed.items()):
        if path in failed:
            placements.append(Placement(path, None, None, failed[path], failed=True))
            continue
        if found is None:
            placements.append(Placement(path, None, None, "its content is no artifact fodoc knows"))
            continue
        placements.append(_place(path, found, clusters, display, servers))
    return placements


def _place(path: str, found: Sniffed, clusters: _Clusters, display: dict[str, str],
           servers: list[str]) -> Placement:
    """Place one file; never on the server it is about (the partner it tests, tracks or names as
    PartnerServer): an output that names the machine it tests cannot have been taken there, so
    when the only server left to choose would be that one, the file is not placed."""
    what = f"recognised by content ({found.reason})"
    own = sorted({display[clusters.find(n)] for n in found.names if clusters.find(n) in display})
    targets = _target_servers(found, clusters, display, servers)
    if len(targets) > 1 and not own:
        return Placement(path, found, None, f"{what}; not placed: it names its partner by names of two servers "
                                            f"({', '.join(targets)}); put it in a folder named after its server")
    target = targets[0] if len(targets) == 1 else None
    if len(own) == 1 and own[0] == target:
        return Placement(path, found, None, f"{what}; not placed: it names {target} both as its own server and "
                                            "as the partner it is about")
    if len(own) == 1:
        return Placement(path, found, own[0], f"{what}; on {own[0]}, which its content names")
    if len(own) > 1:
        return Placement(path, found, None, f"{what}; not placed: it names several servers ({', '.join(own)})")
    if target is not None and len(servers) == 2:
        other = servers[0] if servers[1] == target else servers[1]
        why = f"its PartnerServer is {target}" if found.family == "failover" else f"it tests the partner {target}"
        return Placement(path, found, other, f"{what}; on {other}, as {why}")
    if target is not None and servers == [target]:
        return Placement(path, found, None, f"{what}; not placed: it is about {target}, so it comes from "
                                            f"{target}'s partner, which no file in the folder names; put it in "
                                            "a folder named after its server")
    if len(servers) == 1:
        return Placement(path, found, servers[0], f"{what}; on {servers[0]}, the only server in the folder")
    named = [s for s in servers if s != target and not _same_host(s, found.target)
             and re.search(r"(^|[^a-z0-9])" + re.escape(s.split(".", 1)[0].lower()) + r"([^a-z0-9]|$)",
                           path.lower())]
    if len(named) == 1:
        return Placement(path, found, named[0], f"{what}; on {named[0]}, named in the file name")
    why = "its content names no server" + (f" and {len(servers)} servers are in the folder" if servers else
                                           " and no file names one")
    return Placement(path, found, None, f"{what}; not placed: {why}; put it in a folder named after its server")


def _target_servers(found: Sniffed, clusters: _Clusters, display: dict[str, str],
                    servers: list[str]) -> list[str]:
    """The servers of the folder that the output is about, by the partner's name or address (a
    short name counts when it is the first label of exactly one server's name); more than one
    when its names disagree."""
    candidates = set()
    for name in filter(None, [found.target, *found.target_aliases]):
        key = name.lower().rstrip(".")
        if key in clusters.parent and clusters.find(key) in display:
            candidates.add(display[clusters.find(key)])
        elif "." not in key:
            short = [s for s in servers if _same_host(s, key)]
            candidates.update(short if len(short) == 1 else [])
    return sorted(candidates & set(servers))


def _same_host(server: str, name: Optional[str]) -> bool:
    """Whether `name` (a host name or FQDN) names `server` by its first label."""
    return bool(name) and server.split(".", 1)[0].lower() == name.split(".", 1)[0].lower().rstrip(".") \
        and not name.replace(".", "").isdigit()
