"""The outputs of one simulated server, one function per bundle artifact (docs/bundle-format.md).

Each returns an Output: the records the Windows command returns (typed, so every form prints
them its own way) or, for commands that only print text (w32tm), the text itself. Values come
from the model and the state machine's trace at collection time, as seen from this server:
its own clock, its own view of the relationship, its own path to the partner.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Optional

from ..model import Host, World
from ..statemachine import owns_whole_pool
from .psvalues import DateTime, Enum, IPAddress, TimeSpan

_SERVICE_STATUS = {"Running": 4, "Stopped": 1}


@dataclass
class Output:
    stem: str                     # file name without the extension
    family: str
    records: list[dict] = field(default_factory=list)
    text: Optional[str] = None    # commands that print text only (w32tm)
    forms: tuple[str, ...] = ("json", "list")   # json | list | table | cim-table | text
    table_widths: Optional[dict[str, int]] = None
    table_columns: Optional[tuple[str, ...]] = None
    prefix: str = ""              # warnings PowerShell prints before the records
    cim_class: Optional[str] = None


def local(world: World, host: Host, when) -> DateTime:
    """A time as this server's clock shows it (true time plus its offset), in its time zone."""
    return DateTime(when + timedelta(seconds=host.clock_offset_s), host.zone[1])


def running(world: World, side: str) -> bool:
    return world.hosts[side].reachable and world.trace.final[side] is not None


def computer(world: World, host: Host) -> Output:
    collected = world.end + timedelta(seconds=host.clock_offset_s)
    return Output("computer", "computer", [{
        # on a clustered role the collector reaches the owning node, which reports its own name
        "ComputerName": host.node or host.hostname, "Domain": host.fqdn.split(".", 1)[1],
        "FQDN": f"{host.node.lower()}.{host.fqdn.split('.', 1)[1]}" if host.node else host.fqdn,
        "IPv4Addresses": [host.ip] + host.extra_ips, "OSCaption": host.os[0], "OSBuild": host.os[1],
        "TimeZone": host.zone[0], "UtcOffsetMinutes": host.zone[1],
        "CollectedAtUtc": collected.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }], forms=("json",))


def failover(world: World, host: Host) -> Output:
    rel = host.relationship
    records = []
    if rel is not None:
        state = world.trace.final[host.side]
        records.append({
            "Name": rel["name"], "PartnerServer": rel["partner_server"], "Mode": rel["mode"],
            "LoadBalancePercent": rel["lb_percent"], "ServerRole": rel["role"],
            "ReservePercent": rel["reserve_percent"], "MaxClientLeadTime": TimeSpan(rel["mclt_s"]),
            "StateSwitchInterval": TimeSpan(rel["switch_s"]) if rel["switch_s"] else None,
            "State": state, "ScopeId": list(rel["scopes"]), "AutoStateTransition": rel["auto_transition"],
            "EnableAuth": rel["auth"], "PrimaryServerIP": rel["primary_ip"],
            "SecondaryServerIP": rel["secondary_ip"], "PrimaryServerName": rel["primary_name"],
            "SecondaryServerName": rel["secondary_name"], "ServerType": rel["server_type"],
        })
    return Output("failover", "failover", records, cim_class="DhcpServerv4Failover",
                  forms=("json", "list", "cim-table"), table_columns=('Name', 'PartnerServer', 'Mode', 'State', 'ScopeId'))


def failover_list_view(record: dict) -> dict:
    """The default Format-List view: 12 properties in this order [S10] (no IPs, no ServerType)."""
    keys = ("Name", "PartnerServer", "Mode", "LoadBalancePercent", "ServerRole", "ReservePercent",
            "MaxClientLeadTime", "StateSwitchInterval", "State", "ScopeId", "AutoStateTransition", "EnableAuth")
    return {k: record[k] for k in keys}


def services(world: World, host: Host) -> Output:
    dhcp = "Running" if running(world, host.side) else "Stopped"
    w32 = "Running"
    records = []
    for name, display, status in (("DHCPServer", "DHCP Server", dhcp), ("W32Time", "Windows Time", w32)):
        records.append({"Status": Enum(status, _SERVICE_STATUS[status]), "Name": name, "DisplayName": display,
                        "ServiceName": name, "StartType": Enum("Automatic", 2), "CanStop": status == "Running",
                        "MachineName": "."})
    return Output("services", "services", records, forms=("json", "table", "list"),
                  table_columns=("Status", "Name", "DisplayName"), table_widths={"Status": 9, "Name": 19})


