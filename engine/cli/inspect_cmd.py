"""`fodoc inspect`: what fodoc makes of each file, before asking it for a diagnosis.

When a customer's folder gives a surprising diagnosis, the first question is what was read:
which file was taken for which artifact (by its name or by its content), for which server, how
many records it gave, and what was wrong with it. This lists exactly that, from the same
extraction `diagnose` runs, so the two can never disagree.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..bundle import Bundle, BundleFile, looks_like_archive, open_bundles
from ..catalog import load_catalog
from ..errors import ArtifactError, BundleError
from ..extract import extract_facts
from ..kb import shipped_dir
from . import cli

SCHEMA = "fodoc.inspect/1"


@cli.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="Output format.")
def inspect(paths: tuple[Path, ...], fmt: str) -> None:
    """List each file of PATH (a bundle, a folder of loose files, or one file): recognised as
    which artifact, for which server, how many records, and its problems.

    PATH is opened exactly as `fodoc diagnose` opens it (several are merged, as are the zips in
    a folder); a damaged .zip or .tar.gz is an error, not a loose file.

    Exit code: 0 when every file was read, 1 when some file had problems, 3 when PATH cannot be
    read at all or holds no files.
    """
    bundle = _open(paths[0]) if len(paths) == 1 else open_bundles(list(paths))
    if not bundle.files and not bundle.skipped:
        raise BundleError(bundle.location, "has no files to inspect (expected a bundle folder, .zip or .tar.gz, "
                                           "a folder of outputs, or one output file)")
    extraction = extract_facts(bundle, load_catalog(shipped_dir("facts")))
    report = inventory(extraction)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(_text(report), nl=False)
    troubled = any(item["problems"] for item in report["files"]) or report["bundle_problems"]
    sys.exit(1 if troubled else 0)


def _open(path: Path) -> Bundle:
    """A bundle; a single file that is no archive is inspected as a folder holding just it."""
    if path.is_file() and not looks_like_archive(path):
        def read() -> bytes:
            try:
                return path.read_bytes()
            except OSError as exc:
                raise ArtifactError(path.name, f"cannot be read: {exc.strerror}") from None
        info = path.stat()
        return Bundle(str(path), [BundleFile(path.name, info.st_size, read, info.st_mtime, str(path))])
    return open_bundles([path])


def inventory(extraction) -> dict:
    """The per-file listing (and the capture) as plain data, the JSON output."""
    by_path: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for problem in extraction.problems:
        (notes if problem.note else by_path).setdefault(problem.path, []).append(problem.one_line())
    files = []
    for record in extraction.artifacts:
        files.append({
            "path": record.path,
            "artifact": f"{record.family}.{record.fmt}" if record.family else None,
            "server": record.server,
            "server_id": extraction.server_ids.get(record.server, record.server) if record.server else None,
            "records": record.records,
            "status": record.status,
            "recognised_by": record.recognised_by,
            "problems": by_path.pop(record.path, []),
            "notes": notes.pop(record.path, []),
        })
    folders: dict[str, list[str]] = {}
    for folder, server in sorted(extraction.server_ids.items()):
        folders.setdefault(server, []).append(folder)
    return {"schema": SCHEMA, "servers": extraction.servers, "folders": folders, "files": files,
            "bundle_problems": [line for lines in list(by_path.values()) + list(notes.values()) for line in lines],
            "capture": extraction.capture.as_dict()}


def _text(report: dict) -> str:
    lines = []
    for item in report["files"]:
        what = item["artifact"] or "-"
        server = _server(item["server"], item["server_id"])
        head = f"{item['path']}: {item['status']}"
        if item["status"] in ("read", "unreadable"):
            head += f" as {what} for {server}, {item['records']} record(s)"
        elif item["artifact"]:
            head += f" ({what})"
        lines.append(head)
        if item["recognised_by"] != "name" and item["status"] != "unplaced":  # unplaced: the problem says it
            lines.append(f"    {item['recognised_by']}")
        lines.extend(f"    problem: {p}" for p in item["problems"])
        lines.extend(f"    note: {n}" for n in item["notes"])
    lines.extend(f"(bundle) problem: {p}" for p in report["bundle_problems"])
    capture = report["capture"]
    if capture["collector"]:
        lines.append(f"captured by {capture['collector']} {capture['version'] or ''}".rstrip()
                     + (f" at {capture['created']}" if capture["created"] else ""))
    lines.extend(f"{server} collected at {when}" for server, when in capture["collected"].items())
    lines.extend(f"WARNING: {w}" for w in capture["warnings"])
    servers = ", ".join(_servers_entry(server, report["folders"].get(server, []))
                        for server in report["servers"]) or "none"
    lines.append(f"servers: {servers}; {len(report['files'])} file(s)")
    return "\n".join(lines) + "\n"


def _server(folder: str | None, server: str | None) -> str:
    """A server as the listing names it: its folder, and the id it resolved to when that differs
    ("DHCP-A (dhcp-a.contoso.com)"), so the file lines and the servers line say the same."""
    if folder is None:
        return "(no server)"
    return folder if server is None or server.lower() == folder.lower() else f"{folder} ({server})"


def _servers_entry(server: str, folders: list[str]) -> str:
    if len(folders) == 1:
        return _server(folders[0], server)
    return f"{server} (folders {', '.join(folders)})" if folders else server
