"""Get-NetIPAddress -AddressFamily IPv4 and Get-DhcpServerv4Binding → `ip_address` and
`dhcp_binding` facts.

A relationship stores both partners' addresses when it is created and never follows a change,
so the partner's current addresses are what tell a re-addressed partner from a closed port;
the DHCP bindings say which of a multi-homed server's interfaces the DHCP service serves on.
Windows PowerShell writes the NetTCPIP enums as integers in JSON; the console prints names.
"""
from __future__ import annotations

from typing import Optional

from ..facts import Fact
from .base import Artifact, Problems
from .cimrecords import readers
from .psjson import bool_value, enum_value, int_value, text_value
from .scopes import address

_IP_JSON = "Get-NetIPAddress -AddressFamily IPv4 | ConvertTo-Json output"
_IP_TEXT = "Get-NetIPAddress -AddressFamily IPv4 output ('IPAddress : ...', 'InterfaceAlias : ...')"
_BINDING_JSON = "Get-DhcpServerv4Binding | ConvertTo-Json output"
_BINDING_TEXT = "Get-DhcpServerv4Binding | Format-List output ('InterfaceAlias : ...', 'BindingState : ...')"

# MSFT_NetIPAddress value maps (NetTCPIP CDXML)
_ADDRESS_FAMILY = {2: "IPv4", 23: "IPv6"}
_PREFIX_ORIGIN = {0: "Other", 1: "Manual", 2: "WellKnown", 3: "Dhcp", 4: "RouterAdvertisement"}
_ADDRESS_STATE = {0: "Invalid", 1: "Tentative", 2: "Duplicate", 3: "Deprecated", 4: "Preferred"}






def _ip_address(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    family = enum_value(record.get("addressfamily"), _ADDRESS_FAMILY)
    if family == "IPv6":
        return None  # captured without -AddressFamily IPv4: DHCPv4 failover never uses these
    ip = address(artifact, problems, label, record, "ipaddress", "IPAddress")
    if ip is None:
        problems.add(artifact.path, "has no IPv4 IPAddress; expected a Get-NetIPAddress record", record=label)
        return None
    return artifact.fact(
        "ip_address", label,
        server=artifact.server,
        address=ip,
        prefix_length=int_value(record.get("prefixlength")),
        interface_alias=text_value(record.get("interfacealias")),
        interface_index=int_value(record.get("interfaceindex")),
        prefix_origin=enum_value(record.get("prefixorigin"), _PREFIX_ORIGIN),
        address_state=enum_value(record.get("addressstate"), _ADDRESS_STATE),
        skip_as_source=bool_value(record.get("skipassource")),
    )


def _binding(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    alias = text_value(record.get("interfacealias"))
    bound = bool_value(record.get("bindingstate"))
    if alias is None or bound is None:
        problems.add(artifact.path, "has no InterfaceAlias or no True/False BindingState; expected a "
                                    "Get-DhcpServerv4Binding record", record=label)
        return None
    return artifact.fact(
        "dhcp_binding", label,
        server=artifact.server,
        interface_alias=alias,
        address=address(artifact, problems, label, record, "ipaddress", "IPAddress"),
        subnet_mask=address(artifact, problems, label, record, "subnetmask", "SubnetMask"),
        bound=bound,
    )


parse_ip_json, parse_ip_text = readers(_ip_address, _IP_JSON, _IP_TEXT)
parse_bindings_json, parse_bindings_text = readers(_binding, _BINDING_JSON, _BINDING_TEXT)
