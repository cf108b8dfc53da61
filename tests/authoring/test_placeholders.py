"""Runbooks shown without a diagnosis name their hosts '<server>' and '<partner>' everywhere."""
from __future__ import annotations

from engine.authoring.placeholders import render_with_placeholders
from engine.knowledge import load_knowledge_base


def test_backup_paths_read_server_like_every_other_placeholder():
    rendered = render_with_placeholders(load_knowledge_base().runbooks.get("clock_skew"))
    [capture] = [step for step in rendered.fix if step.id == "record-time-config"]
    assert capture.target == "<server>"
    assert "-Path 'C:\\ProgramData\\failover-doctor\\backup\\<server>-clock_skew.xml'" in capture.command
    assert "_server_" not in capture.command


def test_backup_paths_on_both_hosts_name_each_host():
    rendered = render_with_placeholders(load_knowledge_base().runbooks.get("config_drift"))
    backups = {step.target: step.command for step in rendered.fix if step.backup}
    assert set(backups) == {"<server>", "<partner>"}
    for host, command in backups.items():
        assert f"backup\\{host}-config_drift.xml'" in command
        assert "_server_" not in command and "_partner_" not in command
