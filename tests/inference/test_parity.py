"""Both backends must give identical matches: on every rule fixture, and on shuffled mixtures."""
from __future__ import annotations

import random

import pytest

from engine.catalog import load_catalog
from engine.inference import create_engine, durable_available, prepare_facts
from engine.kb import shipped_dir
from engine.rules import load_rules

CATALOG = load_catalog(shipped_dir("facts"))
RULES = load_rules([shipped_dir("rules")], CATALOG)
FIXTURES = [(rule, fixture) for rule in RULES for fixture in rule.fixtures]


@pytest.fixture(scope="module")
def engines():
    names = ["native", "durable"] if durable_available() else ["native"]
    return {name: create_engine(name, RULES) for name in names}


@pytest.fixture(scope="module")
def catalog():
    return CATALOG


def _keys(matches, rule_id=None):
    return [m.key() for m in matches if rule_id is None or m.rule.id == rule_id]


@pytest.mark.parametrize("rule,fixture", FIXTURES, ids=[f"{r.id}:{f.name}" for r, f in FIXTURES])
def test_fixture_outcome_and_backend_parity(rule, fixture, engines, catalog):
    facts = prepare_facts(list(fixture.facts), catalog)
    results = {name: _keys(engine.evaluate(facts), rule.id) for name, engine in engines.items()}
    native = results["native"]
    assert bool(native) == fixture.fires, f"{rule.id}: fixture '{fixture.name}' expected " \
                                          f"{'a match' if fixture.fires else 'no match'}"
    for name, keys in results.items():
        assert keys == native, f"{name} disagrees with native on {rule.id}: {fixture.name}"


def test_every_shipped_rule_has_a_positive_and_a_negative_fixture():
    lacking = [r.id for r in RULES
               if not any(f.fires for f in r.fixtures) or all(f.fires for f in r.fixtures)]
    assert lacking == []


@pytest.mark.parametrize("seed", range(40))
def test_shuffled_mixtures_of_all_fixture_facts_agree(seed, engines, catalog):
    """Facts from many fixtures at once, in random order and random subsets: joins and absents
    meet unrelated facts, and the order of assertion changes."""
    rng = random.Random(seed)
    pool = [fact for _, fixture in FIXTURES for fact in fixture.facts]
    sample = rng.sample(pool, k=min(len(pool), rng.randint(5, 40)))
    rng.shuffle(sample)
    facts = prepare_facts(sample, catalog)
    reference = _keys(engines["native"].evaluate(facts))
    for name, engine in engines.items():
        shuffled = list(facts)
        rng.shuffle(shuffled)
        assert _keys(engine.evaluate(shuffled)) == reference, name


def test_results_do_not_depend_on_fact_order(engines, catalog):
    rule, fixture = next((r, f) for r, f in FIXTURES if r.absent and f.fires)
    facts = prepare_facts(list(fixture.facts), catalog)
    for engine in engines.values():
        assert _keys(engine.evaluate(facts)) == _keys(engine.evaluate(list(reversed(facts))))
