"""docs/authoring.md shows the example site rule as it is shipped, and names real commands."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from engine.cli import cli, main

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


def _console_examples():
    """(command, shown output) for every `$ fodoc ...` in the guide that shows its output."""
    for block in re.findall(r"```console\n(.*?)```", GUIDE, flags=re.S):
        command, output = None, []
        for line in block.splitlines() + ["$ end"]:
            if line.startswith("$ "):
                if command and output:
                    yield command, output
                command, output = line[2:].split("  #")[0].strip(), []
            elif command:
                output.append(line)


# Commands whose output does not depend on the files the reader has written so far (the others
# show a site directory mid-edit; the example site directory pins their end state).
STATELESS = [(c, o) for c, o in _console_examples() if c.startswith("fodoc") and " site-rules" not in c]


def test_the_guide_shows_stateless_output_examples():
    assert {c.split(" |")[0] for c, _ in STATELESS} == {
        "fodoc rules list", "fodoc explain binding_update_backlog", "fodoc rules facts event",
        "fodoc diagnose examples/bundles/binding_update_backlog --rules-dir examples/site-rules"}


@pytest.mark.parametrize("command,shown", STATELESS, ids=[c for c, _ in STATELESS])
def test_the_guide_shows_what_the_command_prints(command, shown, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    words, *pipes = [part.strip() for part in command.split("|")]
    with pytest.raises(SystemExit):
        main(shlex.split(words)[1:])
    lines = capsys.readouterr().out.splitlines()
    for pipe in pipes:
        tool, *args = shlex.split(pipe)
        if tool == "head":
            lines = lines[:int(args[0][1:])]
        else:
            assert (tool, args[0]) == ("grep", "-i"), pipe
            lines = [line for line in lines if args[1].lower() in line.lower()]
    assert lines == shown


def test_the_cmdlet_catalog_extension_in_the_guide_is_valid(tmp_path):
    from engine.cmdletcatalog import catalog_with
    from engine.pscheck import check_powershell

    block = GUIDE.split("in the format of the shipped\n`engine/data/cmdlets.yaml`:\n\n```yaml\n")[1].split("```")[0]
    (tmp_path / "cmdlets.yaml").write_text(block, encoding="utf-8")
    catalog = catalog_with([tmp_path / "cmdlets.yaml"])
    assert check_powershell("Get-ContosoDhcpHealth -ComputerName 'a' -Detailed; Get-Date -AsUTC; "
                            "contosoprobe /verbose", catalog) == []
