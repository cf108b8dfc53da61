"""The reference backend: the compiled rules evaluated by plain Python.

It defines what a rule means (the durable backend must agree with it on every fixture), runs
everywhere Python runs, and can also say *why* a rule did not fire — which pattern found no
fact, or which fact an `absent` pattern tripped over — for the "ruled out" part of a report.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator

from ..facts import Fact
from ..rules import AllOf, AnyOf, Compare, Condition, Pattern, Ref, Rule, compare_values
from . import InferenceEngine, Match

Bindings = dict[str, Fact]


class NativeEngine(InferenceEngine):
    name = "native"

    def evaluate(self, facts: list[Fact]) -> list[Match]:
        index = index_by_kind(facts)
        matches = []
        for rule in self.rules:
            for bindings in iterate_matches(rule, index):
                matches.append(Match(rule, tuple(bindings.items())))
        return self.sort(matches)


def index_by_kind(facts: list[Fact]) -> dict[str, list[Fact]]:
    index: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        index[fact.kind].append(fact)
    return index


def iterate_matches(rule: Rule, index: dict[str, list[Fact]]) -> Iterator[Bindings]:
    """Yield each combination of distinct facts that satisfies the rule."""
    def extend(position: int, bindings: Bindings) -> Iterator[Bindings]:
        if position == len(rule.patterns):
            if not any(blocking_fact(p, index, bindings) for p in rule.absent):
                yield dict(bindings)
            return
        pattern = rule.patterns[position]
        used = {id(f) for f in bindings.values()}
        for fact in index.get(pattern.kind, ()):
            if id(fact) in used or not satisfies(fact, pattern.conditions, bindings):
                continue
            bindings[pattern.alias] = fact
            yield from extend(position + 1, bindings)
            del bindings[pattern.alias]
    yield from extend(0, {})


def blocking_fact(pattern: Pattern, index: dict[str, list[Fact]], bindings: Bindings) -> Fact | None:
    """The first fact that makes an `absent` pattern match (and so blocks the rule), if any."""
    for fact in index.get(pattern.kind, ()):
        if satisfies(fact, pattern.conditions, bindings):
            return fact
    return None


def satisfies(fact: Fact, conditions: tuple[Condition, ...], bindings: Bindings) -> bool:
    return all(_holds(fact, cond, bindings) for cond in conditions)


def _holds(fact: Fact, cond: Condition, bindings: Bindings) -> bool:
    if isinstance(cond, AnyOf):
        return any(_holds(fact, c, bindings) for c in cond.conditions)
    if isinstance(cond, AllOf):
        return all(_holds(fact, c, bindings) for c in cond.conditions)
    assert isinstance(cond, Compare)
    present = cond.field in fact.fields
    if cond.op == "exists":
        return present is cond.value
    if not present:
        return False
    expected = cond.value
    if isinstance(expected, Ref):
        bound = bindings[expected.alias].fields
        if expected.field not in bound:
            return False
        expected = bound[expected.field]
    return compare_values(cond.op, fact.fields[cond.field], expected)


@dataclass(frozen=True)
class Miss:
    """Why a rule did not fire.

    stage       "match" (pattern `alias` found no fact) or "absent" (pattern `alias` matched)
    alias/kind  the pattern concerned
    candidates  for "match": facts of that kind that share the join's servers but fail a
                condition (empty = no such facts at all: the rule could not be evaluated);
                for "absent": the blocking fact
    bindings    the deepest partial match reached
    """

    stage: str
    alias: str
    kind: str
    candidates: tuple[Fact, ...]
    bindings: tuple[tuple[str, Fact], ...]


def explain_miss(rule: Rule, index: dict[str, list[Fact]]) -> Miss:
    """Find the deepest point a rule reached before failing, and what stopped it there."""
    best: dict = {"depth": -1}

    def extend(position: int, bindings: Bindings) -> None:
        if position > best["depth"]:
            best.update(depth=position, bindings=dict(bindings))
        if position == len(rule.patterns):
            for pattern in rule.absent:
                blocker = blocking_fact(pattern, index, bindings)
                if blocker is not None and "absent" not in best:
                    best["absent"] = (pattern, blocker, dict(bindings))
            return
        pattern = rule.patterns[position]
        used = {id(f) for f in bindings.values()}
        for fact in index.get(pattern.kind, ()):
            if id(fact) in used or not satisfies(fact, pattern.conditions, bindings):
                continue
            bindings[pattern.alias] = fact
            extend(position + 1, bindings)
            del bindings[pattern.alias]

    extend(0, {})
    if best["depth"] == len(rule.patterns) and "absent" in best:
        pattern, blocker, bindings = best["absent"]
        return Miss("absent", pattern.alias, pattern.kind, (blocker,), tuple(bindings.items()))
    bindings = best["bindings"]
    pattern = rule.patterns[best["depth"]]
    related = [f for f in index.get(pattern.kind, ()) if _shares_joins(f, pattern, bindings)]
    return Miss("match", pattern.alias, pattern.kind, tuple(related), tuple(bindings.items()))


def _shares_joins(fact: Fact, pattern: Pattern, bindings: Bindings) -> bool:
    """True when the fact agrees with the pattern's equality joins (it is about the same things)."""
    for cond in pattern.conditions:
        if isinstance(cond, Compare) and cond.op == "eq" and isinstance(cond.value, Ref):
            if not _holds(fact, cond, bindings):
                return False
    return True
