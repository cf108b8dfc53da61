"""The durable_rules backend: the same compiled rules run by durable_rules' Rete engine.

durable_rules has traps that silently change results (see the team's durable-rules notes); each
is guarded here, and the test suite checks this backend against the native one on every fixture:

- background timer threads racing the caller ........ a Host subclass whose `_run` does nothing
- the global ruleset registry ........................ a private Host and a unique ruleset name
- order-dependent `none()` ........................... positives, then a `$go` trigger fact
                                                       asserted last, then the negations
- facts dropped on 32-bit hash collisions ............ a unique `fodoc_n` per fact, and a salt
                                                       retry on MessageObservedException
- reserved `id` / `sid` fields ....................... rejected by the fact catalog
- joins lost in a nested $and or after an $or ........ every pattern compiled to one flat $and,
                                                       joins first, $or groups last
- string/number comparison ........................... facts typed by the catalog, rule values
                                                       type-checked at load
- exponent floats rejected by its parser ............. floats tamed in prepare_facts
- its own regex dialect .............................. regexes evaluated in Python into boolean
                                                       fields before asserting
- NotHandled aborting a batch ........................ a sink rule that handles every fact
- actions with two parameters run as async ........... one-parameter closures only
- exceptions swallowed into the session state ........ checked after every evaluation
- 1024 live sessions per ruleset, and delete_state ... one session per engine, reused: after each
  freeing memory twice (a segfault, found here, when   evaluation every fact is retracted ($go
  a negation was blocked)                              first, so no rule fires while emptying it)
                                                       and the session is checked to be empty
- set_rulesets mutating its argument ................. a fresh definition built per engine
"""
from __future__ import annotations

import contextlib
import itertools
import re
import threading
import warnings
from typing import Any

from ..errors import EngineError
from ..facts import Fact
from ..rules import AllOf, AnyOf, Compare, Condition, Pattern, Ref, Rule
from . import InferenceEngine, Match

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from durable import engine as durable_engine

_GO_KIND = "$go"
_NUMBER = "fodoc_n"
_SALT = "fodoc_salt"
_SALT_TRIES = 4
_SID = "fodoc"
_names = itertools.count(1)


class _QuietHost(durable_engine.Host):
    """A Host that never starts durable's self-re-arming timer threads."""

    def _run(self) -> None:  # durable calls this from Host.__init__ to start its timers
        return None


