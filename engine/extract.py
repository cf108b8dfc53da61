"""Bundle → facts: run every parser, keep going past damage, and say what is missing.

This is where "bad input gets a clear error and nothing is lost" is enforced for a whole
bundle: one unreadable artifact becomes one problem line and the others are still read; an
artifact the format expects but the bundle lacks becomes an `artifact_missing` fact, and an
error the collector recorded in the manifest becomes a `collector_error` fact, so rules and the
report can both say what would settle an open question.
"""
from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from .addressing import derive_address_facts
from .bundle import Bundle, BundleFile
from .capture import Capture, read_capture
from .catalog import FactCatalog
from .drift import derive_drift
from .errors import ArtifactError, unexpected
from .facts import Fact, Source
from .identity import build_identities, resolve_servers
from .pairs import derive_pairs
from .parsers.w32tm import derive_domain_source
from .sniff import SNIFF_BYTES, Placement, place_files, sniff
from .parsers import parser_for, recognise
from .parsers.base import Artifact, Problems
from .parsers.dates import parse_iso
from .parsers.psjson import TOO_DEEP, date_value
from .parsers.scopestats import attach_relationships
from .textio import bom_mismatch, decode
from .timeline import derive_timeline

# What every collected server folder is expected to hold (families; events by log).
EXPECTED_ARTIFACTS = ("computer", "failover", "services", "w32tm-status", "w32tm-stripchart",
                      "tnc", "firewall", "dns", "events-DhcpAdminEvents", "events-System", "scope-stats")
_IGNORED = re.compile(r"(^|/)(readme(\.\w+)?|\.ds_store|thumbs\.db|desktop\.ini)$", re.I)
_UNKNOWN = "is not a known artifact (see docs/bundle-format.md for the file names fodoc reads); ignored"
_UNREACHABLE = re.compile(r"cannot complete the operation|unreachable|could not be reached|timed? ?out|"
                          r"no such host|connection refused|actively refused|not accessible", re.I)


@dataclass
class ArtifactRecord:
    """What happened to one file of the bundle: the inventory in the JSON report."""

    path: str
    server: str | None
    family: str | None
    fmt: str | None
    facts: int = 0
    status: str = "read"        # read | unreadable | unsupported | unplaced | ignored
    records: int = 0            # records read (events: every event record; else one per fact)
    recognised_by: str = "name"  # name | content, and for content where it was placed and why


@dataclass
class Extraction:
    facts: list[Fact]
    problems: list[ArtifactError]
    artifacts: list[ArtifactRecord]
    servers: list[str]                      # canonical ids of the collected servers
    manifest: dict = field(default_factory=dict)
    failover_read: list[str] = field(default_factory=list)  # servers whose failover output was
                                                            # read completely (empty = none)
    capture: Capture = field(default_factory=Capture)       # collector, collection times, warnings
    server_ids: dict[str, str] = field(default_factory=dict)  # server folder -> the server's resolved id
    truncated: dict[str, str] = field(default_factory=dict)   # archives damaged partway (Bundle.truncated)


