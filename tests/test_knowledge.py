"""The knowledge base holds together: every cause has a valid runbook, site directories override."""
from __future__ import annotations

import shutil

import pytest

from engine.errors import RuleLoadError, RunbookError
from engine.kb import shipped_dir
from engine.knowledge import RunbookLibrary, load_knowledge_base


def test_every_rule_cause_has_a_runbook_that_validates(kb):
    runbooks = kb.runbooks.load_all()
    assert sorted(runbooks) == kb.causes
    assert all(runbooks[c].cause == c for c in runbooks)


def test_the_shipped_causes():
    assert load_knowledge_base().causes == [
        "binding_update_backlog", "clock_skew", "cluster_node_naming", "config_drift", "database_problem",
        "partner_ip_changed", "partner_name_resolution", "partner_service_stopped", "partner_state_drift",
        "partner_unreachable", "port_647_blocked", "relationship_corrupt", "server_not_authorized",
        "shared_secret_mismatch"]


def test_rule_whose_cause_has_no_runbook_is_rejected(tmp_path):
    source = (shipped_dir("rules") / "port-647-blocked.yaml").read_text(encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(source.replace("id: port-647-blocked", "id: my-rule")
                                        .replace("cause: port_647_blocked", "cause: port_674_blocked"),
                                        encoding="utf-8")
    with pytest.raises(RuleLoadError) as info:
        load_knowledge_base([tmp_path])
    assert str(info.value).endswith("my-rule: cause 'port_674_blocked' has no runbook (expected "
                                    "runbooks/port_674_blocked.yaml) (did you mean 'port_647_blocked'?)")


def test_site_runbook_overrides_the_shipped_one(tmp_path):
    shutil.copy(shipped_dir("runbooks") / "clock_skew.yaml", tmp_path / "clock_skew.yaml")
    text = (tmp_path / "clock_skew.yaml").read_text(encoding="utf-8")
    (tmp_path / "clock_skew.yaml").write_text(text.replace("title:", "title: SITE", 1), encoding="utf-8")
    library = RunbookLibrary([shipped_dir("runbooks"), tmp_path])
    assert library.get("clock_skew").title.startswith("SITE")


def test_runbook_file_name_must_match_its_cause(tmp_path):
    shutil.copy(shipped_dir("runbooks") / "clock_skew.yaml", tmp_path / "time_skew.yaml")
    with pytest.raises(RunbookError, match=r"time_skew.yaml:1: cause: cause 'clock_skew' must match the file name \(time_skew.yaml\)"):
        RunbookLibrary([tmp_path]).get("time_skew")
