"""A collected bundle on disk gets the modes an admin's umask gives, as files made with `>` do."""
from __future__ import annotations

import contextlib
import os
import stat
import zipfile
from pathlib import Path

import pytest

from engine.collect.collector import Collection, ServerCollection
from engine.collect.writer import write_bundle

from .conftest import A, served


@contextlib.contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def _collection() -> Collection:
    server = ServerCollection(A, collected_at="2026-12-03T10:00:00Z")
    server.files["computer.json"] = (served("healthy")[0] / "computer.json").read_bytes()
    return Collection([server], "2026-12-03T10:00:05Z")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask, folder_mode, file_mode", [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_a_folder_bundle_gets_the_umask_modes(mask, folder_mode, file_mode, tmp_path):
    target = tmp_path / "bundle"
    with umask(mask):
        write_bundle(_collection(), target)
    assert (mode(target), mode(target / A / "computer.json"), mode(target / "manifest.json")) == \
        (folder_mode, file_mode, file_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


def test_a_zip_bundle_gets_the_umask_mode(tmp_path):
    target = tmp_path / "bundle.zip"
    with umask(0o022):
        write_bundle(_collection(), target)
    assert mode(target) == 0o644
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == [f"{A}/computer.json", "manifest.json"]
