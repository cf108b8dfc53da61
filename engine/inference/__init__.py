"""Inference behind one interface: load rules once, evaluate one bundle's facts, get sorted matches.

Two backends implement it: `native` (pure Python, the reference semantics) and `durable`
(durable_rules, the default where it is installed). Both receive the same prepared facts and
must return identical matches; the test suite holds them to that on every rule fixture.
"""
from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..catalog import FactCatalog, type_matches
from ..errors import EngineError, UsageError
from ..facts import Fact
from ..rules import Rule

BACKENDS = ("durable", "native")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Match:
    """One rule activation: the rule and the fact bound to each of its `match` aliases."""

    rule: Rule
    bindings: tuple[tuple[str, Fact], ...]

    def fact(self, alias: str) -> Fact:
        return dict(self.bindings)[alias]

    def key(self) -> tuple:
        return (self.rule.id, tuple((alias, fact.sort_key()) for alias, fact in self.bindings))


class InferenceEngine(ABC):
    """Load once per process, evaluate once per bundle; results sorted, whatever the fact order."""

    name: str = ""

    def __init__(self, rules: list[Rule]):
        self.rules = list(rules)

    @abstractmethod
    def evaluate(self, facts: list[Fact]) -> list[Match]:
        """Return every activation of every rule over `facts` (prepared with prepare_facts)."""

    @staticmethod
    def sort(matches: list[Match]) -> list[Match]:
        unique = {m.key(): m for m in matches}
        return [unique[k] for k in sorted(unique)]


def prepare_facts(facts: list[Fact], catalog: FactCatalog) -> list[Fact]:
    """Facts every backend can compare safely: known kinds and fields, catalog types, finite numbers.

    Fields of the wrong type are dropped rather than coerced (a rule must never see "647" where
    647 is meant); floats are rounded to microseconds so durable's parser (which rejects
    exponent notation) and Python compare the same values; facts are deduplicated.
    """
    prepared: list[Fact] = []
    seen: set = set()
    for fact in facts:
        kind = catalog.kinds.get(fact.kind)
        if kind is None:
            continue
        clean = {}
        for name, value in fact.fields.items():
            spec = kind.fields.get(name)
            if spec is None or value is None:
                continue
            if spec.type == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
                if not math.isfinite(value):
                    continue
                value = _tame_float(float(value))
            elif spec.type == "int" and isinstance(value, float) and value.is_integer():
                value = int(value)
            elif isinstance(value, str) and _CONTROL.search(value):
                value = _CONTROL.sub("\ufffd", value)  # a newline in a name must not forge report lines
            if not type_matches(spec.type, value):
                continue
            clean[name] = value
        if any(f.required and f.name not in clean for f in kind.fields.values()):
            continue
        identity = (fact.kind, tuple(sorted(clean.items())))
        if identity in seen:
            continue
        seen.add(identity)
        prepared.append(Fact(fact.kind, clean, fact.source, fact.sources))
    prepared.sort(key=Fact.sort_key)
    return prepared


def _tame_float(value: float) -> float | int:
    rounded = round(value, 6)
    if rounded == 0:
        return 0.0
    if abs(rounded) >= 1e15:
        return int(rounded)
    return rounded


def create_engine(name: str, rules: list[Rule]) -> InferenceEngine:
    """Create backend `name` ("durable", "native" or "auto": durable where installed)."""
    if name == "auto":
        name = "durable" if durable_available() else "native"
    if name == "native":
        from .native import NativeEngine
        return NativeEngine(rules)
    if name == "durable":
        if not durable_available():
            raise UsageError("the durable backend needs the durable-rules package "
                             "(pip install durable-rules; it needs a C compiler and Python < 3.13); "
                             "use --engine native")
        from .durable import DurableEngine
        return DurableEngine(rules)
    raise UsageError(f"unknown inference engine {name!r}; use one of auto, {', '.join(BACKENDS)}")


def durable_available() -> bool:
    try:
        import durable.engine  # noqa: F401
    except Exception:  # ImportError, or the C extension failing to load on Python 3.13
        return False
    return True


__all__ = ["InferenceEngine", "Match", "prepare_facts", "create_engine", "durable_available",
           "BACKENDS", "EngineError"]
