"""Reading YAML: every problem is one error naming file:line, never a traceback from PyYAML."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.catalog import load_catalog
from engine.errors import FodocError, KnowledgeBaseError
from engine.kb import shipped_dir
from engine.rules import load_rule
from engine.runbooks import load_runbook
from engine.simulate.scenario import load_scenario
from engine.site import load_site_config
from engine.yamlio import load_yaml

REPO = Path(__file__).resolve().parents[1]
CATALOG = load_catalog(shipped_dir("facts"))


def test_an_impossible_unquoted_date_names_its_line_and_key(tmp_path):
    path = tmp_path / "fodoc-site.yaml"
    path.write_text("suppress:\n  - rule: r\n    reason: x\n    until: 2026-02-30\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load_yaml(path)
    assert str(info.value) == (f"{path}:4: suppress[1].until: 2026-02-30 is not a valid date "
                               "(day is out of range for month)")


def test_an_impossible_time_is_named_a_time(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("when: 2026-11-29T25:00:00Z\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load_yaml(path)
    assert str(info.value) == (f"{path}:1: when: 2026-11-29T25:00:00Z is not a valid time "
                               "(hour must be in 0..23)")


@pytest.mark.parametrize("text,line", [
    ("match:\n\tside: {kind: pair}\n", 2),       # a tab where indentation goes
    ("title: x\n\tseverity: info\n", 2),
])
def test_a_tab_on_the_offending_line_gets_the_hint(tmp_path, text, line):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load_yaml(path)
    assert info.value.path == f"{path}:{line}"
    assert info.value.message.startswith("is not valid YAML: ")
    assert info.value.message.endswith(" (YAML does not allow tabs for indentation; use spaces)")


def test_no_tab_hint_without_a_tab(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("title: [x\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load_yaml(path)
    assert "tabs" not in info.value.message


def test_a_line_inside_a_value_is_known_where_the_value_keeps_the_files_lines(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: one\nb: |\n  two\n  three\nc: >-\n  four\n  five\nd: 'six\n  seven'\n",
                    encoding="utf-8")
    doc = load_yaml(path)
    assert [(doc.line_of(k), doc.value_line_of(k), doc.line_in_value(k, 2)) for k in "abcd"] == [
        (1, 1, 2), (2, 3, 4), (5, 0, 5), (8, 0, 8)]  # folded and quoted text joins lines


def _rule(tmp_path: Path) -> Path:
    path = tmp_path / "bndupd-queue-full.yaml"
    shutil.copy(REPO / "examples" / "site-rules" / "bndupd-queue-full.yaml", path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("count: {ge: 10}", "count: {ge: 10}\n      first: {gt: 2026-13-45}"),
                    encoding="utf-8")
    return path


def _runbook(tmp_path: Path) -> Path:
    path = tmp_path / "bndupd_queue_full.yaml"
    shutil.copy(REPO / "examples" / "site-rules" / "runbooks" / "bndupd_queue_full.yaml", path)
    path.write_text(path.read_text(encoding="utf-8") + "date: 2026-13-45\n", encoding="utf-8")
    return path


def _fact(tmp_path: Path) -> Path:
    folder = tmp_path / "facts"
    folder.mkdir()
    (folder / "thing.yaml").write_text("kind: thing\nsince: 2026-13-45\nfields: {a: {type: str}}\n",
                                       encoding="utf-8")
    return folder


def _site_config(tmp_path: Path) -> Path:
    path = tmp_path / "fodoc-site.yaml"
    path.write_text("suppress:\n  - {rule: r, reason: x, until: 2026-13-45}\n", encoding="utf-8")
    return path


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text("seed: 1\ncollected_at: 2026-13-45T09:00:00Z\nfaults: []\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("write,load,expected", [
    (_rule, lambda path: load_rule(path, CATALOG),
     "bndupd-queue-full.yaml:22: match.flood.where.first.gt: 2026-13-45 is not a valid date"),
    (_runbook, load_runbook, "bndupd_queue_full.yaml:98: date: 2026-13-45 is not a valid date"),
    (_fact, load_catalog, "facts/thing.yaml:2: since: 2026-13-45 is not a valid date"),
    (_site_config, load_site_config,
     "fodoc-site.yaml:2: suppress[1].until: 2026-13-45 is not a valid date"),
    (_scenario, load_scenario,
     "scenario.yaml:2: collected_at: 2026-13-45T09:00:00Z is not a valid time"),
], ids=["rule", "runbook", "fact", "site-config", "scenario"])
def test_every_loader_turns_an_impossible_date_into_one_line(tmp_path, write, load, expected):
    path = write(tmp_path)
    with pytest.raises(FodocError) as info:
        load(path)
    assert str(info.value) == f"{tmp_path}/{expected} (month must be in 1..12)"