def extract_facts(bundle: Bundle, catalog: FactCatalog) -> Extraction:
    problems = Problems()
    problems.extend(bundle.skipped)
    facts: list[Fact] = []
    records: list[ArtifactRecord] = []
    families: dict[str, set[str]] = {}
    failover_read: set[str] = set()
    manifests = [(item.path, _read_manifest(item, problems)) for item in bundle.manifest_files()]
    manifest = _merged_manifest([doc for _, doc in manifests])
    folders = bundle.server_folders()
    by_content = recognise_by_content(bundle, folders, problems)
    folders = sorted(set(folders) | {p.server for p in by_content.values() if p.server is not None})
    offsets, collected = _server_clocks(bundle, by_content)

    for item in bundle.files:
        if item.path.lower() == "manifest.json":
            continue
        info = recognise(item.path)
        placement = by_content.get(item.path)
        if placement is not None:
            info = placement.recognised()
            if info is None:
                status = "unplaced" if placement.sniffed is not None else "unsupported"
                found = placement.sniffed
                records.append(ArtifactRecord(item.path, None, found and found.family, found and found.fmt,
                                              status=status, recognised_by=placement.how))
                problems.add(item.path, placement.how if placement.failed or found is not None else _UNKNOWN)
                continue
        if info is None:
            status = "ignored" if _IGNORED.search(item.path) else "unsupported"
            records.append(ArtifactRecord(item.path, None, None, None, status=status))
            if status == "unsupported":
                problems.add(item.path, _UNKNOWN)
            continue
        record = ArtifactRecord(item.path, info.get("server"), info["family"], info["fmt"],
                                recognised_by=placement.how if placement is not None else "name")
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
                            info.get("port"), info.get("log"), _noting_bom(item, problems), item.local_path,
                            offsets.get(info["server"]), collected.get(info["server"]))
        try:
            produced = list(parse(artifact, problems))
        except ArtifactError as exc:
            record.status = "unreadable"
            problems.append(exc)
            continue
        except RecursionError:
            record.status = "unreadable"
            problems.add(item.path, f"{TOO_DEEP}; expected the output as Windows writes it")
            continue
        except (MemoryError, ValueError, TypeError, KeyError) as exc:
            record.status = "unreadable"
            problems.add(item.path, f"could not be read ({type(exc).__name__}: {exc})"[:300])
            continue
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one file never ends the run
            record.status = "unreadable"
            problems.add(item.path, unexpected(exc, "read"))
            continue
        produced = _bounded(produced, catalog, problems)
        record.facts = len(produced)
        record.records = sum(f.get("count", 0) for f in produced if f.kind == "event") or \
            len([f for f in produced if f.kind != "state_change"])
        facts.extend(produced)
        family = info["family"] if info["family"] != "events" else f"events-{info.get('log')}"
        families.setdefault(info["server"], set()).add(family)
        if info["family"] == "failover" and problems.records_lost(item.path) == 0:
            # Only a failover output read without damage says which relationships a server has:
            # a record skipped as unreadable must not look like a relationship that is missing.
            failover_read.add(info["server"])

    if not folders:
        problems.add("(bundle)", "has no server folders; expected one folder per DHCP server holding its "
                     "outputs (see docs/bundle-format.md)")
    for path, doc in manifests:
        facts.extend(_manifest_facts(doc, problems, path))
    identities = build_identities(facts, folders)
    for conflict in identities.conflicts:
        problems.add("(server names)", conflict)
    for folder in folders:
        for family in EXPECTED_ARTIFACTS:
            if family not in families.get(folder, set()):
                facts.append(Fact("artifact_missing", {"server": folder, "artifact": family},
                                  Source(f"{folder}/", "not in bundle")))
    facts = resolve_servers(facts, catalog, identities)
    derive_domain_source(facts)
    collected = {identities.canonical(f) for f in failover_read}
    relationships = [f for f in facts if f.kind == "relationship"]
    changes = [f for f in facts if f.kind == "state_change"]
    facts.extend(derive_pairs(relationships, collected, changes))
    read = {(identities.canonical(r.server), r.family): r.path for r in records
            if r.status == "read" and r.server and r.family}
    facts.extend(derive_drift(facts, read))
    facts.extend(derive_address_facts(facts, {identities.canonical(f): f for f in folders}))
    facts.extend(derive_timeline(facts))
    attach_relationships(facts)
    servers = sorted({identities.canonical(f) for f in folders})
    read = {r.path: identities.canonical(r.server) for r in records if r.status == "read" and r.server}
    capture = read_capture(bundle, manifest, facts, identities.canonical, read)
    return Extraction(facts, problems.summarised(), records, servers, manifest,
                      sorted(collected), capture, {folder: identities.canonical(folder) for folder in folders},
                      dict(bundle.truncated))


def recognise_by_content(bundle: Bundle, folders: list[str], problems: Problems) -> dict[str, Placement]:
    """Placements for the files whose name does not say what they are or whose server they are:
    a file in a server folder stays on that server, a loose one is placed by its content."""
    loose: dict[str, bytes] = {}
    in_folder: dict[str, bytes] = {}
    for item in bundle.files:
        if item.path.lower() == "manifest.json" or _IGNORED.search(item.path):
            continue
        info = recognise(item.path)
        if info is not None and info.get("server") is not None:
            continue
        try:
            data = _head(item)
        except ArtifactError as exc:
            problems.append(exc)
            continue
        (loose if "/" not in item.path else in_folder)[item.path] = data
    if not loose and not in_folder:
        return {}
    placed = {p.path: p for p in place_files(loose, folders)} if loose else {}
    for path, data in in_folder.items():
        folder = path.split("/", 1)[0]
        try:
            found = sniff(data)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one file never ends the run
            placed[path] = Placement(path, None, None, unexpected(exc, "recognised by content"), failed=True)
            continue
        how = f"recognised by content ({found.reason}); in the folder of {folder}" if found else \
            "its content is no artifact fodoc knows"
        placed[path] = Placement(path, found, folder if found else None, how)
    return placed


def _noting_bom(item: BundleFile, problems: Problems) -> Callable[[], bytes]:
    """The file's reader, noting once (not as a lost record) a byte-order mark that names the wrong
    encoding: textio reads such a file right, and the admin learns why it looked odd elsewhere."""
    noted = []

    def read() -> bytes:
        data = item.reader()
        note = bom_mismatch(data)
        if note is not None and not noted:
            noted.append(note)
            problems.add(item.path, note, note=True)
        return data
    return read


