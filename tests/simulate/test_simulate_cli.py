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
    kinds = [line for line in out.splitlines() if line and not line.startswith(" ")][:-1]
    assert any(line.split()[:3] == ["port_647_blocked", "->", "port_647_blocked"] for line in kinds)
    assert len(kinds) == 21


def test_simulate_lists_each_kinds_parameters_with_ranges_and_defaults(capsys):
    """An author found `drops` only through an error message; --list now shows it, its range, and
    what is used when it is not given."""
    code, out, _ = run(capsys, "simulate", "--list")
    lines = out.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("intermittent_path "))
    assert [" ".join(line.split()) for line in lines[at + 1:at + 3]] == [
        "drops=3..8 (whole number) how many times the path dropped; default: drawn by the seed from 3..8",
        "since_h=2..24 when it began, in hours before the collection; default: drawn by the seed from 2..24"]
    at = next(n for n, line in enumerate(lines) if line.startswith("clock_skew "))
    assert " ".join(lines[at + 2].split()) == (
        "seconds=61..86400 how far that clock is off, in seconds; default: drawn by the seed from 75..1800")
    assert lines[-1] == ("Set parameters with --fault KIND:name=value,... (or a scenario file); one not set is drawn "
                         "by the seed, so a seed always gives the same bundle.")
    code, help_text, _ = run(capsys, "simulate", "--help")
    assert "parameters, with their ranges and defaults: fodoc simulate --list" in " ".join(help_text.split())


def test_every_parameter_says_what_it_sets():
    from engine.simulate.faults import fault_kinds, param_help
    assert [(k.name, p.name) for k in fault_kinds().values() for p in param_help(k) if not p.about] == []


def test_the_simulator_page_lists_the_parameters_of_faults_yaml():
    from pathlib import Path

    from engine.simulate.faults import markdown_table
    page = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text(encoding="utf-8")
    assert markdown_table() in page, "docs/simulator.md: paste engine.simulate.faults.markdown_table() again"
    assert "| `intermittent_path` | `drops` | 3 to 8 (whole number) | drawn by the seed from 3 to 8 |" in page


@pytest.mark.parametrize("fault, name, value", [
    ("intermittent_path", "drops", None), ("benign_outdated_binding", "count", None),
    ("intermittent_path:drops=4", "drops", 4), ("benign_outdated_binding:count=120", "count", 120),
])
def test_counts_are_whole_numbers_in_the_manifest(fault, name, value, tmp_path, capsys):
    """`fodoc simulate` wrote "drops": 3.13 for intermittent_path: a count drawn as a float (and
    the effect silently used int(3.13))."""
    for seed in range(6):
        out = tmp_path / f"{seed}"
        code, _, _ = run(capsys, "simulate", "--fault", fault, "--seed", str(seed), "--out", str(out))
        assert code == 0
        manifest = json.loads((out / "manifest.json").read_text())
        [drawn] = manifest["simulation"]["faults"]
        assert type(drawn[name]) is int and (value is None or drawn[name] == value)
        if name == "drops":
            assert f"{drawn['drops']} path drops since" in json.dumps(manifest)


def test_a_count_with_a_fraction_is_refused(tmp_path, capsys):
    code, _, err = run(capsys, "simulate", "--fault", "intermittent_path:drops=3.5", "--out", str(tmp_path / "x"))
    assert code == 3
    assert err.strip() == ("fodoc: error: scenario intermittent_path: intermittent_path drops='3.5' is not a whole "
                           "number; expected 3 to 8")


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
