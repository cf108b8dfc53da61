"""The parser registry: which file of a bundle is which artifact, and which function reads it.

`recognise` turns a bundle-relative path into the Artifact description (family, format, the
partner or port or log named in the file name); `parser_for` picks the reader; `parse_artifact`
runs it. Every reader is wrapped so that a slip on unexpected input surfaces as one ArtifactError
line naming the file, never as a traceback.
"""
from __future__ import annotations

import functools
import re
from typing import Optional

from ..errors import ArtifactError
from ..facts import Fact
from . import (addresses, computer, dhcpsettings, dns, events, failover, firewall, netconn, options,
               scopes, scopestats, services, w32tm)
from .base import Artifact, ParserFn, Problems
from .logs import canonical_log

__all__ = ["recognise", "parser_for", "parse_artifact", "Artifact", "Problems", "ParserFn"]

FORMATS = ("json", "txt", "xml", "csv", "evtx")
_FIXED = ("failover", "scopes", "scope-stats", "services", "computer", "w32tm-status", "firewall",
          "options-server", "options-scope", "reservations", "exclusions", "dhcp-settings", "ipaddresses",
          "bindings")
_NAMED = (  # family, file-name pattern; the named part is the partner (or the log for events)
    ("w32tm-stripchart", re.compile(r"w32tm-stripchart-(?P<target>.+)", re.IGNORECASE)),
    ("tnc", re.compile(r"tnc-(?P<target>.+)", re.IGNORECASE)),
    ("dns", re.compile(r"dns-(?P<target>.+)", re.IGNORECASE)),
    ("events", re.compile(r"events-(?P<log>.+)", re.IGNORECASE)),
)
_PORT_SUFFIX = re.compile(r"(?P<target>.+)-(?P<port>\d{1,5})")

_PARSERS: dict[tuple[str, str], ParserFn] = {
    ("failover", "json"): failover.parse_json,
    ("failover", "txt"): failover.parse_text,
    ("tnc", "json"): netconn.parse_json,
    ("tnc", "txt"): netconn.parse_text,
    ("w32tm-status", "txt"): w32tm.parse_status,
    ("w32tm-stripchart", "txt"): w32tm.parse_stripchart,
    ("services", "json"): services.parse_json,
    ("services", "txt"): services.parse_text,
    ("computer", "json"): computer.parse_json,
    ("firewall", "json"): firewall.parse_json,
    ("firewall", "txt"): firewall.parse_text,
    ("dns", "json"): dns.parse_json,
    ("dns", "txt"): dns.parse_text,
    ("events", "json"): events.parse_json,
    ("events", "xml"): events.parse_xml,
    ("scope-stats", "json"): scopestats.parse_json,
    ("scope-stats", "txt"): scopestats.parse_text,
    ("scopes", "json"): scopes.parse_scopes_json,
    ("scopes", "txt"): scopes.parse_scopes_text,
    ("reservations", "json"): scopes.parse_reservations_json,
    ("reservations", "txt"): scopes.parse_reservations_text,
    ("exclusions", "json"): scopes.parse_exclusions_json,
    ("exclusions", "txt"): scopes.parse_exclusions_text,
    ("options-server", "json"): options.parse_json,
    ("options-server", "txt"): options.parse_text,
    ("options-scope", "json"): options.parse_json,
    ("options-scope", "txt"): options.parse_text,
    ("dhcp-settings", "json"): dhcpsettings.parse_json,
    ("dhcp-settings", "txt"): dhcpsettings.parse_text,
    ("ipaddresses", "json"): addresses.parse_ip_json,
    ("ipaddresses", "txt"): addresses.parse_ip_text,
    ("bindings", "json"): addresses.parse_bindings_json,
    ("bindings", "txt"): addresses.parse_bindings_text,
    ("events", "evtx"): events.parse_evtx,
    ("events", "csv"): events.parse_csv,
}


def recognise(relpath: str) -> Optional[dict]:
    """Describe the artifact at a bundle-relative POSIX path, or None if it is not one.

    Returns {"server", "family", "fmt", "target", "port", "log"}; server is the first folder
    (None for a file at the top), target/port/log come from the file name. Matching ignores case;
    the values keep the spelling of the path.
    """
    parts = [part for part in relpath.strip().split("/") if part and part != "."]
    if not parts or parts[0].startswith("__MACOSX"):
        return None
    stem, dot, fmt = parts[-1].rpartition(".")
    fmt = fmt.lower()
    if not dot or not stem or fmt not in FORMATS:
        return None
    found = {"server": parts[0] if len(parts) > 1 else None, "family": None, "fmt": fmt,
             "target": None, "port": None, "log": None}
    if stem.lower() in _FIXED:
        return {**found, "family": stem.lower()}
    for family, pattern in _NAMED:
        match = pattern.fullmatch(stem)
        if match is None:
            continue
        if family == "events":
            return {**found, "family": family, "log": canonical_log(match["log"])}
        target, port = match["target"], None
        if family == "tnc":
            target, port = _split_port(target)
        return {**found, "family": family, "target": target, "port": port}
    return None


def _split_port(name: str) -> tuple[str, Optional[int]]:
    """`dhcp-b.contoso.com-647` -> ("dhcp-b.contoso.com", 647); the last `-<digits>` is the port."""
    match = _PORT_SUFFIX.fullmatch(name)
    if match and 0 < int(match["port"]) <= 65535:
        return match["target"], int(match["port"])
    return name, None


def parser_for(family: str, fmt: str) -> Optional[ParserFn]:
    """The reader for an artifact family in a format, None when fodoc cannot read that yet."""
    parser = _PARSERS.get((family, fmt.lower()))
    return _guarded(parser) if parser is not None else None


def parse_artifact(artifact: Artifact, problems: Problems) -> list[Fact]:
    """Read one artifact into facts; damage to single records goes to `problems`, an unreadable
    file (or a format fodoc has no reader for) raises ArtifactError for the caller to record."""
    parser = parser_for(artifact.family, artifact.fmt)
    if parser is None:
        readable = ", ".join(sorted(fmt for family, fmt in _PARSERS if family == artifact.family))
        expected = f"expected .{readable.replace(', ', ' or .')}" if readable else "no reader exists yet"
        article = "an" if artifact.family[:1] in "aeiou" else "a"
        raise ArtifactError(artifact.path, f"is {article} {artifact.family} artifact in .{artifact.fmt} form, "
                                           f"which fodoc cannot read; {expected}")
    return list(parser(artifact, problems))


def _guarded(parser: ParserFn) -> ParserFn:
    """The parser, eager, with any slip on input it did not foresee turned into an ArtifactError."""
    @functools.wraps(parser)
    def read(artifact: Artifact, problems: Problems) -> list[Fact]:
        try:
            return list(parser(artifact, problems))
        except (KeyError, ValueError, IndexError, TypeError, AttributeError) as exc:
            raise ArtifactError(artifact.path, f"could not be read as a {artifact.family} .{artifact.fmt} "
                                               f"artifact ({type(exc).__name__}: {exc})") from None
    return read