def services_list_view(record: dict) -> dict:
    """Get-Service | Format-List: the properties of the default list view, in its order."""
    name = record["Name"]
    return {"Name": name, "DisplayName": record["DisplayName"], "Status": record["Status"],
            "DependentServices": [], "ServicesDependedOn": ["RpcSs", "Tcpip", "SamSs", "EventLog", "Afd"]
            if name == "DHCPServer" else [], "CanPauseAndContinue": name == "DHCPServer",
            "CanShutdown": True, "CanStop": record["CanStop"], "ServiceType": "Win32ShareProcess"}


def firewall(world: World, host: Host) -> Output:
    records = []
    for rule in host.firewall:
        records.append({
            "Name": rule.name, "DisplayName": rule.display_name,
            "Description": f"An {'inbound' if rule.direction == 'Inbound' else 'outbound'} rule to allow DHCP "
                           "failover messages. [TCP 647]",
            "DisplayGroup": "DHCP Server Management", "Group": "@%SystemRoot%\\system32\\dhcpssvc.dll,-50029",
            "Enabled": Enum("True" if rule.enabled else "False", 1 if rule.enabled else 2),
            "Profile": Enum("Any", 0), "Platform": [],
            "Direction": Enum(rule.direction, 1 if rule.direction == "Inbound" else 2),
            "Action": Enum(rule.action, {"Allow": 2, "Block": 4}[rule.action]),
            "EdgeTraversalPolicy": Enum("Block", 0), "LooseSourceMapping": False, "LocalOnlyMapping": False,
            "Owner": None, "PrimaryStatus": Enum("OK", 1),
            "Status": "The rule was parsed successfully from the store. (65536)",
            "EnforcementStatus": Enum("NotApplicable", 0),
            "PolicyStoreSource": rule.store if rule.store != "GroupPolicy" else f"{host.fqdn.split('.', 1)[1]}\\DHCP Failover",
            "PolicyStoreSourceType": Enum("Local" if rule.store == "PersistentStore" else "GroupPolicy",
                                          1 if rule.store == "PersistentStore" else 2),
        })
    return Output("firewall", "firewall", records, cim_class="MSFT_NetFirewallRule",
                  forms=("json", "list", "cim-table"), table_columns=('Name', 'DisplayName', 'Enabled', 'Direction', 'Action'))


def probe(world: World, host: Host, target_name: str, port: int = 647) -> Output:
    """Test-NetConnection target -Port 647 from this server, as the path and partner are now."""
    other = world.hosts[world.other(host.side)]
    address = target_name if _is_ip(target_name) else host.dns.get(target_name)
    prefix = ""
    record: dict = {"ComputerName": target_name}
    if address is None:
        prefix = f"WARNING: Name resolution of {target_name} failed\n"
        record.update(RemoteAddress=None, InterfaceAlias=None, SourceAddress=None, PingSucceeded=False,
                      TcpTestSucceeded=False)
        return Output(f"tnc-{target_name}-{port}", "tnc", [record], prefix=prefix)
    at_partner = address == other.ip or address in other.extra_ips
    host_up = (at_partner and other.reachable) or (address.endswith(".240") and address != other.ip)
    ping = host_up and (other.icmp if at_partner else True)
    direction = f"{host.side}->{other.side}"
    tcp = at_partner and other.reachable and running(world, other.side) and direction not in world.blocked_647
    record.update(RemoteAddress=IPAddress(address), RemotePort=port, InterfaceAlias="Ethernet",
                  SourceAddress=IPAddress(host.ip))
    if tcp:
        record["TcpTestSucceeded"] = True
        record["PingSucceeded"] = False  # not tried when TCP succeeds (JSON still has the property)
    else:
        prefix = f"WARNING: TCP connect to ({address} : {port}) failed\n"
        if not ping:
            prefix += f"WARNING: Ping to {address} failed with status: TimedOut\n"
        record["PingSucceeded"] = ping
        record["PingReplyDetails (RTT)"] = "1 ms" if ping else "0 ms"
        record["TcpTestSucceeded"] = False
    return Output(f"tnc-{target_name}-{port}", "tnc", [record], prefix=prefix)


