"""The output forms ("flavours") a simulated bundle is written in, and which ones are drawn.

Real bundles mix forms: the shell the collector ran in (Windows PowerShell 5.1 or PowerShell 7)
decides the JSON dialect and the file encoding, and an operator may have piped to Format-List or
saved a log with wevtutil or Event Viewer. The seed picks one form per artifact among the
*enabled* flavours. Format-Table of the CIM outputs is implemented but not enabled: a table cuts
long values and may drop columns, and fodoc rightly warns that it may hide data, so it is drawn
only with `--all-flavours`.

Independently of the flag, a file is only written when fodoc recognises its name and has a
reader for its family and extension (`readable`), so a bundle the simulator writes always
parses cleanly, and the configuration artifacts start to appear as their parsers are added.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from ..parsers import parser_for, recognise


@dataclass(frozen=True)
class Flavour:
    name: str
    form: str                 # json | list | table | cim-table | text | events-json | events-xml | events-csv
    ext: str
    shells: tuple[str, ...]
    enabled: bool
    note: str


FLAVOURS = {f.name: f for f in (
    Flavour("ps51-json", "json", "json", ("ps51",), True, "ConvertTo-Json, Windows PowerShell 5.1: \\/Date()\\/, enums as integers"),
    Flavour("ps7-json", "json", "json", ("ps7",), True, "ConvertTo-Json, PowerShell 7: ISO dates, enums as integers"),
    Flavour("ps7-json-enums-as-strings", "json", "json", ("ps7",), True, "ConvertTo-Json -EnumsAsStrings (PowerShell 7)"),
    Flavour("format-list", "list", "txt", ("ps51", "ps7"), True, "Format-List console text"),
    Flavour("format-table", "table", "txt", ("ps51", "ps7"), True,
            "default table view (Get-Service, Resolve-DnsName); other cmdlets: issue 4"),
    Flavour("format-table-cim", "cim-table", "txt", ("ps51", "ps7"), False,
            "Format-Table of the CIM outputs (scopes, options, ... and failover/firewall piped to ft): "
            "off by default, because a table cuts long values and may hide data (fodoc warns); "
            "--all-flavours draws it"),
    Flavour("console-text", "text", "txt", ("ps51", "ps7"), True, "what a text-only command prints (w32tm, errors)"),
    Flavour("events-json-depth3", "events-json", "json", ("ps51", "ps7"), True,
            "Get-WinEvent | ConvertTo-Json -Depth 3: insertion strings as Properties[].Value"),
    Flavour("events-json-depth2", "events-json", "json", ("ps51",), True,
            "Windows PowerShell 5.1 default depth: properties are type names, the message must be read"),
    Flavour("wevtutil-xml", "events-xml", "xml", ("ps51", "ps7"), True, "wevtutil qe <log> /f:xml"),
    Flavour("eventviewer-csv", "events-csv", "csv", ("ps51", "ps7"), True,
            "Event Viewer 'Save as CSV': no insertion strings, local times, the message in the last column"),
)}

# Bytes on disk: what `>`/Out-File write in each shell [bundle-format.md].
ENCODINGS = {"ps51": ("utf-16-le-bom", "utf-16-le-bom", "utf-8-bom"), "ps7": ("utf-8", "utf-8", "utf-8-bom")}
SHELLS = ("ps51", "ps7")


def choose(rng: random.Random, forms: tuple[str, ...], shell: str, all_flavours: bool = False) -> Flavour:
    """One flavour for an artifact offering `forms`, written from `shell`."""
    fitting = [f for f in FLAVOURS.values() if f.form in forms and shell in f.shells
               and (f.enabled or all_flavours)]
    return rng.choice(fitting)


def readable(path: str) -> bool:
    """fodoc recognises this bundle path and has a reader for it (so it may be written)."""
    info = recognise(path)
    return info is not None and parser_for(info["family"], info["fmt"]) is not None


def encode(text: str, encoding: str) -> bytes:
    """Windows line ends (CRLF) and the shell's encoding, with its byte-order mark."""
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if encoding == "utf-16-le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "utf-8-bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode("utf-8")
