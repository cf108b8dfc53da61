"""Runbooks: YAML files that turn a diagnosed cause into PowerShell fix, verify and rollback steps.

A runbook (``runbooks/<cause>.yaml``) is data written by an engineer; it is validated when it is
loaded so that a mistake shows up as one clear error naming the file, the step and the field,
long before an admin runs anything. Values from bundles only ever reach PowerShell as quoted
literals: every ``{{ ... }}`` in a step's ``run`` must end with the ``ps`` or ``ps_list`` filter
(checked on the Jinja2 syntax tree at load time), templates run in Jinja2's sandbox with
``StrictUndefined`` (a missing value is an error, never an empty string), and after rendering the
renderer proves with tree-sitter that each quoted value is a standalone string literal.

Variables a caller passes to :func:`render`:

``server``
    host name of the server with the problem (for ``relationship_corrupt``: the server that
    keeps the scopes).
``partner``
    host name of its failover partner.
``relationship``
    the failover relationship name.
``rel``
    dict of the relationship's settings as configured on ``server``: ``mode`` (``LoadBalance`` |
    ``HotStandby``), ``mclt_s``, ``lb_percent``, ``reserve_percent``, ``role`` (``Active`` |
    ``Standby``), ``auto_transition``, ``switch_interval_s``, ``scopes`` (list of scope-id
    strings), ``partner_address`` (the PartnerServer value), ``server_type``.
finding-specific values
    e.g. ``skew_s``, ``offset_s``, ``partner_ip`` — whatever a runbook lists in ``requires``.

Variables the renderer sets for each rendered step (callers must not pass them):

``target``
    the host the step runs against. A step ``on: both`` is rendered twice, for ``server`` and
    then for ``partner``.
``peer``
    the other host of the pair (the partner when ``target`` is the server and vice versa).
``backup_file``
    ``C:\\ProgramData\\failover-doctor\\backup\\<target>-<cause>.xml`` (the host name reduced to
    file-name-safe characters).

Every runbook's ``requires`` names exactly the variables its templates use besides the three
above, and always includes ``server`` and ``partner`` (the renderer needs them to know where
each step runs).
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.environment import Template
from jinja2.sandbox import SandboxedEnvironment

from engine.catalog import suggest
from engine.docschema import validate as validate_structure
from engine.kb import is_shipped
from engine.errors import RunbookError
from engine.powershell import quote, quote_list
from engine.pscheck import indent, verbatim_strings
from engine.site import knowledge_files
from engine.kbcache import load_compiled
from engine.templatecheck import unknown_callable
from engine.yamlio import LineDict

BACKUP_DIR = "C:\\ProgramData\\failover-doctor\\backup"
RENDERER_VARIABLES = ("target", "peer", "backup_file")
HOST_VARIABLES = ("server", "partner")
PHASES = ("fix", "verify", "rollback")
TARGETS = ("server", "partner", "both", "fault")
# `on: fault`: the host(s) the finding says the fault is on (the rule's fault_on), passed by the
# diagnosis as FAULT_ROLES; without it (placeholder renders, lint) both hosts.
FAULT_ROLES = "fault_roles"

_TOP_KEYS = ("cause", "title", "summary", "requires", "fix", "verify", "rollback")
_STEP_REQUIRED = ("id", "title", "on", "run")
_STEP_KEYS = _STEP_REQUIRED + ("destructive", "expect", "backup")
_QUOTING_FILTERS = ("ps", "ps_list")
_FORBIDDEN_TAGS = {nodes.Include: "include", nodes.Import: "import",
                   nodes.FromImport: "from ... import", nodes.Extends: "extends",
                   nodes.FilterBlock: "filter"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STEP_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CAUSE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_EXPORT = re.compile(r"\bExport-DhcpServer\b", re.IGNORECASE)
_LEASES = re.compile(r"(?<![\w-])-Leases\b", re.IGNORECASE)
_OUTPUT_TAG = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9._-]")

# Literals emitted by the ps / ps_list filters while one step renders (see _render_command).
_EMITTED: ContextVar[list[str] | None] = ContextVar("fodoc_ps_literals", default=None)


@dataclass(frozen=True)
class Step:
    """One step of a runbook as written in the YAML (``run`` is still a template)."""

    id: str
    title: str
    on: str
    run: str
    destructive: bool = False
    expect: str | None = None
    backup: bool = False
    # Where it is written, for errors found after the step was read: the line of each key, and
    # the line the text of `run` starts on (0: unknown, or not line for line; engine/yamlio).
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    run_line: int = field(default=0, compare=False, repr=False)

    def where(self, path: str, key: str | None = None, template_line: int = 0) -> str:
        """`path:line` of `key` (or of line `template_line` of `run`), or just `path`."""
        if template_line and self.run_line:
            return f"{path}:{self.run_line + template_line - 1}"
        line = self.lines.get(key or "id")
        return f"{path}:{line}" if line else path


@dataclass(frozen=True)
class Runbook:
    """A validated runbook; ``path`` is the file it came from (used in every error)."""

    path: str
    cause: str
    title: str
    summary: str
    requires: tuple[str, ...]
    fix: tuple[Step, ...]
    verify: tuple[Step, ...]
    rollback: tuple[Step, ...]
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def where(self, key: str) -> str:
        """`path:line` of the top-level `key`, or just the path when the line is unknown."""
        line = self.lines.get(key)
        return f"{self.path}:{line}" if line else self.path


@dataclass(frozen=True)
class RenderedStep:
    """A step rendered for one host: ``command`` is ready-to-run PowerShell."""

    id: str
    title: str
    target: str
    command: str
    destructive: bool
    expect: str | None
    backup: bool


@dataclass(frozen=True)
class RenderedRunbook:
    """A runbook rendered for one pair: steps ``on: both`` appear once per host."""

    cause: str
    title: str
    summary: str
    fix: list[RenderedStep]
    verify: list[RenderedStep]
    rollback: list[RenderedStep]


# --------------------------------------------------------------------------- loading

def load_runbooks(directory: str | Path) -> dict[str, Runbook]:
    """Load and validate every ``*.yaml`` runbook in ``directory``, keyed by cause."""
    directory = Path(directory)
    if not directory.is_dir():
        raise RunbookError(str(directory), "is not a directory of runbooks")
    strays = sorted(directory.glob("*.yml"))
    if strays:
        # A silently skipped file would leave its cause without a runbook; say why instead.
        raise RunbookError(str(strays[0]), "runbook files must end in .yaml")
    runbooks: dict[str, Runbook] = {}
    for path in knowledge_files(directory):  # not a site's cmdlets.yaml
        runbook = load_runbook(path)
        runbooks[runbook.cause] = runbook
    return runbooks


def load_runbook(path: str | Path) -> Runbook:
    """Load one runbook file and validate it completely (see the module docstring)."""
    path = Path(path)
    # engine/kbcache: the parsed document from the cache; re-parsed with lines on any error
    return load_compiled(path, RunbookError, lambda data: _compile_runbook(path, data))


def _compile_runbook(path: Path, data: Any) -> Runbook:
    name = str(path)
    if not isinstance(data, dict):
        raise RunbookError(name, "must be a mapping with the keys " + ", ".join(_TOP_KEYS))
    _check_structure(name, data)
    _check_keys(name, data, _TOP_KEYS, _TOP_KEYS, item=None)
    cause = _text(name, data, "cause", item=None)
    if not _CAUSE.match(cause):
        raise RunbookError(_at(name, data, "cause"), f"cause {cause!r} must be lower-case "
                           "letters, digits and underscores", field="cause")
    if cause != path.stem:
        raise RunbookError(_at(name, data, "cause"), f"cause {cause!r} must match the file "
                           f"name ({path.stem}.yaml)", field="cause")
    runbook = Runbook(
        path=name,
        cause=cause,
        title=_text(name, data, "title", item=None),
        summary=_text(name, data, "summary", item=None),
        requires=_requires(name, data),
        fix=_steps(name, data, "fix"),
        verify=_steps(name, data, "verify"),
        rollback=_steps(name, data, "rollback"),
        lines=dict(getattr(data, "key_lines", {})),
    )
    _check_unique_ids(runbook)
    _check_backups(runbook)
    _check_variables(runbook)
    return runbook


def _check_structure(path: str, data: dict) -> None:
    """The shape of the file, against engine/schemas/runbook.schema.json (editors use it too)."""
    if is_shipped(path):
        return  # checked in CI (engine/kb.is_shipped)
    structure = validate_structure("runbook", data)
    if not structure:
        return
    first = structure[0]
    item, _, field = first.field.rpartition(".")
    phase, _, number = item.partition("[")
    if phase in PHASES and number.rstrip("]").isdigit():
        steps = data.get(phase)
        index = int(number.rstrip("]")) - 1
        step = steps[index] if isinstance(steps, list) and 0 <= index < len(steps) else None
        if isinstance(step, dict) and isinstance(step.get("id"), str):
            item = step["id"]
    raise RunbookError(f"{path}:{first.line}" if first.line else path, first.message,
                       item=item or None, field=field or first.field, suggestion=first.suggestion)


def _at(path: str, mapping: Any, key: str | None = None) -> str:
    """``path:line`` for a key of a YAML mapping (or the mapping itself), when known."""
    if isinstance(mapping, LineDict):
        line = mapping.line_of(key) if key is not None else mapping.line
        if line:
            return f"{path}:{line}"
    return path


def _check_keys(path: str, mapping: dict, allowed: Sequence[str], required: Sequence[str],
                item: str | None) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            raise RunbookError(_at(path, mapping, key), f"unknown key {key!r}", item=item,
                               field=str(key), suggestion=close[0] if close else None)
    for key in required:
        if key not in mapping:
            raise RunbookError(_at(path, mapping), f"missing key {key!r}", item=item, field=key)


def _text(path: str, mapping: dict, key: str, item: str | None) -> str:
    value = mapping[key]
    if not isinstance(value, str) or not value.strip():
        raise RunbookError(_at(path, mapping, key), "must be a non-empty string", item=item,
                           field=key)
    return value


def _flag(path: str, mapping: dict, key: str, item: str) -> bool:
    value = mapping.get(key, False)
    if not isinstance(value, bool):
        raise RunbookError(_at(path, mapping, key), "must be true or false", item=item,
                           field=key)
    return value


def _requires(path: str, data: dict) -> tuple[str, ...]:
    value = data["requires"]
    where = _at(path, data, "requires")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RunbookError(where, "must be a list of variable names", field="requires")
    for name in value:
        if not _IDENTIFIER.match(name):
            raise RunbookError(where, f"{name!r} is not a variable name", field="requires")
        if name in RENDERER_VARIABLES:
            raise RunbookError(where, f"{name!r} is set by the renderer for each step and must "
                               "not be listed", field="requires")
    duplicates = sorted(name for name, count in Counter(value).items() if count > 1)
    if duplicates:
        raise RunbookError(where, f"lists {', '.join(duplicates)} more than once",
                           field="requires")
    missing = [name for name in HOST_VARIABLES if name not in value]
    if missing:
        raise RunbookError(where, f"must include {', '.join(missing)}: the renderer needs both "
                           "hosts to know where each step runs", field="requires")
    return tuple(value)


def _steps(path: str, data: dict, phase: str) -> tuple[Step, ...]:
    value = data[phase]
    where = _at(path, data, phase)
    if not isinstance(value, list):
        raise RunbookError(where, "must be a list of steps", field=phase)
    if not value and phase != "rollback":
        raise RunbookError(where, "needs at least one step", field=phase)
    return tuple(_step(path, phase, index, raw) for index, raw in enumerate(value))


def _step(path: str, phase: str, index: int, raw: Any) -> Step:
    label = f"{phase}[{index}]"
    if not isinstance(raw, dict):
        raise RunbookError(path, "a step must be a mapping", item=label)
    raw = _yaml11_on(raw)
    step_id = raw.get("id")
    item = step_id if isinstance(step_id, str) else label
    _check_keys(path, raw, _STEP_KEYS, _STEP_REQUIRED, item=item)
    step_id = _text(path, raw, "id", item=label)
    if not _STEP_ID.match(step_id):
        raise RunbookError(_at(path, raw, "id"), f"step id {step_id!r} must be lower-case "
                           "letters, digits and hyphens", item=item, field="id")
    on = raw["on"]
    if on not in TARGETS:
        raise RunbookError(_at(path, raw, "on"), f"must be one of {', '.join(TARGETS)}, not "
                           f"{on!r}", item=item, field="on")
    step = Step(
        id=step_id,
        title=_text(path, raw, "title", item=item),
        on=on,
        run=_text(path, raw, "run", item=item),
        destructive=_flag(path, raw, "destructive", item=item),
        expect=_text(path, raw, "expect", item=item) if "expect" in raw else None,
        backup=_flag(path, raw, "backup", item=item),
        lines={str(key): line for key, line in getattr(raw, "key_lines", {}).items()},
        run_line=raw.value_line_of("run") if isinstance(raw, LineDict) else 0,
    )
    if phase == "verify" and step.expect is None:
        raise RunbookError(_at(path, raw), "a verify step needs 'expect': what the output must "
                           "show", item=item, field="expect")
    if phase != "verify" and step.expect is not None:
        raise RunbookError(_at(path, raw, "expect"), "only verify steps have 'expect'; a "
                           "fix or rollback step that checks something should throw",
                           item=item, field="expect")
    if phase == "verify" and step.destructive:
        raise RunbookError(_at(path, raw, "destructive"), "verify steps must be read-only",
                           item=item, field="destructive")
    if step.backup and phase != "fix":
        raise RunbookError(_at(path, raw, "backup"), "only fix steps take backups", item=item,
                           field="backup")
    if step.backup and not (_EXPORT.search(step.run) and _LEASES.search(step.run)):
        raise RunbookError(_at(path, raw, "backup"), "a backup step must run "
                           "Export-DhcpServer ... -Leases", item=item, field="backup")
    _lint_template(path, step, item)
    return step


def _yaml11_on(raw: dict) -> dict:
    """Give the key ``on`` its name back: YAML 1.1 (PyYAML) reads a bare ``on:`` as True."""
    if not any(key is True for key in raw) or "on" in raw:
        return raw
    fixed = LineDict(("on" if key is True else key, value) for key, value in raw.items())
    fixed.line = getattr(raw, "line", 0)
    fixed.key_lines = {"on" if key is True else key: line
                       for key, line in getattr(raw, "key_lines", {}).items()}
    fixed.value_lines = {"on" if key is True else key: line
                         for key, line in getattr(raw, "value_lines", {}).items()}
    return fixed


def _lint_template(path: str, step: Step, item: str) -> None:
    """Reject templates that could put an unquoted value into PowerShell, or cannot compile."""
    source, where = step.run, step.where(path, "run")
    try:
        tree = _ENVIRONMENT.parse(source)
    except TemplateSyntaxError as exc:
        raise RunbookError(where, f"template error on line {exc.lineno} of run: {exc.message}",
                           item=item, field="run") from None
    for node_type, tag in _FORBIDDEN_TAGS.items():
        node = next(tree.find_all(node_type), None)
        if node is not None:
            raise RunbookError(where, f"{{% {tag} %}} is not allowed in run (line "
                               f"{node.lineno})", item=item, field="run")
    unknown = unknown_callable(_ENVIRONMENT, tree)  # Jinja2 itself says so only when compiling
    if unknown is not None:
        lineno, message = unknown
        raise RunbookError(step.where(path, "run", lineno), message, item=item, field="run")
    for output in tree.find_all(nodes.Output):
        for child in output.nodes:
            if not isinstance(child, nodes.TemplateData) and not _is_quoted(child):
                shown = _output_text(source, child.lineno) or f"on line {child.lineno}"
                raise RunbookError(where, f"output expression {shown} must end with | ps or "
                                   "| ps_list, so the value reaches PowerShell as a quoted "
                                   "literal", item=item, field="run")


def _is_quoted(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Filter) and node.name in _QUOTING_FILTERS


def _output_text(source: str, lineno: int) -> str | None:
    """The first unquoted ``{{ ... }}`` written on template line ``lineno``, for messages."""
    lines = source.splitlines()
    if not 0 < lineno <= len(lines):
        return None
    for match in _OUTPUT_TAG.finditer(lines[lineno - 1]):
        try:
            tree = _ENVIRONMENT.parse("{{ " + match.group(1) + " }}")
        except TemplateSyntaxError:
            continue
        if not _is_quoted(tree.body[0].nodes[0]):
            return match.group(0)
    return None


def _all_steps(runbook: Runbook) -> Iterable[tuple[str, Step]]:
    for phase in PHASES:
        for step in getattr(runbook, phase):
            yield phase, step


def _check_unique_ids(runbook: Runbook) -> None:
    seen: set[str] = set()
    for phase, step in _all_steps(runbook):
        if step.id in seen:
            raise RunbookError(step.where(runbook.path, "id"), "step id is used more than once "
                               f"in this runbook (again in {phase})", item=step.id, field="id")
        seen.add(step.id)


def _hosts(on: str) -> set[str]:
    return set(HOST_VARIABLES) if on in ("both", "fault") else {on}


def _check_backups(runbook: Runbook) -> None:
    covered: set[str] = set()
    for step in runbook.fix:
        missing = _hosts(step.on) - covered
        if step.destructive and missing:
            raise RunbookError(step.where(runbook.path, "destructive"), "destructive step is not "
                               "preceded by a backup step (backup: true, Export-DhcpServer ... "
                               f"-Leases) on {' and '.join(sorted(missing))}", item=step.id,
                               field="destructive")
        if step.backup:
            covered |= _hosts(step.on)
    destructive = [step.id for _, step in _all_steps(runbook) if step.destructive]
    if destructive and not runbook.rollback:
        raise RunbookError(runbook.where("rollback"), f"has destructive steps "
                           f"({', '.join(destructive)}) but no rollback steps", field="rollback")


def _check_variables(runbook: Runbook) -> None:
    declared = set(runbook.requires)
    used: set[str] = set()
    for _, step in _all_steps(runbook):
        tree = _ENVIRONMENT.parse(step.run)
        names = meta.find_undeclared_variables(tree)
        unknown = sorted(names - declared - set(RENDERER_VARIABLES))
        if unknown:
            first = next(node for node in tree.find_all(nodes.Name) if node.name == unknown[0])
            raise RunbookError(step.where(runbook.path, "run", first.lineno),
                               f"uses {', '.join(unknown)}, which 'requires' does not list",
                               item=step.id, field="run",
                               suggestion=suggest(unknown[0], sorted(declared)
                                                  + list(RENDERER_VARIABLES)))
        used |= names
    unused = sorted(declared - used - set(HOST_VARIABLES))
    if unused:
        raise RunbookError(runbook.where("requires"), f"'requires' lists {', '.join(unused)}, "
                           "which no step uses", field="requires")


# --------------------------------------------------------------------------- rendering

def _ps_filter(value: Any) -> str:
    _fail_if_undefined(value)
    literal = quote(value)
    _record([literal])
    return literal


def _ps_list_filter(values: Any) -> str:
    _fail_if_undefined(values)
    literal = quote_list(values)
    _record([quote(value) for value in values])
    return literal


def _fail_if_undefined(value: Any) -> None:
    # Filters receive Undefined objects as plain arguments; make them fail the StrictUndefined
    # way (naming the missing variable) instead of reaching quote() as an unknown type.
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()


def _record(literals: list[str]) -> None:
    emitted = _EMITTED.get()
    if emitted is not None:
        emitted.extend(literals)


def _environment() -> SandboxedEnvironment:
    environment = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                       keep_trailing_newline=False)
    environment.filters["ps"] = _ps_filter
    environment.filters["ps_list"] = _ps_list_filter
    return environment


_ENVIRONMENT = _environment()


@lru_cache(maxsize=512)
def _template(source: str) -> Template:
    return _ENVIRONMENT.from_string(source)


def backup_file(target: str, cause: str) -> str:
    """Where the backup/capture of ``target`` for ``cause`` is written (Windows path)."""
    return f"{BACKUP_DIR}\\{_UNSAFE_FILE_CHARS.sub('_', target)}-{cause}.xml"


def render(runbook: Runbook, variables: Mapping[str, Any]) -> RenderedRunbook:
    """Render every step of ``runbook`` with ``variables`` (see the module docstring)."""
    reserved = sorted(set(variables) & set(RENDERER_VARIABLES))
    if reserved:
        raise RunbookError(runbook.path, f"{', '.join(reserved)} are set by the renderer for "
                           "each step and must not be passed", field="variables")
    missing = [name for name in runbook.requires if name not in variables]
    if missing:
        raise RunbookError(runbook.path, f"runbook {runbook.cause!r} needs variables that were "
                           f"not passed: {', '.join(missing)}", field="requires")
    hosts = {role: _host(runbook, variables, role) for role in HOST_VARIABLES}
    rendered = {phase: [rendered_step
                        for step in getattr(runbook, phase)
                        for rendered_step in _render_step(runbook, step, variables, hosts)]
                for phase in PHASES}
    return RenderedRunbook(cause=runbook.cause, title=runbook.title, summary=runbook.summary,
                           **rendered)


def _host(runbook: Runbook, variables: Mapping[str, Any], role: str) -> str:
    value = variables[role]
    if not isinstance(value, str) or not value.strip():
        raise RunbookError(runbook.path, f"variable {role!r} must be a host name, got "
                           f"{value!r}", field="variables")
    return value


def _render_step(runbook: Runbook, step: Step, variables: Mapping[str, Any],
                 hosts: dict[str, str]) -> list[RenderedStep]:
    if step.on == "fault":
        roles = tuple(r for r in HOST_VARIABLES if r in variables.get(FAULT_ROLES, HOST_VARIABLES))
    else:
        roles = HOST_VARIABLES if step.on == "both" else (step.on,)
    rendered = []
    for role in roles:
        target = hosts[role]
        peer = hosts["partner" if role == "server" else "server"]
        context = {**variables, "target": target, "peer": peer,
                   "backup_file": backup_file(target, runbook.cause)}
        command = _render_command(runbook, step, context).strip("\n")
        if not command.strip():
            # the template left nothing to run for this finding ({% if %} on a variable such as
            # `rules`): the step does not apply here and is left out; a backup never is, since
            # the destructive steps after it rely on it
            if step.backup:
                raise RunbookError(runbook.path, f"runbook {runbook.cause!r}: backup step "
                                   f"{step.id!r} renders to nothing for {target}; a backup must "
                                   "always run", item=step.id, field="run")
            continue
        rendered.append(RenderedStep(
            id=step.id, title=step.title, target=target,
            command=command,
            destructive=step.destructive, expect=step.expect, backup=step.backup,
        ))
    return rendered


def _render_command(runbook: Runbook, step: Step, context: dict[str, Any]) -> str:
    emitted: list[str] = []
    token = _EMITTED.set(emitted)
    try:
        command = _template(step.run).render(context)
    except TemplateError as exc:
        raise RunbookError(runbook.path, f"runbook {runbook.cause!r} cannot be rendered for "
                           f"{context['target']}: {exc.message}", item=step.id,
                           field="run") from None
    except (TypeError, ValueError) as exc:  # QuoteError is a ValueError
        raise RunbookError(runbook.path, f"runbook {runbook.cause!r} cannot be rendered for "
                           f"{context['target']}: {exc}", item=step.id, field="run") from None
    finally:
        _EMITTED.reset(token)
    _check_standalone(runbook, step, command, emitted)
    return command


def _check_standalone(runbook: Runbook, step: Step, command: str, emitted: list[str]) -> None:
    """Prove that each quoted string the filters emitted is a whole string literal.

    ``| ps`` only makes a value inert where PowerShell reads it as code: inside a comment (where
    a newline in the value ends the comment) or inside a double-quoted string (where ``$(...)``
    expands) it is not. Comparing with the literals tree-sitter finds catches both.
    """
    wanted = Counter(literal for literal in emitted if literal.startswith("'"))
    if not wanted:
        return
    found = Counter(verbatim_strings(command))
    for literal, count in wanted.items():
        if found[literal] < count:
            shown = literal if len(literal) <= 60 else literal[:57] + "..."
            raise RunbookError(runbook.path, f"the quoted value {shown} is not a standalone "
                               "PowerShell string in the rendered command (is the {{ ... | ps }} "
                               "inside a comment or a double-quoted string?)", item=step.id,
                               field="run")


# --------------------------------------------------------------------------- script export

def to_script(rendered: RenderedRunbook) -> str:
    """A standalone .ps1 that runs the fix steps, then the verify steps, from a workstation.

    ``-WhatIf`` lists the steps without running them and ``-Confirm`` asks before each one
    (``$PSCmdlet.ShouldProcess`` per step). The script stops at the first error. The rollback
    steps live in the function ``Invoke-Rollback``, which runs only when the script is called
    with ``-Rollback``.
    """
    lines = [
        "<#",
        ".SYNOPSIS",
        _comment(f"{rendered.title} (failover-doctor runbook {rendered.cause})"),
        "",
        ".DESCRIPTION",
        *(_comment(line) for line in rendered.summary.strip().splitlines()),
        "",
        "Runs the fix steps in order and stops at the first error, then runs the verify steps.",
        "-WhatIf lists the steps without running them; -Confirm asks before each step; a",
        "DESTRUCTIVE step always asks first unless -Force is given.",
        "The rollback steps are in Invoke-Rollback, which runs only with -Rollback; after them the",
        "captures the fix keeps are renamed (.rolled-back-<time>), so the fix can be run again.",
        "#>",
        "[CmdletBinding(SupportsShouldProcess)]",
        "param(",
        "    # Run the rollback steps instead of the fix and verify steps.",
        "    [switch]$Rollback,",
        "    # Run the DESTRUCTIVE steps without asking first (they ask even without -Confirm).",
        "    [switch]$Force",
        ")",
        "",
        "$ErrorActionPreference = 'Stop'",
        "",
        "function Invoke-Rollback {",
        "    [CmdletBinding(SupportsShouldProcess)]",
        "    param()",
    ]
    if rendered.rollback:
        lines.append(indent("\n".join(_script_steps("rollback", rendered.rollback)), "    "))
        lines.append(indent("\n".join(_set_captures_aside(rendered)), "    "))
    else:
        lines.append("    Write-Host 'This runbook has no rollback steps.'")
    lines += ["}", "", "if ($Rollback) {", "    Invoke-Rollback", "    return", "}", ""]
    lines += _script_steps("fix", rendered.fix)
    lines += _script_steps("verify", rendered.verify)
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    # "#>" would end the help comment early and turn the rest of the text into code.
    return text.replace("#>", "# >")


def _script_steps(phase: str, steps: list[RenderedStep]) -> list[str]:
    lines = [f"Write-Host {quote('== ' + phase)}"]
    for number, step in enumerate(steps, start=1):
        label = f"{phase} {number}/{len(steps)} {step.id}: {step.title}"
        action = ("DESTRUCTIVE " if step.destructive else "") + label
        lines.append(f"if ($PSCmdlet.ShouldProcess({quote(step.target)}, {quote(action)})) {{")
        body = [f"Write-Host {quote(f'[{step.target}] {label}')}"]
        if step.expect:
            body.append(f"Write-Host {quote('Expect: ' + step.expect.strip())}")
        body.append(step.command)
        if step.destructive:  # asks even without -Confirm: at 3 a.m. nobody remembers to pass it
            lines.append(f"    if (-not ($Force -or $PSCmdlet.ShouldContinue({quote(f'{step.title} on {step.target}')}, "
                         f"'DESTRUCTIVE step: continue?'))) {{ throw 'Stopped before a destructive step; "
                         "nothing after it was run.' }")
        lines.append(indent("\n".join(body), "    "))
        lines.append("}")
    return lines


def _set_captures_aside(rendered: RenderedRunbook) -> list[str]:
    """After the rollback, rename the captures and backups the fix refuses to overwrite, so that
    the fix can run again (they are kept, with the time of the rollback in their name)."""
    commands = "\n".join(step.command for phase in PHASES for step in getattr(rendered, phase))
    targets = dict.fromkeys(step.target for phase in PHASES for step in getattr(rendered, phase))
    paths = [path for path in (backup_file(target, rendered.cause) for target in targets) if quote(path) in commands]
    lines = []
    for path in paths:
        leaf = path.rsplit("\\", 1)[-1]
        lines += [f"if (Test-Path -LiteralPath {quote(path)}) {{",
                  f"    Rename-Item -LiteralPath {quote(path)} -NewName ({quote(leaf + '.rolled-back-')} + "
                  "(Get-Date -Format 'yyyyMMddHHmmss'))",
                  f"    Write-Host {quote('Set aside ' + path + ' (renamed .rolled-back-<time>): the fix can run again.')}",
                  "}"]
    return lines
