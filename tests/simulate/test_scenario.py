"""Scenario files and --fault options: what they may say, and one clear line when they are wrong."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import UsageError
from engine.simulate.faults import find_kind, parse_fault_option
from engine.simulate.scenario import load_scenario

SHIPPED = sorted((Path(__file__).parents[2] / "engine" / "simulate" / "scenarios").glob("*.yaml"))


def test_fault_options_name_kinds_in_either_spelling():
    assert parse_fault_option("clock-skew:side=b,seconds=95") == ("clock_skew", {"side": "b", "seconds": "95"})
    assert parse_fault_option("port647-blocked") == ("port_647_blocked", {})


def test_an_unknown_kind_suggests_the_nearest():
    with pytest.raises(UsageError, match=r"unknown fault kind 'clock_skw' \(did you mean clock_skew\?\)"):
        find_kind("clock_skw", "--fault clock_skw")


@pytest.mark.parametrize("text, message", [
    ("clock_skew:side=c", r"clock_skew side='c' is not one of a, b"),
    ("clock_skew:secs=5", r"fault clock_skew has no parameter 'secs'"),
    ("clock_skew:seconds=lots", r"clock_skew seconds='lots' is not a number"),
    ("clock_skew:side", r"expected KIND\[:name=value,...\], got 'side'"),
])
def test_bad_parameters_are_one_line_naming_the_parameter(text, message):
    import random

    with pytest.raises(UsageError, match=message):
        kind, params = parse_fault_option(text)
        find_kind(kind, text).draw(random.Random(0), params, f"--fault {text}")


def test_a_scenario_file_is_checked_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("seed: 3\nfaults:\n  - {kind: clock-skew, side: b}\n  - {kind: port647-blocked, where: moon}\n")
    with pytest.raises(UsageError, match=r"bad.yaml: faults\[2\] \(line 4\): port_647_blocked where='moon'"):
        load_scenario(path)


def test_a_scenario_file_seed_is_overridden_by_the_command_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("seed: 3\ncollected_at: 2026-12-01T08:00:00Z\nfaults: [{kind: clock-skew, seconds: 95}]\n")
    assert load_scenario(path).seed == 3
    scenario = load_scenario(path, seed=9)
    assert (scenario.seed, scenario.faults, scenario.collected_at.isoformat()) == \
        (9, [("clock_skew", {"seconds": 95})], "2026-12-01T08:00:00+00:00")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_load(path):
    assert load_scenario(path).name


def test_the_issue_example_scenario_runs(tmp_path):
    """`faults: [{kind: port647-blocked, direction: b->a}, {kind: clock-skew, server: b, seconds: 95}]`"""
    from engine.simulate.run import run_scenario

    path = tmp_path / "issue.yaml"
    path.write_text("seed: 2\nfaults:\n  - {kind: port647-blocked, direction: b->a}\n"
                    "  - {kind: clock-skew, server: b, seconds: 95}\n")
    sim = run_scenario(load_scenario(path))
    (first, blocked), (second, skew) = sim.faults
    assert (first, blocked["direction"], second, skew["side"], skew["seconds"]) == \
        ("port_647_blocked", "b->a", "clock_skew", "b", 95.0)
    assert sim.world.blocked_647 == {"b->a"}
    assert 94 <= abs(sim.world.hosts["b"].clock_offset_s - sim.world.hosts["a"].clock_offset_s) <= 96


def test_a_count_is_drawn_as_every_whole_number_of_its_range():
    import random

    kind = find_kind("intermittent_path", "test")
    rng = random.Random(7)
    drawn = [kind.draw(rng, {}, "test")["drops"] for _ in range(400)]
    assert set(drawn) == {3, 4, 5, 6, 7, 8} and all(type(d) is int for d in drawn)


def test_a_count_with_a_fractional_range_is_a_knowledge_base_error(monkeypatch):
    from engine.errors import KnowledgeBaseError
    from engine.simulate import faults

    text = ("k:\n  cause: c\n  severity: info\n  summary: s\n  reference: r\n  effects: []\n"
            "  params:\n    drops: {range: [2.5, 8], type: int}\n")
    monkeypatch.setattr(faults, "safe_load_text", lambda _: __import__("yaml").safe_load(text))
    faults.fault_kinds.cache_clear()
    try:
        with pytest.raises(KnowledgeBaseError, match="a count \\(type: int\\) needs whole-number range and limits"):
            faults.fault_kinds()
    finally:
        faults.fault_kinds.cache_clear()


@pytest.mark.parametrize("written,problem", [
    ("2026-12-01 08:00:00", "2026-12-01T08:00:00 has no time zone: add a time zone, e.g. Z for UTC "
                            "(2026-11-29T23:00:00Z)"),
    ('"tomorrow"', "'tomorrow' is not a time: expected an ISO-8601 time such as 2026-11-29T23:00:00Z"),
])
def test_collected_at_must_be_a_time_with_a_zone(tmp_path, written, problem):
    path = tmp_path / "s.yaml"
    path.write_text(f"seed: 3\ncollected_at: {written}\nfaults: []\n")
    with pytest.raises(UsageError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}:2: collected_at: {problem}"


def test_collected_at_quoted_or_not_with_an_offset_is_utc(tmp_path):
    path = tmp_path / "s.yaml"
    for written in ('"2026-12-01T09:00:00+01:00"', "2026-12-01T09:00:00+01:00"):
        path.write_text(f"seed: 3\ncollected_at: {written}\nfaults: []\n")
        assert load_scenario(path).collected_at.isoformat() == "2026-12-01T08:00:00+00:00"
