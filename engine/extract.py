"""Bundle → facts: run every parser, keep going past damage, and say what is missing.

This is where "bad input gets a clear error and nothing is lost" is enforced for a whole
bundle: one unreadable artifact becomes one problem line and the others are still read; an
artifact the format expects but the bundle lacks becomes an `artifact_missing` fact, and an
error the collector recorded in the manifest becomes a `collector_error` fact, so rules and the
report can both say what would settle an open question.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .bundle import Bundle, BundleFile
from .catalog import FactCatalog
from .errors import ArtifactError
from .facts import Fact, Source
from .identity import build_identities, resolve_servers
from .pairs import derive_pairs
from .parsers import parser_for, recognise
from .parsers.base import Artifact, Problems
from .textio import decode

# What every collected server folder is expected to hold (families; events by log).
EXPECTED_ARTIFACTS = ("computer", "failover", "services", "w32tm-status", "w32tm-stripchart",
                      "tnc", "firewall", "dns", "events-DhcpAdminEvents", "events-System")
_IGNORED = re.compile(r"(^|/)(readme(\.\w+)?|\.ds_store|thumbs\.db|desktop\.ini)$", re.I)
_UNREACHABLE = re.compile(r"cannot complete the operation|unreachable|could not be reached|timed? ?out|"
                          r"no such host|connection refused|actively refused|not accessible", re.I)


@dataclass
class ArtifactRecord:
    """What happened to one file of the bundle, for `inspect` and the report."""

    path: str
    server: str | None
    family: str | None
    fmt: str | None
    facts: int = 0
    status: str = "read"        # read | unreadable | unsupported | unplaced | ignored


@dataclass
class Extraction:
    facts: list[Fact]
    problems: list[ArtifactError]
    artifacts: list[ArtifactRecord]
    servers: list[str]                      # canonical ids of the collected servers
    manifest: dict = field(default_factory=dict)


def extract_facts(bundle: Bundle, catalog: FactCatalog) -> Extraction:
    problems = Problems()
    problems.items.extend(bundle.skipped)
    facts: list[Fact] = []
    records: list[ArtifactRecord] = []
    families: dict[str, set[str]] = {}
    failover_read: set[str] = set()
    manifest = _read_manifest(bundle.get("manifest.json"), problems)
    folders = bundle.server_folders()

    for item in bundle.files:
        if item.path.lower() == "manifest.json":
            continue
        info = recognise(item.path)
        if info is None:
            status = "ignored" if _IGNORED.search(item.path) else "unsupported"
            records.append(ArtifactRecord(item.path, None, None, None, status=status))
            if status == "unsupported":
                problems.add(item.path, "is not a known artifact (see docs/bundle-format.md for "
                                        "the file names fodoc reads); ignored")
            continue
        record = ArtifactRecord(item.path, info.get("server"), info["family"], info["fmt"])
        records.append(record)
        if info.get("server") is None:
            record.status = "unplaced"
            problems.add(item.path, "is not inside a server folder, so it cannot be attributed to "
                                    "a server; put it in <bundle>/<server>/")
            continue
        parse = parser_for(info["family"], info["fmt"])
        if parse is None:
            record.status = "unsupported"
            problems.add(item.path, f"{info['fmt']} is not a supported form of the "
                                    f"{info['family']} artifact yet; ignored")
            continue
        artifact = Artifact(item.path, info["server"], info["family"], info["fmt"], info.get("target"),
                            info.get("port"), info.get("log"), item.reader)
        try:
            produced = list(parse(artifact, problems))
        except ArtifactError as exc:
            record.status = "unreadable"
            problems.items.append(exc)
            continue
        record.facts = len(produced)
        facts.extend(produced)
        family = info["family"] if info["family"] != "events" else f"events-{info.get('log')}"
        families.setdefault(info["server"], set()).add(family)
        if info["family"] == "failover":
            failover_read.add(info["server"])

    facts.extend(_manifest_facts(manifest))
    identities = build_identities(facts, folders + sorted(manifest.get("servers", {}) or {}))
    for folder in folders:
        for family in EXPECTED_ARTIFACTS:
            if family not in families.get(folder, set()):
                facts.append(Fact("artifact_missing", {"server": folder, "artifact": family},
                                  Source(f"{folder}/", "not in bundle")))
    facts = resolve_servers(facts, catalog, identities)
    collected = {identities.canonical(f) for f in failover_read}
    relationships = [f for f in facts if f.kind == "relationship"]
    facts.extend(derive_pairs(relationships, collected))
    servers = sorted({identities.canonical(f) for f in folders})
    return Extraction(facts, list(problems), records, servers, manifest)


def _read_manifest(item: BundleFile | None, problems: Problems) -> dict:
    if item is None:
        return {}
    try:
        doc = json.loads(decode(item.reader(), item.path))
    except ArtifactError as exc:
        problems.items.append(exc)
        return {}
    except json.JSONDecodeError as exc:
        problems.add(item.path, f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return {}
    if not isinstance(doc, dict):
        problems.add(item.path, "expected a JSON object with format, created, collector, servers")
        return {}
    if doc.get("format") not in (None, "failover-bundle/1"):
        problems.add(item.path, f"format {doc.get('format')!r} is not failover-bundle/1; read anyway")
    servers = doc.get("servers")
    if servers is not None and not isinstance(servers, dict):
        problems.add(item.path, "'servers' must be an object keyed by server name")
        doc["servers"] = {}
    return doc


def _manifest_facts(manifest: dict) -> list[Fact]:
    facts = []
    for server, info in sorted((manifest.get("servers") or {}).items()):
        errors = info.get("errors") if isinstance(info, dict) else None
        for number, error in enumerate(errors or [], start=1):
            if not isinstance(error, dict) or not error.get("message"):
                continue
            message = " ".join(str(error["message"]).split())
            facts.append(Fact("collector_error", {
                "server": server, "artifact": str(error.get("artifact") or "*"), "message": message,
                "unreachable": bool(_UNREACHABLE.search(message))},
                Source("manifest.json", f"servers.{server}.errors[{number}]")))
    return facts