def probe_list_view(record: dict) -> dict:
    keys = ("ComputerName", "RemoteAddress", "RemotePort", "InterfaceAlias", "SourceAddress", "PingSucceeded",
            "PingReplyDetails (RTT)", "TcpTestSucceeded")
    view = {k: record[k] for k in keys if k in record}
    if view.get("TcpTestSucceeded"):
        view.pop("PingSucceeded", None)
    return view


def probe_json(record: dict) -> dict:
    out = {k: v for k, v in record.items() if k != "PingReplyDetails (RTT)"}
    out.setdefault("PingReplyDetails", None)
    return out


def dns(world: World, host: Host, name: str) -> Output:
    address = host.dns.get(name)
    if address is None:
        text = (f"Resolve-DnsName : {name} : DNS name does not exist\nAt line:1 char:1\n"
                f"+ Resolve-DnsName -Name {name}\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
                "    + CategoryInfo          : ResourceUnavailable: ({name}:String) [Resolve-DnsName], Win32Exception\n"
                "    + FullyQualifiedErrorId : DNS_ERROR_RCODE_NAME_ERROR,Microsoft.DnsClient.Commands.ResolveDnsName\n")
        return Output(f"dns-{name}", "dns", [], text=text, forms=("text",))
    record = {"Name": name, "Type": Enum("A", 1), "TTL": 1200, "Section": Enum("Answer", 1), "IPAddress": address,
              "IP4Address": address, "DataLength": 4, "CharacterSet": 1, "QueryType": 1}
    return Output(f"dns-{name}", "dns", [record], forms=("json", "table"),
                  table_columns=("Name", "Type", "TTL", "Section", "IPAddress"),
                  table_widths={"Name": 47, "Type": 7, "TTL": 6, "Section": 11})


def w32tm_status(world: World, host: Host) -> Output:
    if host.time_synced:
        last = local(world, host, world.end - timedelta(seconds=911 + world.seed % 600))
        lines = ["Leap Indicator: 0(no warning)", "Stratum: 3 (secondary reference - syncd by (S)NTP)",
                 "Precision: -23 (119.209ns per tick)", "Root Delay: 0.0312741s", "Root Dispersion: 0.0812216s",
                 "ReferenceId: 0x0A00000A (source IP:  10.0.0.10)", f"Last Successful Sync Time: {last.text()}",
                 f"Source: {host.time_source}", "Poll Interval: 10 (1024s)", "",
                 "Phase Offset: 0.0001632s", "ClockRate: 0.0156250s", "State Machine: 2 (Sync)",
                 "Time Source Flags: 1 (Authenticated )", "Server Role: 0 (None)",
                 "Last Sync Error: 0 (The command completed successfully.)",
                 f"Time since Last Good Sync Time: {911 + world.seed % 600}.1324984s"]
    else:
        lines = ["Leap Indicator: 3(not synchronized)", "Stratum: 0 (unspecified)",
                 "Precision: -23 (119.209ns per tick)", "Root Delay: 0.0000000s", "Root Dispersion: 0.0000000s",
                 "ReferenceId: 0x00000000 (unspecified)", "Last Successful Sync Time: unspecified",
                 f"Source: {host.time_source}", "Poll Interval: 6 (64s)", "",
                 "Phase Offset: 0.0000000s", "ClockRate: 0.0156250s", "State Machine: 0 (Unset)",
                 "Time Source Flags: 0 (None)", "Server Role: 0 (None)",
                 "Last Sync Error: 1 (The computer did not resync because no time data was available.)",
                 "Time since Last Good Sync Time: 0.0000000s"]
    return Output("w32tm-status", "w32tm-status", text="\n".join(lines) + "\n\n", forms=("text",))


