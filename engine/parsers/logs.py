"""Canonical event log names, from a file name (`events-Microsoft-Windows-Dhcp-Server-Operational`)
or from a record (`LogName`, `<Channel>`).

A file name cannot hold '/', so the bundle format writes '-' instead (and .evtx files on disk
use '%4'); rules must see one spelling whatever the source, so every form maps to the name
`Get-WinEvent -LogName` takes.
"""
from __future__ import annotations

import re

_KNOWN = {
    "dhcpadminevents": "DhcpAdminEvents",
    "microsoft-windows-dhcp-server-operational": "Microsoft-Windows-Dhcp-Server/Operational",
    "system": "System",
    "microsoft-windows-time-service-operational": "Microsoft-Windows-Time-Service/Operational",
}
# Channel types a provider log name ends in ("<provider>/<type>").
_CHANNEL = re.compile(r"(?P<provider>Microsoft-Windows-.+)[-/](?P<type>Operational|Admin|Analytic|Debug|"
                      r"FilterNotifications)", re.IGNORECASE)


def canonical_log(name: str) -> str:
    """The `Get-WinEvent -LogName` spelling of a log, e.g. System, DhcpAdminEvents,
    Microsoft-Windows-Dhcp-Server/Operational; an unknown name is returned as given
    (with '/' restored before a channel type such as Operational)."""
    text = name.strip().replace("%4", "/")
    known = _KNOWN.get(text.replace("/", "-").lower())
    if known is not None:
        return known
    match = _CHANNEL.fullmatch(text)
    return f"{match['provider']}/{match['type']}" if match else text
