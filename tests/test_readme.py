"""The README's two commands stay true: CI runs the same test command, the example exists."""
from __future__ import annotations

import re
from pathlib import Path

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
