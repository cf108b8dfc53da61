"""Capture manifest on read: collector, collection times, and warnings about mismatched times."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from engine.bundle import open_bundle
from engine.capture import ARTIFACT_AGE, SERVER_GAP, read_capture
from engine.pipeline import Analyzer

EXAMPLES = Path(__file__).parent.parent / "examples" / "bundles"


def copy(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(EXAMPLES / case, target)
    return target


def test_collector_and_times_are_reported_without_warnings():
    capture = Analyzer("native").analyze(EXAMPLES / "port_647_blocked").capture
    assert capture == {"collector": "Collect-FailoverFacts.ps1", "version": "0.1.0",
                       "created": "2026-11-30T09:00:07Z",
                       "collected": {"dhcp-a.contoso.com": "2026-11-30T09:00:00Z",
                                     "dhcp-b.contoso.com": "2026-11-30T09:00:00Z"},
                       "warnings": []}


def test_servers_collected_far_apart_are_warned_about(tmp_path):
    bundle = copy("port_647_blocked", tmp_path)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    manifest["servers"]["DHCP-B"]["collected_at"] = "2026-11-30T09:40:00Z"
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    capture = Analyzer("native").analyze(bundle).capture
    assert capture["collected"]["dhcp-b.contoso.com"] == "2026-11-30T09:40:00Z"
    assert capture["warnings"] == [
        "dhcp-a.contoso.com was collected at 2026-11-30T09:00:00Z and dhcp-b.contoso.com at 2026-11-30T09:40:00Z, "
        "40 min apart (more than 15 min): the two sides may show different moments, so a state that differs "
        "between them may only be the time between the captures"]


def test_gap_within_the_threshold_is_fine(tmp_path):
    bundle = copy("port_647_blocked", tmp_path)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    manifest["servers"]["DHCP-B"]["collected_at"] = "2026-11-30T09:14:00Z"
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert Analyzer("native").analyze(bundle).capture["warnings"] == []


def test_a_file_much_older_than_its_siblings_is_warned_about(tmp_path):
    bundle = copy("port_647_blocked", tmp_path)
    newest = max(p.stat().st_mtime for p in (bundle / "DHCP-B").iterdir())
    old = bundle / "DHCP-B" / "failover.txt"
    os.utime(old, (newest - 3 * 86400, newest - 3 * 86400))
    text = Analyzer("native").analyze(bundle)
    assert text.capture["warnings"] == [
        "DHCP-B/failover.txt is 3 days older than the newest file of dhcp-b.contoso.com (more than 24 h): it may "
        "come from an earlier capture"]


def test_thresholds():
    assert (SERVER_GAP.total_seconds(), ARTIFACT_AGE.total_seconds()) == (900, 86400)


def test_without_manifest_or_times_there_is_nothing_to_say(tmp_path):
    bundle = open_bundle(EXAMPLES / "healthy")
    capture = read_capture(bundle, {}, [], str.lower, {})
    assert capture.as_dict() == {"collector": None, "version": None, "created": None, "collected": {},
                                 "warnings": []}
