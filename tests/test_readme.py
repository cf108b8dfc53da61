"""The README's two commands stay true: CI runs the same test command, the example exists."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from engine.cli import main

REPO = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_starts_with_exactly_two_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    head = text.split("## ", 1)[0]
    assert len(re.findall(r"```sh\n", head)) == 2
    assert len(_readme_commands()[:2]) == 2


def test_ci_runs_the_readme_test_command():
    test_command = _readme_commands()[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_readme_example_bundle_exists():
    match = re.search(r"fodoc diagnose (\S+)", _readme_commands()[0])
    assert (REPO / match.group(1)).is_dir()


def _exit_code_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split("### Exit codes", 1)[1].split("\n### ", 1)[0]


def test_exit_code_3_is_nothing_usable_left_and_a_damaged_file_is_reported_not_fatal(tmp_path, capsys):
    section = " ".join(_exit_code_section().split())
    assert "| 3 | unknown: nothing usable was left to analyse, or the command itself cannot run" in section
    assert "A damaged *file* is not fatal" in section and "(2 when the other files still show a critical fault)" in section
    # ... and that is what happens: one garbage file, the fault still found, exit 2
    bundle = tmp_path / "bundle"
    shutil.copytree(REPO / "examples" / "bundles" / "port_647_blocked", bundle)
    (bundle / "DHCP-A" / "services.txt").write_bytes(b"\x1b[31m\xff\xfe{{{ garbage ]]\x00 not a service list")
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in ("diagnose", bundle, "--format", "json")])
    out = capsys.readouterr().out
    assert info.value.code == 2
    assert any(p.startswith("DHCP-A/services.txt") for p in json.loads(out)["problems"])