class DurableEngine(InferenceEngine):
    name = "durable"

    def __init__(self, rules: list[Rule]):
        super().__init__(rules)
        self._lock = threading.Lock()
        self._ruleset = f"fodoc_rules_{next(_names)}"
        self._hits: list[tuple[str, dict[str, int]]] = []
        self._regexes = _collect_regexes(rules)
        definition = {}
        for rule in rules:
            definition[f"r_{rule.id}"] = self._compile_rule(rule)
        definition["fodoc_sink__"] = {
            "all": [{"a__": {"$ex": {"kind": 1}}}, {"b__": {"$ex": {"fodoc_never__": 1}}}],
            "run": lambda c: None,
        }
        self._host = _QuietHost()
        try:
            self._host.set_rulesets({self._ruleset: definition})
        except Exception as exc:  # durable raises bare Exception with a numeric code
            raise EngineError(f"durable_rules rejected the compiled rules: {exc}") from exc

    # -- compilation -------------------------------------------------------------------------

    def _compile_rule(self, rule: Rule) -> dict:
        aliases = [p.alias for p in rule.patterns]
        conditions: list[dict] = [{p.alias: self._pattern(p)} for p in rule.patterns]
        if rule.absent:
            conditions.append({"go__": {"kind": _GO_KIND}})
            conditions.extend({f"{p.alias}$not": self._pattern(p)} for p in rule.absent)
        hits = self._hits
        rule_id = rule.id

        def record(c):  # exactly one parameter: two would make durable treat it as async
            hits.append((rule_id, {alias: c._m[alias][_NUMBER] for alias in aliases}))
        return {"all": conditions, "run": record}

    def _pattern(self, pattern: Pattern) -> dict:
        # One flat $and: durable_rules drops joins inside an $and nested in another $and.
        # Joins first and $or groups last: durable_rules ignores a join that follows an $or.
        tests: list[dict] = []
        for cond in pattern.conditions:
            tests.extend(self._conjunction(pattern.kind, cond))
        tests.sort(key=_test_order)
        return {"$and": [{"kind": pattern.kind}] + tests}

    def _conjunction(self, kind: str, cond: Condition) -> list[dict]:
        """The durable tests that must all hold for `cond` (spliced into the enclosing $and)."""
        if isinstance(cond, AllOf):
            return [test for c in cond.conditions for test in self._conjunction(kind, c)]
        if isinstance(cond, AnyOf):
            branches = []
            for c in cond.conditions:
                tests = self._conjunction(kind, c)
                branches.append(tests[0] if len(tests) == 1 else {"$and": tests})
            return [{"$or": branches}]
        assert isinstance(cond, Compare)
        name, op, value = cond.field, cond.op, cond.value
        present = {"$ex": {name: 1}}
        if op == "exists":
            return [present if value else {"$nex": {name: 1}}]
        if op == "regex":
            return [{self._regexes[(kind, name, value)]: True}]
        operand: Any = {value.alias: value.field} if isinstance(value, Ref) else value
        if op == "eq":
            return [{name: operand}]
        if op == "in":
            return [{"$or": [{name: v} for v in value]}]
        if op == "not_in":
            return [present] + [{"$neq": {name: v}} for v in value]
        durable_op = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}[op]
        return [present, {durable_op: {name: operand}}]

    # -- evaluation --------------------------------------------------------------------------

    def evaluate(self, facts: list[Fact]) -> list[Match]:
        with self._lock:
            return self._evaluate(facts)

    def _evaluate(self, facts: list[Fact]) -> list[Match]:
        del self._hits[:]
        asserted: list[dict] = []
        try:
            for number, fact in enumerate(facts):
                asserted.append(self._assert(self._payload(fact, number)))
            go = self._assert({"kind": _GO_KIND, "sid": _SID, _NUMBER: -1})
            hits = list(self._hits)
            asserted.insert(0, go)  # retract the trigger first: then no negation can fire
        finally:
            self._empty_session(asserted)
        state = self._host.get_state(self._ruleset, _SID)
        if state.get("exception"):
            raise EngineError(f"a durable_rules action failed: {state['exception']}")
        by_id = {rule.id: rule for rule in self.rules}
        matches = []
        for rule_id, numbers in hits:
            rule = by_id[rule_id]
            bindings = tuple((p.alias, facts[numbers[p.alias]]) for p in rule.patterns)
            matches.append(Match(rule, bindings))
        return self.sort(matches)

    def _empty_session(self, asserted: list[dict]) -> None:
        for payload in asserted:
            if payload is None:
                continue
            with contextlib.suppress(durable_engine.MessageNotHandledException):  # never stored
                self._host.retract_fact(self._ruleset, payload)
        if self._host.get_facts(self._ruleset, _SID):
            raise EngineError("durable_rules kept facts after they were retracted; results of "
                              "the next evaluation could not be trusted")

    def _payload(self, fact: Fact, number: int) -> dict:
        payload: dict[str, Any] = dict(fact.fields)
        payload["kind"] = fact.kind
        payload["sid"] = _SID
        payload[_NUMBER] = number
        for (kind, field, pattern), key in self._regexes.items():
            if kind == fact.kind:
                value = fact.fields.get(field)
                payload[key] = isinstance(value, str) and re.search(pattern, value) is not None
        return payload

    def _assert(self, payload: dict) -> dict | None:
        """Assert one fact; return the payload as asserted (salted after a hash collision)."""
        for salt in range(_SALT_TRIES):
            try:
                self._host.assert_fact(self._ruleset, payload)
                return payload
            except durable_engine.MessageObservedException:
                # a distinct fact whose 32-bit hash collides with one already asserted
                payload = dict(payload, **{_SALT: salt + 1})
            except durable_engine.MessageNotHandledException:
                return None
            except Exception as exc:  # durable_rules_engine.error: a fact the C engine cannot take
                raise EngineError(f"durable_rules refused fact {payload.get(_NUMBER)} ({payload.get('kind')}): "
                                  f"{' '.join(str(exc).split())[:200]}; --engine native evaluates the same "
                                  "rules without it") from None
        raise EngineError(f"durable_rules kept rejecting fact {payload.get(_NUMBER)} as already seen")


def _test_order(test: dict) -> int:
    if "$or" in test:
        return 2
    return 0 if _has_join(test) else 1


def _has_join(node: Any) -> bool:
    """True when a durable test compares against a bound alias ({field: {alias: field}})."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and not key.startswith("$") and all(
                    not k.startswith("$") for k in value):
                return True
            if _has_join(value):
                return True
    if isinstance(node, list):
        return any(_has_join(item) for item in node)
    return False


def _collect_regexes(rules: list[Rule]) -> dict[tuple[str, str, str], str]:
    keys: dict[tuple[str, str, str], str] = {}
    for rule in rules:
        for triple in rule.regexes():
            if triple not in keys:
                keys[triple] = f"fodoc_re_{len(keys)}"
    return keys
