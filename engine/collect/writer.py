"""Write a Collection as a bundle (format failover-bundle/1): a .zip, or a folder.

Written atomically: a zip goes through a temporary file renamed into place, a folder is built
under a temporary name beside the target and renamed, so a reader (or an interrupted run) never
sees half a bundle. Only what the servers printed and the manifest go in: no credentials, no
connection details beyond the server names.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

from .. import __version__
from ..errors import UsageError
from ..fileio import staging_folder, write_bytes_atomically
from .collector import Collection
from .script import BUNDLE_FORMAT

COLLECTOR_NAME = "fodoc collect"


def manifest(collection: Collection) -> dict:
    return {
        "format": BUNDLE_FORMAT,
        "created": collection.created,
        "collector": {"name": COLLECTOR_NAME, "version": __version__},
        "servers": {s.name: {"collected_at": s.collected_at, "errors": s.errors} for s in collection.servers},
    }


def bundle_members(collection: Collection) -> dict[str, bytes]:
    """Bundle-relative path -> content, manifest.json included."""
    members = {"manifest.json": (json.dumps(manifest(collection), indent=2) + "\n").encode("utf-8")}
    for server in collection.servers:
        for name, data in sorted(server.files.items()):
            members[f"{server.name}/{name}"] = data
    return members


def write_bundle(collection: Collection, target: Path) -> None:
    """Write the bundle to `target`: a .zip archive if the name ends in .zip, else a new folder."""
    members = bundle_members(collection)
    if target.suffix.lower() == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, data in members.items():
                archive.writestr(path, data)
        write_bytes_atomically(target, buffer.getvalue())
        return
    if target.exists():
        raise UsageError(f"{target}: already exists; name a new folder or a .zip file")
    parent = target.resolve().parent
    if not parent.is_dir():
        raise UsageError(f"{target}: the folder {parent} does not exist")
    staging = staging_folder(parent / target.name)
    try:
        for path, data in members.items():
            destination = staging / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
