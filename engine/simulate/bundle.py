"""A simulated pair as bundle files, and writing them as a folder or .zip, atomically and
byte-identically for a seed (sorted names, fixed zip timestamps, no wall-clock anywhere)."""
from __future__ import annotations

import io
import json
import os
import random
import shutil
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from .. import __version__
from ..errors import UsageError
from ..fileio import staging_folder, write_bytes_atomically
from . import eventlog as ev
from .flavours import ENCODINGS, FLAVOURS, SHELLS, choose, encode, readable
from .model import Host, World
from .render import artifacts as art
from .render.events import to_csv, to_json, to_xml
from .render.psjson import dumps
from .render.pstext import format_list, format_table
from .run import Simulated

_LOG_FILES = {ev.ADMIN: "DhcpAdminEvents", ev.OPERATIONAL: "Microsoft-Windows-Dhcp-Server-Operational",
              ev.SYSTEM: "System"}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def bundle_files(sim: Simulated, all_flavours: bool = False,
                 collector_forms: Optional[Mapping[str, str]] = None) -> dict[str, bytes]:
    """Every file of the bundle, by bundle-relative path.

    `collector_forms` (artifact -> file extension, e.g. from the probe catalog) renders each
    artifact the way a collector captures it rather than in a form drawn by the seed: what an
    emulated server answers to a live probe (tests/collect). Without it, the draw (and so every
    existing seed's bytes) is unchanged.
    """
    def pick(forms: tuple[str, ...], shell: str, artifact: str):
        wanted = (collector_forms or {}).get(artifact)
        if wanted:  # the probe's own form: JSON as ConvertTo-Json writes it, text as Format-List
            fitting = [f for f in FLAVOURS.values() if f.form in forms and shell in f.shells and f.enabled
                       and f.ext == wanted and f.form in ("json", "list", "text", "events-json")
                       and f.name != "events-json-depth2"]
            if fitting:
                return rng.choice(sorted(fitting, key=lambda f: f.name))
        return choose(rng, forms, shell, all_flavours)

    world = sim.world
    rng = random.Random(f"render-{world.seed}")
    files: dict[str, bytes] = {}
    forms: dict[str, str] = {}
    for side in ("a", "b"):
        host = world.hosts[side]
        if not host.reachable:
            continue
        shell = rng.choice(SHELLS)
        for output in _outputs(world, host):
            if output.family == "failover" and any(a == "failover" for a, _ in host.collector_errors):
                continue
            flavour = pick(output.forms, shell, output.family)
            text = _render(output, flavour.name, shell)
            path = f"{host.folder}/{output.stem}.{flavour.ext}"
            if output.family == "failover" and not output.records:
                # no relationship: the collector writes [] (an empty output would be read as a
                # capture that failed, not as a server without relationships)
                text, path = "[]\n", f"{host.folder}/{output.stem}.json"
            if readable(path):
                encoding = rng.choice(ENCODINGS[shell])
                files[path] = encode(text, encoding)
                forms[path] = f"{flavour.name} {encoding}"
        _number_events(host)
        for log, stem in _LOG_FILES.items():
            records = [r for r in host.events if r.log == log]
            if not records and log != ev.ADMIN:
                continue
            flavour = pick(("events-json", "events-xml", "events-csv"), shell, f"events-{stem}")
            if flavour.form == "events-xml":
                text = to_xml(records, host.fqdn, host.clock_offset_s)
            elif flavour.form == "events-csv":
                text = to_csv(records, host.clock_offset_s, host.zone[1])
            else:
                text = to_json(records, host.fqdn, host.clock_offset_s, host.zone[1], shell,
                               depth=2 if flavour.name == "events-json-depth2" else 3)
            path = f"{host.folder}/events-{stem}.{flavour.ext}"
            if readable(path):
                encoding = rng.choice(ENCODINGS[shell])
                files[path] = encode(text, encoding)
                forms[path] = f"{flavour.name} {encoding}"
    files["manifest.json"] = _manifest(sim, forms).encode("utf-8")
    return dict(sorted(files.items()))


