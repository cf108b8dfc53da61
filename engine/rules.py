"""Load, validate and compile the YAML rules into one engine-neutral form.

Both inference backends consume the same `Rule` objects, so a rule means exactly one thing
whichever engine runs it. Validation happens here, once, and is strict: durable_rules accepts
undefined aliases, bad regexes and string-vs-number comparisons without a word, so nothing
reaches a backend that has not been checked against the fact catalog.

Rule file format (one rule per file, `rules/<id>.yaml`)::

    id: port-647-blocked           # stable, lower-case, digits and hyphens
    cause: port_647_blocked        # key of a runbook
    title: TCP 647 is blocked between the partners
    severity: critical             # critical | warning | info
    status: stable                 # experimental | stable
    confidence: 0.9                # 0 < c <= 1, how sure a match makes us
    match:                         # named fact patterns, in order; later ones may refer to earlier
      side: {kind: pair, where: {state: CommunicationInterrupted}}
      probe:
        kind: tcp_probe
        where: {source: {ref: side.server}, target: {ref: side.partner}, port: 647, ok: false}
    absent:                        # patterns that must NOT match
      stopped: {kind: service, where: {server: {ref: side.partner}, name: DHCPServer, status: Stopped}}
    subject: {server: side.partner, partner: side.server, relationship: side.relationship}
    explain: "{{ probe.source }} cannot open TCP {{ probe.port }} on {{ probe.target }}"
    references: [https://...]
    watch: "..."                   # info rules only (required there): what to watch while it lasts
    consequence_of: [any]          # optional: a symptom, shown under the finding of one of these
                                   # causes on the same relationship ("any": any fault) when it fired
    reason_for: [clock_skew]       # optional: the reason behind these causes, shown under them
    fault_on: partner              # optional: where the fault is, relative to the subject:
                                   # server (default), partner, or both (between the two)
    fixtures: [{name: ..., expect: fires | silent, facts: [{kind: ..., ...}]}]

Conditions in `where`: `field: value` (equality) or `field: {op: value}` with op one of
eq, ne, in, not_in, lt, le, gt, ge, exists, regex; a value may be `{ref: alias.field}`;
`any: [where, ...]` / `all: [where, ...]` nest. Every comparison is false when the fact lacks
the field (so `ne` and `not_in` need the field to be present); `exists: false` tests absence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from jinja2 import StrictUndefined, TemplateAssertionError, TemplateSyntaxError, nodes
from jinja2 import __version__ as jinja2_version
from jinja2.sandbox import SandboxedEnvironment

from .catalog import FactCatalog, suggest, type_matches
from .docschema import validate as validate_structure
from .kb import is_shipped
from .errors import RuleLoadError
from .facts import Fact, Source
from .site import knowledge_files
from .kbcache import load_compiled, memoised
from .templatecheck import attributes_read, stored_names, unknown_callable
from .yamlio import LineDict

SEVERITIES = ("critical", "warning", "info")
STATUSES = ("experimental", "stable")
OPERATORS = ("eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "exists", "regex")
ORDERING_OPS = ("lt", "le", "gt", "ge")
SUBJECT_ROLES = ("server", "partner", "relationship")
RULE_KEYS = ("id", "cause", "title", "severity", "status", "confidence", "description", "match",
             "absent", "subject", "explain", "references", "fixtures", "tells_apart", "watch",
             "consequence_of", "reason_for", "fault_on")
FAULT_PLACES = ("server", "partner", "both")
ANY_CAUSE = "any"
MAX_PATTERNS = 30
_ID_RE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
_ALIAS_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CAUSE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Ref:
    """A value taken from a field of an earlier-bound fact (a join)."""

    alias: str
    field: str

    def __str__(self) -> str:
        return f"{self.alias}.{self.field}"


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    value: Any  # scalar, tuple of scalars (in/not_in), bool (exists), str (regex) or Ref


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple["Condition", ...]


@dataclass(frozen=True)
class AllOf:
    conditions: tuple["Condition", ...]


Condition = Union[Compare, AnyOf, AllOf]


@dataclass(frozen=True)
class Pattern:
    alias: str
    kind: str
    conditions: tuple[Condition, ...]
    negated: bool = False
    line: int = 0

    def refs(self) -> list[Ref]:
        found: list[Ref] = []

        def walk(conds):
            for cond in conds:
                if isinstance(cond, Compare):
                    if isinstance(cond.value, Ref):
                        found.append(cond.value)
                else:
                    walk(cond.conditions)
        walk(self.conditions)
        return found


@dataclass(frozen=True)
class Fixture:
    name: str
    fires: bool
    facts: tuple[Fact, ...]
    line: int = 0


@dataclass(frozen=True)
class Rule:
    id: str
    cause: str
    title: str
    severity: str
    status: str
    confidence: float
    patterns: tuple[Pattern, ...]
    absent: tuple[Pattern, ...]
    subject: dict[str, Ref]
    explain: str
    description: str = ""
    references: tuple[str, ...] = ()
    fixtures: tuple[Fixture, ...] = ()
    tells_apart: dict[str, str] = field(default_factory=dict)
    path: str = ""
    watch: str = ""                         # expected behaviour: what to watch while it lasts
    consequence_of: tuple[str, ...] = ()    # a symptom of these causes (or ANY_CAUSE)
    reason_for: tuple[str, ...] = ()        # the reason behind these causes
    fault_on: str = "server"                # where the fault is: subject server, partner, or both

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.kind for p in self.patterns + self.absent))

    def regexes(self) -> list[tuple[str, str, str]]:
        """(kind, field, pattern) of every regex condition, for backends that precompute them."""
        found = []

        def walk(kind, conds):
            for cond in conds:
                if isinstance(cond, Compare):
                    if cond.op == "regex":
                        found.append((kind, cond.field, cond.value))
                else:
                    walk(kind, cond.conditions)
        for pattern in self.patterns + self.absent:
            walk(pattern.kind, pattern.conditions)
        return found


_TEMPLATES = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def explain_environment() -> SandboxedEnvironment:
    return _TEMPLATES


_TEMPLATE_READS = f"template-reads-jinja2-{jinja2_version}"


def _template_reads(text: str) -> list[str]:
    """What a template reads, sorted: each name (`side`) and each field of one (`side.server`).

    A cheap walk of the syntax tree (jinja2.meta compiles the whole template). A filter or test
    that does not exist raises TemplateAssertionError, as compiling the template would.
    """
    ast = _TEMPLATES.parse(text)
    unknown = unknown_callable(_TEMPLATES, ast)
    if unknown is not None:
        raise TemplateAssertionError(unknown[1], unknown[0])
    stored = stored_names(ast)
    names = {n.name for n in ast.find_all(nodes.Name) if n.ctx == "load"} - stored
    fields = {f"{name}.{attr}" for name, attr, _ in attributes_read(ast)}
    return sorted(names | fields)


def load_rules(directories: list[Path], catalog: FactCatalog) -> list[Rule]:
    """Load every `*.yaml` rule under the directories; later directories override by id."""
    by_id: dict[str, Rule] = {}
    for directory in directories:
        # A site rules directory also holds its config files (engine/site.py), which are not rules.
        files = knowledge_files(Path(directory))
        seen_here: dict[str, str] = {}
        for path in files:
            rule = load_rule(path, catalog)
            if rule.id in seen_here:
                raise RuleLoadError(str(path), f"rule id {rule.id!r} is already used by "
                                               f"{seen_here[rule.id]}", item=rule.id)
            seen_here[rule.id] = str(path)
            by_id[rule.id] = rule
    return sorted(by_id.values(), key=lambda r: r.id)


def load_rule(path: Path, catalog: FactCatalog) -> Rule:
    # engine/kbcache: the parsed document from the cache; re-parsed with lines on any error
    return load_compiled(path, RuleLoadError, RuleCompiler(str(path), catalog).compile)


class RuleCompiler:
    """Turns one parsed rule document into a validated `Rule`, raising on the first problem."""

    def __init__(self, path: str, catalog: FactCatalog):
        self.path = path
        self.catalog = catalog
        self.rule_id: str | None = None

    def error(self, message: str, node: Any = None, key: str | None = None,
              field: str | None = None, suggestion: str | None = None) -> RuleLoadError:
        where = self.path
        if isinstance(node, LineDict):
            where = f"{self.path}:{node.line_of(key) if key is not None else node.line}"
        return RuleLoadError(where, message, item=self.rule_id, field=field, suggestion=suggestion)

    def compile(self, doc: Any) -> Rule:
        if not isinstance(doc, dict):
            raise self.error("expected a mapping (one rule per file)")
        if isinstance(doc.get("id"), str):
            self.rule_id = doc["id"]
        structure = [] if is_shipped(self.path) else validate_structure("rule", doc)  # rule.schema.json
        if structure:
            first = structure[0]
            where = f"{self.path}:{first.line}" if first.line else self.path
            raise RuleLoadError(where, first.message, item=self.rule_id, field=first.field,
                                suggestion=first.suggestion)
        rule_id = doc.get("id")
        if not isinstance(rule_id, str) or not _ID_RE.match(rule_id):
            raise self.error("'id' must be lower-case letters, digits and hyphens", doc, "id", "id")
        self.rule_id = rule_id
        unknown = [k for k in doc if k not in RULE_KEYS]
        if unknown:
            raise self.error(f"unknown key {unknown[0]!r}", doc, unknown[0], unknown[0],
                             suggest(str(unknown[0]), RULE_KEYS))
        for key in ("cause", "title", "severity", "status", "confidence", "match", "subject", "explain"):
            if key not in doc:
                raise self.error(f"missing required key {key!r}", doc, field=key)
        cause = doc["cause"]
        if not isinstance(cause, str) or not _CAUSE_RE.match(cause):
            raise self.error("'cause' must be a lower_snake_case key", doc, "cause", "cause")
        severity = doc["severity"]
        if severity not in SEVERITIES:
            raise self.error(f"'severity' must be one of {', '.join(SEVERITIES)}", doc, "severity",
                             "severity", suggest(str(severity), SEVERITIES))
        status = doc["status"]
        if status not in STATUSES:
            raise self.error(f"'status' must be one of {', '.join(STATUSES)}", doc, "status",
                             "status", suggest(str(status), STATUSES))
        confidence = doc["confidence"]
        if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) \
                or not 0 < confidence <= 1:
            raise self.error("'confidence' must be a number in (0, 1]", doc, "confidence", "confidence")
        patterns = self._patterns(doc, "match", negated=False, known={})
        if not patterns:
            raise self.error("'match' needs at least one pattern", doc, "match", "match")
        known = {p.alias: p.kind for p in patterns}
        absent = self._patterns(doc, "absent", negated=True, known=known) if "absent" in doc else ()
        aliases = [p.alias for p in patterns + absent]
        duplicates = {a for a in aliases if aliases.count(a) > 1}
        if duplicates:
            raise self.error(f"alias {sorted(duplicates)[0]!r} is used twice", doc, "absent", "absent")
        if len(patterns) + len(absent) > MAX_PATTERNS:
            raise self.error(f"at most {MAX_PATTERNS} patterns per rule", doc, "match", "match")
        subject = self._subject(doc, known)
        explain = doc["explain"]
        if not isinstance(explain, str) or not explain.strip():
            raise self.error("'explain' must be a non-empty template string", doc, "explain", "explain")
        self._check_template(explain, doc, known, "explain")
        references = doc.get("references") or []
        if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
            raise self.error("'references' must be a list of URLs", doc, "references", "references")
        tells_apart = doc.get("tells_apart") or {}
        if not isinstance(tells_apart, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in tells_apart.items()):
            raise self.error("'tells_apart' must map a cause key to the check that separates it",
                             doc, "tells_apart", "tells_apart")
        watch = doc.get("watch")
        if severity == "info" and watch is None:
            raise self.error("an info rule (expected behaviour) needs 'watch': what the admin should "
                             "watch while it lasts", doc, field="watch")
        if watch is not None:
            if not isinstance(watch, str) or not watch.strip():
                raise self.error("'watch' must be a non-empty template string", doc, "watch", "watch")
            self._check_template(watch, doc, known, "watch")
        consequence_of = self._causes(doc, "consequence_of", allow_any=True)
        reason_for = self._causes(doc, "reason_for", allow_any=False)
        if consequence_of and reason_for:
            raise self.error("a rule is either a consequence of a cause or the reason for one, not both",
                             doc, "reason_for", "reason_for")
        fault_on = doc.get("fault_on", "server")
        if fault_on not in FAULT_PLACES or (fault_on != "server" and "partner" not in subject):
            raise self.error(f"'fault_on' must be one of {', '.join(FAULT_PLACES)} (partner and both "
                             "need a subject partner)", doc, "fault_on", "fault_on",
                             suggest(str(fault_on), FAULT_PLACES))
        fixtures = self._fixtures(doc)
        return Rule(rule_id, cause, str(doc["title"]), severity, status, float(confidence),
                    patterns, absent, subject, explain, str(doc.get("description") or ""),
                    tuple(references), fixtures, dict(tells_apart), self.path, str(watch or ""),
                    consequence_of, reason_for, fault_on)

    def _causes(self, doc: dict, key: str, allow_any: bool) -> tuple[str, ...]:
        """A list of cause keys (consequence_of may say `any`)."""
        value = doc.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not value or not all(
                isinstance(c, str) and _CAUSE_RE.match(c) for c in value):
            raise self.error(f"'{key}' must be a non-empty list of cause keys"
                             + (" (or [any])" if allow_any else ""), doc, key, key)
        if not allow_any and ANY_CAUSE in value:
            raise self.error(f"'{key}' must name causes; 'any' is only for consequence_of", doc, key, key)
        return tuple(value)

    # -- patterns -------------------------------------------------------------------------

    def _patterns(self, doc: dict, key: str, negated: bool, known: dict[str, str]) -> tuple[Pattern, ...]:
        section = doc.get(key)
        if not isinstance(section, dict):
            raise self.error(f"'{key}' must map an alias to a fact pattern", doc, key, key)
        bound = dict(known)
        patterns = []
        for alias, spec in section.items():
            if not isinstance(alias, str) or not _ALIAS_RE.match(alias):
                raise self.error(f"alias {alias!r} must be lower_snake_case", section, alias, key)
            if alias.endswith("__"):
                raise self.error(f"alias {alias!r} must not end with '__' (reserved)", section, alias, key)
            if not isinstance(spec, dict) or "kind" not in spec:
                raise self.error("a pattern needs 'kind' and optional 'where'", section, alias,
                                 f"{key}.{alias}")
            extra = set(spec) - {"kind", "where"}
            if extra:
                raise self.error(f"unknown key {sorted(extra)[0]!r} in pattern", spec, sorted(extra)[0],
                                 f"{key}.{alias}")
            kind = spec["kind"]
            if kind not in self.catalog.kinds:
                raise self.error(f"unknown fact kind {kind!r}", spec, "kind", f"{key}.{alias}.kind",
                                 self.catalog.suggest_kind(str(kind)))
            where = spec.get("where") or {}
            if not isinstance(where, dict):
                raise self.error("'where' must be a mapping of field conditions", spec, "where",
                                 f"{key}.{alias}.where")
            conditions = self._conditions(where, kind, alias, bound)
            line = section.line_of(alias) if isinstance(section, LineDict) else 0
            patterns.append(Pattern(alias, kind, tuple(conditions), negated, line))
            if not negated:
                bound[alias] = kind
        return tuple(patterns)

    def _conditions(self, where: dict, kind: str, alias: str, bound: dict[str, str]) -> list[Condition]:
        conditions: list[Condition] = []
        for fname, spec in where.items():
            if fname in ("any", "all"):
                if not isinstance(spec, list) or not spec or not all(isinstance(s, dict) for s in spec):
                    raise self.error(f"'{fname}' takes a non-empty list of condition mappings", where,
                                     fname, f"{alias}.{fname}")
                nested = tuple(AllOf(tuple(self._conditions(s, kind, alias, bound))) if len(s) > 1
                               else self._conditions(s, kind, alias, bound)[0] for s in spec)
                conditions.append(AnyOf(nested) if fname == "any" else AllOf(nested))
                continue
            fields = self.catalog.kinds[kind].fields
            if fname not in fields:
                raise self.error(f"fact kind {kind!r} has no field {fname!r}", where, fname,
                                 f"{alias}.{fname}", suggest(str(fname), fields))
            if isinstance(spec, dict) and "ref" not in spec:
                if len(spec) != 1:
                    raise self.error("a condition mapping holds exactly one operator", where, fname,
                                     f"{alias}.{fname}")
                op, value = next(iter(spec.items()))
                if op not in OPERATORS:
                    raise self.error(f"unknown operator {op!r}", where, fname, f"{alias}.{fname}",
                                     suggest(str(op), OPERATORS))
            else:
                op, value = "eq", spec
            conditions.append(self._compare(kind, alias, fname, op, value, bound, where))
        return conditions

    def _compare(self, kind, alias, fname, op, value, bound, node) -> Compare:
        spec = self.catalog.kinds[kind].fields[fname]
        where = f"{alias}.{fname}"
        if isinstance(value, dict):
            if set(value) != {"ref"} or op not in ("eq", "ne") + ORDERING_OPS:
                raise self.error("only eq, ne, lt, le, gt, ge take {ref: alias.field}", node, fname, where)
            ref = self._ref(value["ref"], bound, node, fname, where)
            other = self.catalog.kinds[bound[ref.alias]].fields[ref.field]
            if not _compatible(spec.type, other.type):
                raise self.error(f"{kind}.{fname} ({spec.type}) cannot be compared with {ref} "
                                 f"({other.type})", node, fname, where)
            if op in ORDERING_OPS and not (spec.is_numeric or spec.type == "datetime"):
                raise self.error(f"'{op}' needs a number or datetime field; {fname} is {spec.type}",
                                 node, fname, where)
            return Compare(fname, op, ref)
        if op == "exists":
            if not isinstance(value, bool):
                raise self.error("'exists' takes true or false", node, fname, where)
            return Compare(fname, op, value)
        if op == "regex":
            if not spec.is_text:
                raise self.error(f"'regex' needs a text field; {fname} is {spec.type}", node, fname, where)
            if not isinstance(value, str):
                raise self.error("'regex' takes a pattern string", node, fname, where)
            try:
                re.compile(value)
            except re.error as exc:
                raise self.error(f"regex {value!r} does not compile: {exc}", node, fname, where) from None
            return Compare(fname, op, value)
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                raise self.error(f"'{op}' takes a non-empty list", node, fname, where)
            return Compare(fname, op, tuple(self._literal(kind, fname, item, node, where)
                                            for item in value))
        if op in ORDERING_OPS and not (spec.is_numeric or spec.type == "datetime"):
            raise self.error(f"'{op}' needs a number or datetime field; {fname} is {spec.type}",
                             node, fname, where)
        return Compare(fname, op, self._literal(kind, fname, value, node, where))

    def _literal(self, kind, fname, value, node, where) -> Any:
        """`value` checked against the catalog, as facts carry it (a time as UTC text)."""
        if value is None or isinstance(value, (list, dict)):
            raise self.error(f"expected a single {self.catalog.kinds[kind].fields[fname].type} value, "
                             f"got {value!r}", node, fname, where)
        value, problem = self.catalog.coerce_value(kind, fname, value)
        if problem:
            raise self.error(problem, node, fname, where)
        return value

    def _ref(self, text, bound, node, fname, where) -> Ref:
        if not isinstance(text, str) or text.count(".") != 1:
            raise self.error(f"ref must be 'alias.field', not {text!r}", node, fname, where)
        alias, ref_field = text.split(".")
        if alias not in bound:
            raise self.error(f"ref {text!r} names alias {alias!r}, which is not defined before this "
                             "pattern", node, fname, where, suggest(alias, bound))
        fields = self.catalog.kinds[bound[alias]].fields
        if ref_field not in fields:
            raise self.error(f"ref {text!r}: fact kind {bound[alias]!r} has no field {ref_field!r}",
                             node, fname, where, suggest(ref_field, fields))
        return Ref(alias, ref_field)

    # -- subject, template, fixtures ----------------------------------------------------------

    def _subject(self, doc: dict, known: dict[str, str]) -> dict[str, Ref]:
        subject = doc["subject"]
        if not isinstance(subject, dict) or "server" not in subject:
            raise self.error("'subject' must map server (and optionally partner, relationship) to "
                             "alias.field", doc, "subject", "subject")
        result = {}
        for role, text in subject.items():
            if role not in SUBJECT_ROLES:
                raise self.error(f"unknown subject role {role!r}", subject, role, "subject",
                                 suggest(str(role), SUBJECT_ROLES))
            result[role] = self._ref(text, known, subject, role, f"subject.{role}")
        return result

    def _check_template(self, text: str, doc: dict, known: dict[str, str], key: str) -> None:
        """The template reads only `match` aliases, and of each only fields its fact kind has.

        Rendering happens only when a bundle matches, so a misspelt field ({{ lost.cuont }})
        would otherwise surface as a broken explanation in an admin's report.
        """
        try:  # remembered across runs (engine/kbcache): Jinja2's parser is slow
            reads = memoised(_TEMPLATE_READS, text, _template_reads)
        except TemplateSyntaxError as exc:
            raise self.error(f"template error: {exc.message}", doc, key, key) from None
        for name in (read for read in reads if "." not in read):
            if name not in known:
                raise self.error(f"template uses {name!r}, which is not a 'match' alias", doc, key,
                                 key, suggest(name, known))
        for read in (read for read in reads if "." in read):
            alias, _, field_name = read.partition(".")
            fields = self.catalog.kinds[known[alias]].fields
            if field_name not in fields:
                raise self.error(f"template reads {read!r}, but fact kind {known[alias]!r} has no "
                                 f"field {field_name!r}", doc, key, key, suggest(field_name, fields))

    def _fixtures(self, doc: dict) -> tuple[Fixture, ...]:
        fixtures = doc.get("fixtures") or []
        if not isinstance(fixtures, list):
            raise self.error("'fixtures' must be a list", doc, "fixtures", "fixtures")
        result = []
        for index, fx in enumerate(fixtures, start=1):
            label = f"fixtures[{index}]"
            if not isinstance(fx, dict) or set(fx) - {"name", "expect", "facts"} or \
                    fx.get("expect") not in ("fires", "silent") or not isinstance(fx.get("facts"), list):
                raise self.error("a fixture is {name, expect: fires|silent, facts: [...]}", fx, None, label)
            facts = []
            for number, raw in enumerate(fx["facts"], start=1):
                facts.append(self._fixture_fact(raw, fx, f"{label}.facts[{number}]", number))
            result.append(Fixture(str(fx.get("name") or label), fx["expect"] == "fires", tuple(facts),
                                  fx.line if isinstance(fx, LineDict) else 0))
        return tuple(result)

    def _fixture_fact(self, raw: Any, node: Any, label: str, number: int) -> Fact:
        if not isinstance(raw, dict) or "kind" not in raw:
            raise self.error("a fixture fact is a mapping with 'kind' and its fields", node, None, label)
        kind = raw["kind"]
        if kind not in self.catalog.kinds:
            raise self.error(f"unknown fact kind {kind!r}", raw, "kind", label,
                             self.catalog.suggest_kind(str(kind)))
        spec = self.catalog.kinds[kind]
        values = {}
        for fname, value in raw.items():
            if fname == "kind":
                continue
            if fname not in spec.fields:
                raise self.error(f"fact kind {kind!r} has no field {fname!r}", raw, fname, label,
                                 suggest(str(fname), spec.fields))
            values[fname], problem = self.catalog.coerce_value(kind, fname, value)
            if problem:
                raise self.error(problem, raw, fname, label)
        missing = [f.name for f in spec.fields.values() if f.required and f.name not in values]
        if missing:
            raise self.error(f"fixture fact lacks required field(s) {', '.join(missing)}", raw, None, label)
        line = raw.line if isinstance(raw, LineDict) else 0
        return Fact(kind, dict(values), Source(self.path, f"{label} line {line}" if line else label))


def _compatible(a: str, b: str) -> bool:
    numeric = ("int", "float")
    if a in numeric and b in numeric:
        return True
    return a == b


def compare_values(op: str, actual: Any, expected: Any) -> bool:
    """The one definition of what each operator means (the native backend's semantics)."""
    if op == "eq":
        return type_matches(_kind_of(expected), actual) and actual == expected
    if op == "ne":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "regex":
        return isinstance(actual, str) and re.search(expected, actual) is not None
    try:
        if op == "lt":
            return actual < expected
        if op == "le":
            return actual <= expected
        if op == "gt":
            return actual > expected
        if op == "ge":
            return actual >= expected
    except TypeError:
        return False
    raise ValueError(op)


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "float"
    return "str"
