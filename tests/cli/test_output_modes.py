"""Every file fodoc writes gets the mode the umask implies, as `>` would give it (was 0600)."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from engine.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "bundles"
A_RULE_FILE = sorted((REPO / "rules").glob("*.yaml"))[0]

COMMANDS = {
    "diagnose -o": ("diagnose", str(EXAMPLES / "healthy"), "-o", "{out}"),
    "analyze -o": ("analyze", str(EXAMPLES), "--jobs", "1", "--format", "csv", "-o", "{out}"),
    "diagnose --script": ("diagnose", str(EXAMPLES / "clock_skew"), "--script", "{out}"),
    "collector-script -o": ("collector-script", "-o", "{out}"),
    "rules lint -o": ("rules", "lint", "-o", "{out}"),
    "rules test --junit": ("rules", "test", str(A_RULE_FILE), "--engine", "native", "-q", "--junit", "{out}"),
    "simulate --out zip": ("simulate", "--fault", "clock_skew", "--out", "{out}.zip"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_written_files_get_the_umask_mode(command, tmp_path, capsys):
    out = tmp_path / "written"
    args = [a.format(out=out) for a in COMMANDS[command]]
    old = os.umask(0o027)
    try:
        with pytest.raises(SystemExit):
            main(args)
    finally:
        os.umask(old)
    capsys.readouterr()
    (written,) = list(tmp_path.iterdir())
    assert (written.name.startswith("written"), stat.S_IMODE(written.stat().st_mode)) == (True, 0o640)


def test_a_simulated_folder_bundle_gets_the_umask_mode(tmp_path, capsys):
    """`simulate --out FOLDER` builds in a staging folder and renames it: 0750 under umask 027,
    as mkdir gives (it was 0700, from tempfile.mkdtemp)."""
    out = tmp_path / "bundle"
    old = os.umask(0o027)
    try:
        with pytest.raises(SystemExit):
            main(["simulate", "--fault", "clock_skew", "--seed", "3", "--out", str(out)])
    finally:
        os.umask(old)
    capsys.readouterr()
    assert stat.S_IMODE(out.stat().st_mode) == 0o750
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()} == {0o640}
