"""The reference backend: the compiled rules evaluated by plain Python.

It defines what a rule means (the durable backend must agree with it on every fixture), runs
everywhere Python runs, and can also say *why* a rule did not fire — which pattern found no
fact, or which fact an `absent` pattern tripped over — for the "ruled out" part of a report.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterator

from ..facts import Fact
from ..rules import AllOf, AnyOf, Compare, Condition, Pattern, Ref, Rule, compare_values
from . import InferenceEngine, Match

Bindings = dict[str, Fact]
_MAX_ALTERNATIVES = 32


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
    for bindings in _positive_matches(rule, index):
        if not any(blocking_fact(p, index, bindings) for p in rule.absent):
            yield dict(bindings)


def _positive_matches(rule: Rule, index: dict[str, list[Fact]],
                      reached: Callable[[int, Bindings], None] | None = None) -> Iterator[Bindings]:
    """Yield each binding of distinct facts to all `match` patterns (absent ones not checked).

    `reached(depth, bindings)` is told every partial match, for explaining a miss. The yielded
    dict is reused between iterations: copy it to keep it.
    """
    def extend(position: int, bindings: Bindings) -> Iterator[Bindings]:
        if reached is not None:
            reached(position, bindings)
        if position == len(rule.patterns):
            yield bindings
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


def explain_miss(rule: Rule, index: dict[str, list[Fact]],
                 prefer: Callable[[Pattern, tuple[Fact, ...], Bindings], int] | None = None) -> Miss:
    """Find the deepest point a rule reached before failing, and what stopped it there.

    Several partial matches can stop at the same depth (one per side of a pair, say); `prefer`
    scores the facts each would show as the reason, and the best-scored one is explained.
    """
    deepest: dict = {"depth": -1, "alternatives": []}

    def reached(depth: int, bindings: Bindings) -> None:
        if depth > deepest["depth"]:
            deepest.update(depth=depth, alternatives=[])
        if depth == deepest["depth"] and len(deepest["alternatives"]) < _MAX_ALTERNATIVES:
            deepest["alternatives"].append(dict(bindings))

    blocked = None
    for bindings in _positive_matches(rule, index, reached):
        for pattern in rule.absent:
            blocker = blocking_fact(pattern, index, bindings)
            if blocker is not None:
                blocked = blocked or (pattern, blocker, dict(bindings))
                break
    if deepest["depth"] == len(rule.patterns) and blocked is not None:
        pattern, blocker, bindings = blocked
        return Miss("absent", pattern.alias, pattern.kind, (blocker,), tuple(bindings.items()))
    pattern = rule.patterns[deepest["depth"]]
    options = []
    for bindings in deepest["alternatives"]:
        related = tuple(f for f in index.get(pattern.kind, ()) if _shares_joins(f, pattern, bindings))
        options.append((related, bindings))
    if prefer is not None:
        options.sort(key=lambda option: -prefer(pattern, option[0], option[1]))
    related, bindings = options[0]
    return Miss("match", pattern.alias, pattern.kind, related, tuple(bindings.items()))


def _shares_joins(fact: Fact, pattern: Pattern, bindings: Bindings) -> bool:
    """True when the fact agrees with the pattern's equality joins (it is about the same things)."""
    for cond in pattern.conditions:
        if isinstance(cond, Compare) and cond.op == "eq" and isinstance(cond.value, Ref):
            if not _holds(fact, cond, bindings):
                return False
    return True
