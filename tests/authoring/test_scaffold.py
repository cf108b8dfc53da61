"""`fodoc rules new`: files that pass lint and fail their test until filled in."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.authoring.fixtures import run_fixtures
from engine.authoring.lint import lint
from engine.authoring.scaffold import scaffold
from engine.docschema import schema_path
from engine.errors import UsageError
from engine.knowledge import load_knowledge_base
from engine.kb import shipped_dir


def test_scaffold_passes_lint_strictly_and_fails_its_test(tmp_path):
    made = scaffold("bndupd_queue_full", tmp_path / "site")
    assert made.rule == tmp_path / "site" / "bndupd-queue-full.yaml"
    assert made.runbook == tmp_path / "site" / "runbooks" / "bndupd_queue_full.yaml"
    report = lint([tmp_path / "site"], today=dt.date(2026, 12, 3))
    assert report.issues == [] and not report.failed(strict=True)
    kb = load_knowledge_base([tmp_path / "site"])
    [rule] = [r for r in kb.rules if r.id == "bndupd-queue-full"]
    results = run_fixtures([rule], kb.catalog, ("native",))
    assert [(r.expect, r.passed) for r in results] == [("fires", False), ("silent", True)]
    assert "  the fixture has no event fact at all" in results[0].diff


def test_scaffold_points_to_the_fact_catalog_command_not_a_repository_folder(tmp_path):
    made = scaffold("bndupd_queue_full", tmp_path)
    text = " ".join(made.rule.read_text(encoding="utf-8").split())
    assert "`fodoc rules facts` lists the fact kinds, `fodoc rules facts event` the fields of one." in text
    assert "facts/" not in text


def test_scaffold_points_editors_at_the_schemas(tmp_path):
    made = scaffold("bndupd_queue_full", tmp_path)
    for path, document in ((made.rule, "rule"), (made.runbook, "runbook")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix)
        assert (path.parent / first[len(prefix):]).resolve() == schema_path(document)


def test_an_existing_cause_gets_only_a_rule(tmp_path):
    existing = shipped_dir("runbooks") / "port_647_blocked.yaml"
    made = scaffold("port_647_blocked", tmp_path, rule_id="port-647-seen-by-ips", existing_runbook=existing)
    assert made.runbook is None and sorted(p.name for p in tmp_path.rglob("*")) == ["port-647-seen-by-ips.yaml"]
    assert [i for i in lint([tmp_path]).issues if i.severity != "note"] == []


def test_scaffold_never_overwrites(tmp_path):
    scaffold("bndupd_queue_full", tmp_path)
    with pytest.raises(UsageError, match="bndupd-queue-full.yaml: already exists"):
        scaffold("bndupd_queue_full", tmp_path, rule_id="bndupd-queue-full")
    # without --id the second rule sits beside the first and uses the runbook written with it
    again = scaffold("bndupd_queue_full", tmp_path)
    assert (again.rule_id, again.runbook, again.adds_to) == ("bndupd-queue-full-site", None, ("bndupd-queue-full",))


@pytest.mark.parametrize("cause,rule_id,message", [
    ("Queue-Full", None, "must be lower_snake_case"),
    ("queue_full", "Queue_Full", "must be lower-case letters, digits and hyphens"),
])
def test_bad_names_are_refused(tmp_path, cause, rule_id, message):
    with pytest.raises(UsageError, match=message):
        scaffold(cause, tmp_path, rule_id=rule_id)
    assert not any(tmp_path.iterdir())


def test_a_rule_for_an_existing_cause_gets_an_id_of_its_own(tmp_path):
    existing = shipped_dir("runbooks") / "port_647_blocked.yaml"
    made = scaffold("port_647_blocked", tmp_path, existing_runbook=existing)
    assert (made.rule_id, made.replaces, made.rule.name) == ("port-647-blocked-site", None, "port-647-blocked-site.yaml")
    assert "port-647-blocked" in made.adds_to and "port-647-firewall-rule" in made.adds_to
    text = made.rule.read_text(encoding="utf-8")
    assert "# This rule ADDS a way to detect the existing cause port_647_blocked; it replaces none of its\n" in text
    assert "#   fodoc rules new port_647_blocked --id <rule id>\n" in text
    # the shipped rule is still there, beside the new one
    ids = [r.id for r in load_knowledge_base([tmp_path]).rules if r.cause == "port_647_blocked"]
    assert "port-647-blocked" in ids and "port-647-blocked-site" in ids
    assert [i.check for i in lint([tmp_path]).issues if i.check == "overrides-shipped"] == []
    # a second one does not collide with the first
    again = scaffold("port_647_blocked", tmp_path, existing_runbook=existing)
    assert again.rule_id == "port-647-blocked-site-2"


def test_replacing_a_shipped_rule_takes_an_explicit_id(tmp_path):
    existing = shipped_dir("runbooks") / "port_647_blocked.yaml"
    made = scaffold("port_647_blocked", tmp_path, rule_id="port-647-blocked", existing_runbook=existing)
    assert (made.rule_id, made.replaces) == ("port-647-blocked", "port-647-blocked")
    assert "ADDS" not in made.rule.read_text(encoding="utf-8")
    assert [i.check for i in lint([tmp_path]).issues] == ["overrides-shipped"]


def test_a_new_cause_keeps_the_plain_id(tmp_path):
    made = scaffold("bndupd_queue_full", tmp_path, existing_rules={})
    assert (made.rule_id, made.adds_to, made.replaces) == ("bndupd-queue-full", (), None)
    assert "ADDS" not in made.rule.read_text(encoding="utf-8")