def _head(item: BundleFile) -> bytes:
    """What recognising a file by content needs: its first SNIFF_BYTES (all of it from an archive)."""
    if item.local_path is None:
        return item.reader()
    try:
        with open(item.local_path, "rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ArtifactError(item.path, f"cannot be read: {exc.strerror}") from None


def _server_clocks(bundle: Bundle, by_content: dict[str, Placement]) -> tuple[dict[str, int], dict[str, datetime]]:
    """Each server's UtcOffsetMinutes and CollectedAtUtc from its computer.json, for outputs in
    local time (the computer parser reports what is wrong with the file; here an unusable value
    is just absent)."""
    offsets: dict[str, int] = {}
    collected: dict[str, datetime] = {}
    for item in bundle.files:
        placement = by_content.get(item.path)
        info = placement.recognised() if placement is not None else recognise(item.path)
        if not info or info["family"] != "computer" or info["fmt"] != "json" or info.get("server") is None:
            continue
        with contextlib.suppress(ArtifactError, ValueError, RecursionError):
            doc = json.loads(decode(item.reader(), item.path))
            doc = doc[0] if isinstance(doc, list) and doc else doc
            fields = {str(k).lower(): v for k, v in doc.items()} if isinstance(doc, dict) else {}
            value = fields.get("utcoffsetminutes")
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 14 * 60:
                offsets[info["server"]] = value
            when = date_value(fields.get("collectedatutc"))
            if when is not None:  # UTC by contract, as the computer parser reads it
                collected[info["server"]] = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return offsets, collected


def _read_manifest(item: BundleFile | None, problems: Problems) -> dict:
    if item is None:
        return {}
    try:
        doc = json.loads(decode(item.reader(), item.path))
    except ArtifactError as exc:
        problems.append(exc)
        return {}
    except json.JSONDecodeError as exc:
        problems.add(item.path, f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        return {}
    except RecursionError:
        problems.add(item.path, f"{TOO_DEEP}; expected a JSON object with format, created, collector, servers")
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


def _merged_manifest(docs: list[dict]) -> dict:
    """The manifests of several merged bundles as one: every server's entry (collection time,
    errors), the latest creation time, the format and collector of the first that names them."""
    docs = [doc for doc in docs if doc]
    if len(docs) <= 1:
        return docs[0] if docs else {}
    merged: dict = {}
    servers: dict = {}
    created = [doc["created"] for doc in docs if isinstance(doc.get("created"), str)]
    for doc in docs:
        for key in ("format", "collector"):
            if key in doc and key not in merged:
                merged[key] = doc[key]
        for name, info in (doc.get("servers") or {}).items():
            servers.setdefault(name, info)
    if created:
        merged["created"] = max(created)
    merged["servers"] = servers
    return merged


def _manifest_facts(manifest: dict, problems: Problems, path: str = "manifest.json") -> list[Fact]:
    """collector_error facts from manifest.json, each also shown as a problem line.

    Only an error about the whole server ("*") can mean the host was unreachable: one probe
    timing out says nothing about the host.
    """
    facts = []
    for server, info in sorted((manifest.get("servers") or {}).items()):
        if not isinstance(info, dict):
            problems.add(path, f"servers.{server} must be an object with collected_at and errors")
            continue
        when = info.get("collected_at")
        if when is not None and (not isinstance(when, str) or parse_iso(when) is None):
            shown = when if isinstance(when, str) else json.dumps(when, default=str)
            problems.add(path, f"servers.{server}.collected_at {shown[:80]!r} is not a date; expected ISO-8601 UTC "
                               "like 2026-11-30T09:00:00Z; left unread", record=f"servers.{server}", lost=False)
        errors = info.get("errors") or []
        if not isinstance(errors, list):
            problems.add(path, f"servers.{server}.errors must be a list of "
                                          "{artifact, message} objects")
            continue
        for number, error in enumerate(errors, start=1):
            where = f"servers.{server}.errors[{number}]"
            if not isinstance(error, dict) or not isinstance(error.get("message"), str) or not error["message"]:
                problems.add(path, "expected {artifact, message} with a message", record=where)
                continue
            message = " ".join(error["message"].split())
            artifact = str(error.get("artifact") or "*")
            facts.append(Fact("collector_error", {
                "server": server, "artifact": artifact, "message": message,
                "unreachable": artifact == "*" and bool(_UNREACHABLE.search(message))},
                Source(path, where)))
            problems.add(path, f"the collector could not get {artifact if artifact != '*' else 'anything'} "
                                          f"from {server}: {message[:300]}", record=where)
    return facts


MAX_TEXT = 4096  # characters: no Windows output field is near this; a longer one is damage


def _bounded(facts: list[Fact], catalog: FactCatalog, problems: Problems) -> list[Fact]:
    """Leave out text fields no real output has (a line of megabytes from a damaged or hostile
    file): they would only be carried through every rule, and durable_rules refuses a fact that
    large. An optional field is left unread; a fact whose required field is that long is dropped."""
    kept = []
    for fact in facts:
        long = [name for name, value in fact.fields.items() if isinstance(value, str) and len(value) > MAX_TEXT]
        if not long:
            kept.append(fact)
            continue
        kind = catalog.kinds.get(fact.kind)
        required = [name for name in long if kind is not None and name in kind.fields and kind.fields[name].required]
        for name in long:
            problems.add(fact.source.artifact, f"{fact.kind}.{name} is {len(fact.fields[name])} characters long; "
                         f"expected at most {MAX_TEXT}; left unread"
                         + (" with the rest of its record" if required else ""),
                         record=fact.source.record, lost=bool(required))
        if not required:
            kept.append(Fact(fact.kind, {k: v for k, v in fact.fields.items() if k not in long},
                             fact.source, fact.sources))
    return kept
