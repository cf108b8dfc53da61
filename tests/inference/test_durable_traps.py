"""The durable_rules adapter guards each trap of durable_rules 2.0.28 (see engine/inference/durable.py)."""
from __future__ import annotations

import threading
import textwrap

import pytest

from engine.catalog import load_catalog
from engine.facts import Fact, Source
from engine.inference import create_engine, durable_available, prepare_facts
from engine.kb import shipped_dir
from engine.rules import RuleCompiler, load_rules
from engine.yamlio import safe_load_text

# Where durable_rules cannot be built (Windows, Python 3.13) these tests do not apply; CI sets
# FODOC_REQUIRE_DURABLE=1, and tests/conftest.py then fails the run if it is missing.
pytestmark = pytest.mark.skipif(not durable_available(), reason="durable_rules is not installed")

CATALOG = load_catalog(shipped_dir("facts"))
S = Source("test")


def _rule(text: str):
    return RuleCompiler("inline.yaml", CATALOG).compile(safe_load_text(textwrap.dedent(text)))


def _keys(engine, facts):
    return [m.key() for m in engine.evaluate(prepare_facts(facts, CATALOG))]


REGEX_RULE = """\
    id: regex-rule
    cause: port_647_blocked
    title: t
    severity: warning
    status: experimental
    confidence: 0.5
    match:
      probe: {kind: tcp_probe, where: {target_address: {regex: '^dhcp-\\d+\\.contoso\\.com$'}, ok: false}}
    subject: {server: probe.source}
    explain: x
"""


def test_regexes_use_python_semantics_not_durables_dialect():
    rule = _rule(REGEX_RULE)
    facts = [Fact("tcp_probe", {"source": "a", "target": "b", "target_address": "dhcp-2.contoso.com",
                                "port": 647, "ok": False}, S),
             Fact("tcp_probe", {"source": "a", "target": "c", "target_address": "dhcp-x.contoso.com",
                                "port": 647, "ok": False}, S)]
    native, durable = create_engine("native", [rule]), create_engine("durable", [rule])
    assert len(_keys(native, facts)) == 1
    assert _keys(durable, facts) == _keys(native, facts)


def test_no_background_threads_are_started():
    before = threading.active_count()
    engines = [create_engine("durable", load_rules([shipped_dir("rules")], CATALOG)) for _ in range(3)]
    assert threading.active_count() == before and len(engines) == 3


def test_exponent_floats_are_tamed_before_durable_sees_them():
    rule = _rule(REGEX_RULE.replace("target_address: {regex: '^dhcp-\\d+\\.contoso\\.com$'}, ok: false",
                                    "abs_offset_s: {gt: 60}").replace("kind: tcp_probe", "kind: clock_offset")
                 .replace("probe.source", "probe.server"))
    facts = [Fact("clock_offset", {"server": "a", "reference": "b", "offset_s": 1e-07, "abs_offset_s": 1e-07,
                                   "samples": 5, "failed_samples": 0}, S),
             Fact("clock_offset", {"server": "b", "reference": "a", "offset_s": 1e16, "abs_offset_s": 1e16,
                                   "samples": 5, "failed_samples": 0}, S)]
    durable = create_engine("durable", [rule])
    assert [dict(m.bindings)["probe"]["server"] for m in durable.evaluate(prepare_facts(facts, CATALOG))] == ["b"]


def test_a_hash_collision_is_retried_with_a_salt(monkeypatch):
    from durable import engine as durable_engine
    rules = load_rules([shipped_dir("rules")], CATALOG)
    fixture = next(f for r in rules if r.id == "port-647-blocked" for f in r.fixtures if f.fires)
    engine = create_engine("durable", rules)
    real_assert = engine._host.assert_fact
    calls = {"n": 0}

    def colliding(ruleset, payload):
        calls["n"] += 1
        if calls["n"] == 1:  # the first fact collides with "something already observed"
            raise durable_engine.MessageObservedException("Message has already been observed")
        return real_assert(ruleset, payload)

    monkeypatch.setattr(engine._host, "assert_fact", colliding)
    facts = prepare_facts(list(fixture.facts), CATALOG)
    assert [m.rule.id for m in engine.evaluate(facts)] == ["port-647-blocked"]


def test_one_session_survives_thousands_of_evaluations_with_blocked_negations():
    """delete_state segfaults after a blocked negation; the adapter empties and reuses one session."""
    rules = load_rules([shipped_dir("rules")], CATALOG)
    native, durable = create_engine("native", rules), create_engine("durable", rules)
    fixtures = [prepare_facts(list(f.facts), CATALOG) for r in rules for f in r.fixtures]
    for round_ in range(25):
        for facts in fixtures:
            assert _keys(durable, facts) == _keys(native, facts), round_
    assert durable._host.get_facts(durable._ruleset, "fodoc") == []
