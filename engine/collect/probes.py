"""The probe catalog (probes.yaml): what to run on a DHCP server, and which file it fills.

Kept as data so that the live collector (`fodoc collect`) and the generated collector script
(`fodoc collector-script`) are two readings of one list and cannot drift apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import KnowledgeBaseError, UsageError
from ..yamlio import safe_load_text

CATALOG_PATH = "engine/collect/probes.yaml"
RUNS = ("server", "partner")
FORMATS = ("json", "txt")
DEFAULT_TIMEOUT_S = 60
# A partner name ends up in file names and in PowerShell: host names, FQDNs and IPv4 only.
_HOST_NAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$")


@dataclass(frozen=True)
class Probe:
    """One artifact and the PowerShell that produces it on a server."""

    artifact: str
    file: str           # may contain {partner}
    format: str         # json | txt
    runs: str           # server | partner
    script: str
    timeout_s: int = DEFAULT_TIMEOUT_S

    def file_name(self, partner: str | None) -> str:
        """The file this probe fills in a server folder (partner probes name their target)."""
        if "{partner}" in self.file:
            if partner is None:
                raise UsageError(f"probe {self.artifact} runs against the partner, but no partner is known")
            return self.file.replace("{partner}", check_host_name(partner))
        return self.file


def check_host_name(name: str) -> str:
    """Return `name` if it is a host name, FQDN or IPv4 address; it becomes part of a file name."""
    if not _HOST_NAME.match(name or ""):
        raise UsageError(f"{name!r} is not a server name (expected a host name, FQDN or IPv4 address)")
    return name


@lru_cache(maxsize=1)
def load_probes() -> tuple[Probe, ...]:
    """The probes of the shipped catalog, in collection order; a broken catalog is a KB error."""
    text = resources.files("engine").joinpath("collect").joinpath("probes.yaml").read_text(encoding="utf-8")
    data = safe_load_text(text)
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("probes"), list):
        raise KnowledgeBaseError(CATALOG_PATH, "expected 'version: 1' and a list 'probes'")
    probes, seen = [], set()
    for number, entry in enumerate(data["probes"], start=1):
        probe = _probe(entry, f"probes[{number}]")
        if probe.file in seen:
            raise KnowledgeBaseError(CATALOG_PATH, f"file {probe.file} is produced twice", item=f"probes[{number}]")
        seen.add(probe.file)
        probes.append(probe)
    return tuple(probes)


def _probe(entry: object, where: str) -> Probe:
    if not isinstance(entry, dict):
        raise KnowledgeBaseError(CATALOG_PATH, "expected a mapping", item=where)
    unknown = set(entry) - {"artifact", "file", "format", "runs", "script", "timeout"}
    if unknown:
        raise KnowledgeBaseError(CATALOG_PATH, f"unknown keys {sorted(unknown)}", item=where)
    for key in ("artifact", "file", "format", "runs", "script"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise KnowledgeBaseError(CATALOG_PATH, "is required (a non-empty string)", item=where, field=key)
    if entry["runs"] not in RUNS:
        raise KnowledgeBaseError(CATALOG_PATH, f"must be one of {', '.join(RUNS)}", item=where, field="runs")
    if entry["format"] not in FORMATS:
        raise KnowledgeBaseError(CATALOG_PATH, f"must be one of {', '.join(FORMATS)}", item=where, field="format")
    if not entry["file"].endswith("." + entry["format"]):
        raise KnowledgeBaseError(CATALOG_PATH, f"must end in .{entry['format']}", item=where, field="file")
    if ("{partner}" in entry["file"]) != (entry["runs"] == "partner"):
        raise KnowledgeBaseError(CATALOG_PATH, "names {partner} exactly when the probe runs against the partner",
                                 item=where, field="file")
    timeout = entry.get("timeout", DEFAULT_TIMEOUT_S)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= 3600:
        raise KnowledgeBaseError(CATALOG_PATH, "must be whole seconds between 1 and 3600", item=where, field="timeout")
    return Probe(entry["artifact"], entry["file"], entry["format"], entry["runs"],
                 entry["script"].rstrip() + "\n", timeout)


def layout(partner: str | None) -> list[str]:
    """The file names one server folder holds when every probe succeeds (the bundle contract)."""
    return sorted(p.file_name(partner) for p in load_probes() if partner is not None or p.runs == "server")
