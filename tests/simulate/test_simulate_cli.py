"""`fodoc simulate` and `fodoc eval` end to end through the CLI."""
from __future__ import annotations

import json

import pytest

from engine.cli import main


def run(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_simulate_writes_a_zip_that_diagnose_reads(tmp_path, capsys):
    out = tmp_path / "pair.zip"
    code, _, err = run(capsys, "simulate", "--fault", "clock-skew:side=b,seconds=95", "--seed", "4", "--out", str(out))
    assert code == 0 and "expected cause: clock_skew" in err
    code, report, _ = run(capsys, "diagnose", str(out), "--engine", "native", "--format", "json")
    assert code == 2 and json.loads(report)["findings"][0]["cause"] == "clock_skew"


def test_simulate_rejects_an_unknown_kind_in_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "simulate", "--fault", "dns-broken", "--out", str(tmp_path / "x"))
    assert code == 3
    assert err.strip().splitlines() == [
        "fodoc: error: --fault dns-broken: unknown fault kind 'dns-broken'; 'fodoc simulate --list' shows them"]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("value", ["-5", "30", "60", "1e9", "nan"])
def test_simulate_refuses_a_clock_skew_that_is_none(value, tmp_path, capsys):
    """Windows drops a partner's messages only beyond 60 s (failover-knowledge.md §6 RC3): a
    'clock_skew' of 30 s, or of a billion seconds, would be a scenario that diagnoses nothing real."""
    code, _, err = run(capsys, "simulate", "--fault", f"clock_skew:seconds={value}", "--out", str(tmp_path / "x.zip"))
    assert code == 3
    assert err.strip() == (f"fodoc: error: scenario clock_skew: clock_skew seconds={value!r} is out of range; "
                           "expected 61 to 86400")
    assert not (tmp_path / "x.zip").exists()


def test_simulate_lists_every_kind_with_its_cause(capsys):
    code, out, _ = run(capsys, "simulate", "--list")
    assert code == 0
    assert any(line.split()[:3] == ["port_647_blocked", "->", "port_647_blocked"] for line in out.splitlines())
    assert len(out.splitlines()) == 21


def test_eval_reports_accuracy_and_draws_every_kind_the_rules_know(capsys):
    code, out, _ = run(capsys, "eval", "--scenarios", "5", "--seed", "3", "--engine", "native", "--format", "json")
    report = json.loads(out)
    assert report["scenarios"] == 5 and report["faults_per_scenario"] == 1
    assert report["skipped_kinds"] == {}  # the knowledge base knows every simulated cause
    assert sum(row["n"] for row in report["per_cause"].values()) == report["faulty"]
    assert report["healthy"] + report["faulty"] == 5
    assert code == (1 if report["misses"] else 0)
    for miss in report["misses"]:
        assert miss["replay"].startswith("fodoc simulate --fault ")
