"""`fodoc rules test`: run every rule's inline fixtures through every available inference backend.

A fixture passes when the rule fires (or stays silent) as its `expect` says, on each backend, and
the backends agree on the exact activations (the native backend is the reference). When it fails,
the author gets a readable expected-vs-got: for an unexpected silence, the pattern that found no
fact and the closest facts it saw (or the fact an `absent` pattern matched); for an unexpected
match, the facts each alias bound and the explanation the report would print.

Only the activations of the fixture's own rule count: a fixture describes that rule's behaviour
and nothing else (another rule may well fire on the same facts).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import TemplateError

from ..catalog import FactCatalog
from ..describe import describe_conditions, summarise
from ..inference import Match, create_engine, durable_available, prepare_facts
from ..inference.native import explain_miss, index_by_kind
from ..rules import Fixture, Rule, explain_environment


@dataclass
class FixtureResult:
    rule: str
    path: str
    line: int
    fixture: str
    expect: str                 # fires | silent
    got: dict[str, str]         # backend -> fires | silent | error
    passed: bool
    diff: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


def available_backends() -> tuple[str, ...]:
    return ("native", "durable") if durable_available() else ("native",)


def run_fixtures(rules: list[Rule], catalog: FactCatalog,
                 backends: tuple[str, ...] | None = None) -> list[FixtureResult]:
    backends = backends or available_backends()
    # One engine per backend for all the rules (rules never chain, so a fixture's matches of its
    # own rule do not depend on the others): durable_rules keeps every ruleset it ever created
    # in C memory, and an engine per rule crashed it after a few hundred.
    engines = {name: create_engine(name, rules) for name in backends}
    results = []
    for rule in rules:
        for fixture in rule.fixtures:
            results.append(_run(rule, fixture, engines, catalog))
    return results


def _run(rule: Rule, fixture: Fixture, engines: dict, catalog: FactCatalog) -> FixtureResult:
    facts = prepare_facts(list(fixture.facts), catalog)
    matches: dict[str, list[Match]] = {}
    got: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, engine in engines.items():
        try:
            found = [m for m in engine.evaluate(facts) if m.rule.id == rule.id]
        except Exception as exc:  # noqa: BLE001 - a backend failure is this fixture's result
            errors[name] = f"{type(exc).__name__}: {exc}"
            got[name] = "error"
            continue
        matches[name] = found
        got[name] = "fires" if found else "silent"
    expect = "fires" if fixture.fires else "silent"
    reference = matches.get("native", next(iter(matches.values()), []))
    agree = all([m.key() for m in found] == [m.key() for m in reference] for found in matches.values())
    passed = not errors and agree and all(value == expect for value in got.values())
    diff: list[str] = []
    if not passed:
        diff = _diff(rule, fixture, expect, got, errors, reference, facts, agree)
    return FixtureResult(rule.id, rule.path, fixture.line, fixture.name, expect, got, passed, diff)


def _diff(rule: Rule, fixture: Fixture, expect: str, got: dict[str, str], errors: dict[str, str],
          reference: list[Match], facts: list, agree: bool) -> list[str]:
    lines = [f"- expected: {expect}",
             "+ got:      " + ", ".join(f"{value} ({name})" for name, value in got.items())]
    for name, text in errors.items():
        lines.append(f"  {name} failed: {text}")
    if not agree:
        lines.append("  the backends disagree on the activations: this is a bug in fodoc's "
                     "durable adapter or native evaluator; please report it with this fixture")
    if reference:
        for match in reference:
            bound = ", ".join(f"{alias} = {summarise(fact)}" for alias, fact in match.bindings)
            lines.append(f"  matched: {bound}")
            text = _explain(rule, match)
            if text:
                lines.append(f"  explain: {text}")
        if expect == "silent":
            lines.append("  to keep it silent, tighten a 'where' condition or add an 'absent' "
                         "pattern that this fixture's facts satisfy")
        return lines
    index = index_by_kind(facts)
    miss = explain_miss(rule, index)
    bindings = dict(miss.bindings)
    if miss.stage == "absent":
        lines.append(f"  blocked: absent pattern '{miss.alias}' matched {summarise(miss.candidates[0])}")
        return lines
    pattern = next(p for p in rule.patterns if p.alias == miss.alias)
    lines.append(f"  no fact for '{miss.alias}': wanted {describe_conditions(pattern, bindings)}")
    if miss.candidates:
        for fact in miss.candidates[:3]:
            lines.append(f"  closest:  {summarise(fact)}")
    elif not index.get(pattern.kind):
        lines.append(f"  the fixture has no {pattern.kind} fact at all")
    if bindings:
        lines.append("  bound so far: " + ", ".join(f"{a} = {summarise(f)}" for a, f in bindings.items()))
    return lines


def _explain(rule: Rule, match: Match) -> str:
    context = {alias: dict(fact.fields) for alias, fact in match.bindings}
    try:
        return " ".join(explain_environment().from_string(rule.explain).render(context).split())
    except TemplateError as exc:
        return f"(the explain template fails: {exc.message})"