def stripchart(world: World, host: Host, target_name: str) -> Output:
    other = world.hosts[world.other(host.side)]
    address = target_name if _is_ip(target_name) else host.dns.get(target_name)
    now = local(world, host, world.end)
    lines = [f"Tracking {target_name} [{address or target_name}:123].", "Collecting 5 samples.",
             f"The current time is {now.text()}."]
    reachable = address is not None and (address == other.ip or address in other.extra_ips) and other.reachable
    for n in range(5):
        stamp = (now.local() + timedelta(seconds=2 * n)).strftime("%H:%M:%S")
        if not reachable:
            lines.append(f"{stamp}, error: 0x800705B4")
            continue
        offset = other.clock_offset_s - host.clock_offset_s + 0.0001 * (n - 2)
        sign = "+" if offset >= 0 else "-"
        whole, frac = divmod(round(abs(offset) * 10_000_000), 10_000_000)
        lines.append(f"{stamp}, {sign}{whole:02d}.{frac:07d}s")
    return Output(f"w32tm-stripchart-{target_name}", "w32tm-stripchart", text="\n".join(lines) + "\n",
                  forms=("text",))


# -- configuration artifacts (parsers being added in parallel; written only where fodoc reads them) --

def scopes(world: World, host: Host) -> Output:
    records = [{"ScopeId": IPAddress(s["ScopeId"]), "SubnetMask": IPAddress(s["SubnetMask"]), "Name": s["Name"],
                "State": "Active", "StartRange": IPAddress(s["StartRange"]), "EndRange": IPAddress(s["EndRange"]),
                "LeaseDuration": TimeSpan(s["LeaseDuration_s"]), "Description": "", "SuperscopeName": None,
                "Type": "Dhcp", "Delay": 0, "MaxBootpClients": 4294967295, "ActivatePolicies": True}
               for s in host.scopes]
    return Output("scopes", "scopes", records, cim_class="DhcpServerv4Scope",
                  forms=("json", "list", "cim-table"), table_columns=('ScopeId', 'SubnetMask', 'Name', 'State', 'StartRange', 'EndRange', 'LeaseDuration'))


def own_free_share(world: World, host: Host, scope: dict) -> int:
    """How many of a scope's free addresses `host` may hand out on its own at collection
    (AddressesFreeOnThisServer): its load-balance share, or in hot standby the reserve on the
    standby and the rest on the active (failover-knowledge.md §1.3); the whole free pool once
    PARTNER-DOWN has lasted MCLT (§1.2, owns_whole_pool); none once a fault used it up."""
    free = scope["size"] - scope["in_use"]
    if host.side in scope.get("own_free_used_up", ()):
        return 0
    trace = world.trace
    if trace is not None and owns_whole_pool(trace.final.get(host.side), trace.entered.get(host.side),
                                             timedelta(seconds=world.relationship["mclt_s"]), world.end):
        return free
    rel = world.relationship
    if rel["mode"] == "HotStandby":
        reserve = free * rel["reserve_percent"] // 100
        return reserve if rel["role"][host.side] == "Standby" else free - reserve
    return free * rel["lb_percent"][host.side] // 100