def _outputs(world: World, host: Host) -> list[art.Output]:
    partner = world.hosts[world.other(host.side)]
    target = (host.relationship or {}).get("partner_server") or partner.fqdn
    outputs = [art.computer(world, host), art.failover(world, host), art.services(world, host),
               art.firewall(world, host), art.w32tm_status(world, host), art.stripchart(world, host, target),
               art.probe(world, host, target), art.dns(world, host, partner.fqdn)]
    outputs += [make(world, host) for make in art.CONFIGURATION]
    return outputs


def _render(output: art.Output, flavour: str, shell: str) -> str:
    if output.text is not None:
        return output.text
    records = output.records
    if output.family == "failover":
        records_list = [art.failover_list_view(r) for r in records]
    elif output.family == "services":
        records_list = [art.services_list_view(r) for r in records]
    elif output.family == "tnc":
        records_list = [art.probe_list_view(r) for r in records]
        records = [art.probe_json(r) for r in records]
    else:
        records_list = records
    if flavour in ("format-list", "format-table", "format-table-cim"):
        if flavour != "format-list":
            cols = output.table_columns or (tuple(records_list[0]) if records_list else ())
            body = format_table([{c: r.get(c) for c in cols} for r in records_list], output.table_widths)
        else:
            body = format_list(records_list) if records_list else ""
        return output.prefix + body
    if not records:
        return ""
    if output.cim_class:
        records = [_with_cim_members(r, output.cim_class) for r in records]
    value = records if len(records) > 1 else records[0]
    return dumps(value, shell, enums_as_strings=flavour == "ps7-json-enums-as-strings") + "\n"


def _with_cim_members(record: dict, cim_class: str) -> dict:
    """What ConvertTo-Json adds to a CIM instance at the default depth [S32]: the class and the
    instance properties flattened to their text (`Name = "value"`), which readers must ignore."""
    flattened = [f"{key} = {json.dumps(str(value))[:40]}" if value is not None else key
                 for key, value in record.items()]
    return {**record, "PSComputerName": None, "CimClass": f"ROOT/Microsoft/Windows/DHCP:{cim_class}",
            "CimInstanceProperties": flattened,
            "CimSystemProperties": "Microsoft.Management.Infrastructure.CimSystemProperties"}


def _number_events(host: Host) -> None:
    """RecordIds ascend with time within each log, from a per-log starting number."""
    numbered = []
    for log in sorted({r.log for r in host.events}):
        start = {ev.ADMIN: 4000, ev.OPERATIONAL: 120, ev.SYSTEM: 73000}.get(log, 1)
        for n, record in enumerate(sorted((r for r in host.events if r.log == log),
                                          key=lambda r: (r.time, r.event_id, r.params))):
            numbered.append(type(record)(record.log, record.provider, record.event_id, record.time,
                                         record.params, start + n))
    host.events[:] = numbered


def _manifest(sim: Simulated, forms: dict[str, str]) -> str:
    world = sim.world
    servers = {}
    for side in ("a", "b"):
        host = world.hosts[side]
        collected = (world.end.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ") if host.reachable else None)
        servers[host.folder] = {"collected_at": collected,
                                "errors": [{"artifact": a, "message": m} for a, m in host.collector_errors]}
    doc = {
        "format": "failover-bundle/1",
        "created": (world.end.replace(microsecond=0)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "collector": {"name": "fodoc simulate", "version": __version__},
        "servers": servers,
        "simulation": {"seed": world.seed, "scenario": sim.scenario.name,
                       "faults": [{"kind": k, **{p: v for p, v in sorted(params.items())}} for k, params in sim.faults],
                       "noise": [k for k, _ in sim.scenario.noise], "story": world.notes,
                       "forms": forms},
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def write_bundle(files: dict[str, bytes], out: Path) -> None:
    """A folder, or a .zip when `out` ends in .zip; never half-written. A .zip replaces an older
    one atomically; a folder is never written into an existing, non-empty one."""
    if out.suffix.lower() == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, data in sorted(files.items()):
                info = zipfile.ZipInfo(path, _ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        write_bytes_atomically(out, buffer.getvalue())
        return
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out}: already exists; simulate writes a new folder (or name a .zip)")
    parent = out.resolve().parent
    if not parent.is_dir():
        raise UsageError(f"{out}: the folder {parent} does not exist")
    staging = staging_folder(parent / out.name)  # the umask's mode, as mkdir gives (mkdtemp: 0700)
    try:
        for path, data in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
