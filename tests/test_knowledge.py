"""The knowledge base holds together: every cause has a valid runbook, site directories override."""
from __future__ import annotations

import shutil

import pytest

from engine.errors import RuleLoadError, RunbookError
from engine.kb import shipped_dir
from engine.knowledge import RunbookLibrary, load_knowledge_base


EXPECTED_BEHAVIOUR = ["benign_outdated_binding", "partner_down_waiting_mclt", "recover_wait_within_mclt",
                      "startup_after_restart"]


def test_every_fault_has_a_runbook_that_validates_and_expected_behaviour_has_none(kb):
    runbooks = kb.runbooks.load_all()
    assert sorted(runbooks) == [c for c in kb.causes if c not in EXPECTED_BEHAVIOUR]
    assert all(runbooks[c].cause == c for c in runbooks)
    assert [c for c in kb.causes if kb.is_expected_behaviour(c)] == EXPECTED_BEHAVIOUR


def test_the_shipped_causes():
    assert load_knowledge_base().causes == [
        "benign_outdated_binding", "binding_update_backlog", "clock_skew", "cluster_node_naming",
        "config_drift", "database_problem", "intermittent_path", "partner_down_waiting_mclt",
        "partner_ip_changed", "partner_name_resolution", "partner_service_stopped",
        "partner_state_drift", "partner_unreachable", "pool_exhaustion", "port_647_blocked",
        "recover_wait_within_mclt", "relationship_corrupt", "server_not_authorized",
        "shared_secret_mismatch", "startup_after_restart", "time_service_unhealthy"]



def _site_rule(tmp_path, source_id: str, edit) -> None:
    source = (shipped_dir("rules") / f"{source_id}.yaml").read_text(encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(edit(source.replace(f"id: {source_id}", "id: my-rule")),
                                        encoding="utf-8")


def test_an_info_cause_needs_no_runbook_but_must_say_what_to_watch(tmp_path):
    _site_rule(tmp_path, "startup-after-restart",
               lambda s: s.replace("cause: startup_after_restart", "cause: my_expected_thing"))
    assert load_knowledge_base([tmp_path]).is_expected_behaviour("my_expected_thing")
    source = (shipped_dir("rules") / "startup-after-restart.yaml").read_text(encoding="utf-8")
    head, _, tail = source.partition("watch: >")
    tail = tail[tail.index("\nreferences:"):]
    (tmp_path / "mine.yaml").write_text((head + tail).replace("id: startup-after-restart", "id: my-rule"),
                                        encoding="utf-8")
    with pytest.raises(RuleLoadError, match="an info rule \\(expected behaviour\\) needs 'watch'"):
        load_knowledge_base([tmp_path])


def test_a_warning_rule_joining_an_expected_behaviour_cause_makes_it_a_fault_that_needs_a_runbook(tmp_path):
    _site_rule(tmp_path, "startup-after-restart", lambda s: s.replace("severity: info", "severity: warning"))
    with pytest.raises(RuleLoadError, match="cause 'startup_after_restart' has no runbook"):
        load_knowledge_base([tmp_path])


def test_a_link_to_a_cause_no_rule_concludes_is_rejected(tmp_path):
    _site_rule(tmp_path, "pool-exhaustion-events", lambda s: s.replace("consequence_of: [any]",
                                                                      "consequence_of: [clock_skwe]"))
    with pytest.raises(RuleLoadError, match="links to cause 'clock_skwe', which no rule concludes "
                                            "\\(did you mean 'clock_skew'\\?\\)"):
        load_knowledge_base([tmp_path])


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
