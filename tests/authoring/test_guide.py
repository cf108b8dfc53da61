"""docs/authoring.md shows the example site rule as it is shipped, and names real commands."""
from __future__ import annotations

import re
from pathlib import Path

from engine.cli import cli

REPO = Path(__file__).resolve().parents[2]
GUIDE = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")


def test_the_finished_rule_in_the_guide_is_the_example_file():
    block = GUIDE.split("(also in `examples/site-rules/bndupd-queue-full.yaml`):\n\n```yaml\n")[1].split("```")[0]
    example = (REPO / "examples" / "site-rules" / "bndupd-queue-full.yaml").read_text(encoding="utf-8")
    assert example.split("\n", 1) == [example.splitlines()[0], block]
    assert example.startswith("# yaml-language-server: $schema=../../engine/schemas/rule.schema.json\n")


def test_every_fodoc_command_in_the_guide_exists():
    rules_group = cli.commands["rules"]
    for line in re.findall(r"^\$ fodoc (.+)$", GUIDE, flags=re.MULTILINE):
        words = line.split()
        command = cli.commands.get(words[0])
        assert command is not None, line
        if words[0] == "rules":
            assert words[1] in rules_group.commands, line