def scope_stats(world: World, host: Host) -> Output:
    records = []
    for s in host.scopes:
        free = s["size"] - s["in_use"]
        mine = own_free_share(world, host, s)
        records.append({"ScopeId": IPAddress(s["ScopeId"]), "Free": free, "InUse": s["in_use"],
                         "PercentageInUse": round(100 * s["in_use"] / s["size"], 2), "Reserved": len(s["reservations"]),
                         "Pending": 0, "AddressesFreeOnThisServer": mine, "AddressesFreeOnPartnerServer": free - mine,
                         "AddressesInUseOnThisServer": s["in_use"] // 2,
                         "AddressesInUseOnPartnerServer": s["in_use"] - s["in_use"] // 2, "SuperscopeName": None})
    return Output("scope-stats", "scope-stats", records, cim_class="DhcpServerv4ScopeStatistics",
                  forms=("json", "list", "cim-table"), table_columns=('ScopeId', 'Free', 'InUse', 'PercentageInUse', 'Reserved', 'Pending', 'SuperscopeName'))


def options_server(world: World, host: Host) -> Output:
    domain = host.fqdn.split(".", 1)[1]
    return Output("options-server", "options-server", [
        {"OptionId": 15, "Name": "DNS Domain Name", "Type": "String", "Value": [domain], "VendorClass": "",
         "UserClass": "", "PolicyName": None},
        {"OptionId": 6, "Name": "DNS Servers", "Type": "IPv4Address", "Value": ["10.0.0.10"], "VendorClass": "",
         "UserClass": "", "PolicyName": None}], cim_class="DhcpServerv4OptionValue",
        forms=("json", "list", "cim-table"),
        table_columns=("OptionId", "Name", "Type", "Value", "VendorClass", "UserClass", "PolicyName"))


def options_scope(world: World, host: Host) -> Output:
    names = {3: "Router", 6: "DNS Servers"}
    records = [{"ScopeId": s["ScopeId"], "OptionId": option, "Name": names[option], "Type": "IPv4Address",
                "Value": [value], "VendorClass": "", "UserClass": "", "PolicyName": None}
               for s in host.scopes for option, value in sorted(s["options"].items())]
    return Output("options-scope", "options-scope", records, cim_class="DhcpServerv4OptionValue",
                  forms=("json", "list", "cim-table"), table_columns=('ScopeId', 'OptionId', 'Name', 'Type', 'Value', 'VendorClass', 'UserClass', 'PolicyName'))


def reservations(world: World, host: Host) -> Output:
    records = [{"IPAddress": IPAddress(ip), "ScopeId": IPAddress(s["ScopeId"]), "ClientId": mac, "Name": name,
                "Type": "Both", "Description": ""} for s in host.scopes for ip, mac, name in s["reservations"]]
    return Output("reservations", "reservations", records, cim_class="DhcpServerv4Reservation",
                  forms=("json", "list", "cim-table"), table_columns=('IPAddress', 'ScopeId', 'ClientId', 'Name', 'Type', 'Description'))


def exclusions(world: World, host: Host) -> Output:
    records = [{"ScopeId": IPAddress(s["ScopeId"]), "StartRange": IPAddress(a), "EndRange": IPAddress(b)}
               for s in host.scopes for a, b in s["exclusions"]]
    return Output("exclusions", "exclusions", records, cim_class="DhcpServerv4ExclusionRange",
                  forms=("json", "list", "cim-table"), table_columns=('ScopeId', 'StartRange', 'EndRange'))


def dhcp_settings(world: World, host: Host) -> Output:
    s = host.settings
    return Output("dhcp-settings", "dhcp-settings", [{
        "IsDomainJoined": s["IsDomainJoined"], "IsAuthorized": s["IsAuthorized"], "DynamicBootp": True,
        "RestoreStatus": False, "ConflictDetectionAttempts": s["ConflictDetectionAttempts"], "NapEnabled": False,
        "NpsUnreachableAction": "Full", "ActivatePolicies": True}], cim_class="DhcpServerSetting")


def ipaddresses(world: World, host: Host) -> Output:
    records = [{"IPAddress": ip, "InterfaceIndex": 6, "InterfaceAlias": "Ethernet", "AddressFamily": Enum("IPv4", 2),
                "Type": Enum("Unicast", 1), "PrefixLength": 24, "PrefixOrigin": Enum("Manual", 1),
                "SuffixOrigin": Enum("Manual", 1), "AddressState": Enum("Preferred", 4)}
               for ip in [host.ip] + host.extra_ips]
    records.append({"IPAddress": "127.0.0.1", "InterfaceIndex": 1, "InterfaceAlias": "Loopback Pseudo-Interface 1",
                    "AddressFamily": Enum("IPv4", 2), "Type": Enum("Unicast", 1), "PrefixLength": 8,
                    "PrefixOrigin": Enum("WellKnown", 2), "SuffixOrigin": Enum("WellKnown", 2),
                    "AddressState": Enum("Preferred", 4)})
    return Output("ipaddresses", "ipaddresses", records, cim_class="MSFT_NetIPAddress")


def bindings(world: World, host: Host) -> Output:
    return Output("bindings", "bindings", [{"InterfaceAlias": "Ethernet", "IPAddress": IPAddress(host.ip),
                                            "SubnetMask": IPAddress("255.255.255.0"), "BindingState": True,
                                            "InterfaceGuid": "{6C3B2B4E-4E0B-4C5B-9B7A-5D2C1A0F%04X}" % (world.seed % 65536)}],
                  cim_class="DhcpServerv4Binding", forms=("json", "list", "cim-table"),
                  table_columns=("InterfaceAlias", "IPAddress", "SubnetMask", "BindingState"))


CONFIGURATION = (scopes, scope_stats, options_server, options_scope, reservations, exclusions, dhcp_settings,
                 ipaddresses, bindings)


def _is_ip(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)
