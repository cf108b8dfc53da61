"""`fodoc rules lint`: every problem of rules, runbooks, fact kinds and site configs, not just the first.

Loading stops at the first error (fodoc never diagnoses with half a knowledge base); an author
wants the whole list, each with file:line, a severity and a check id that CI (SARIF) can show
next to the line in code review. The checks:

=====================  ========  ==========================================================
check                  severity  what
=====================  ========  ==========================================================
yaml                   error     the file is not valid YAML (or not UTF-8)
schema                 error     structure, against engine/schemas/*.schema.json (each problem)
rule                   error     the rule compiler's domain checks: unknown fact kinds or fields
                                 (did-you-mean), type mismatches, undefined aliases, bad regexes
duplicate-id           error     two rule files with the same id in one directory
replaces-site-rule     warning   a rule in a later site directory takes the id of one in an earlier
                                 one, which then never loads (the later directory wins)
file-name              error     a .yml file where fodoc reads only .yaml (it would be ignored);
                       note      a rule file not named <id>.yaml
cause-without-runbook  error     the rule's cause has no runbook (shipped or site); causes whose
                                 rules are all severity info (expected behaviour) need none
no-positive-fixture    warning   no fixture that expects the rule to fire
no-negative-fixture    warning   no fixture that expects the rule to stay silent
overrides-shipped      note      a site rule or runbook replaces the shipped one with that id
runbook                error     the runbook loader's checks (keys, variables, backups, on:)
unquoted-interpolation error     a {{ ... }} in `run` that does not end with | ps or | ps_list
powershell             error     rendered PowerShell: unknown cmdlet or parameter (the cmdlet
                                 catalog engine/data/cmdlets.yaml and the site's cmdlets.yaml),
                                 syntax (engine/pscheck.py)
cmdlet-catalog         error     a site cmdlets.yaml is invalid (engine/cmdletcatalog.py)
runbook-without-rule   note      no rule concludes the runbook's cause
fact                   error     a fact kind file is invalid
site-config            error     the site config is invalid
unknown-suppressed-rule warning  a suppression names a rule that does not exist (did-you-mean)
expired-suppression    warning   a suppression's `until` date has passed; it no longer applies
=====================  ========  ==========================================================
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateSyntaxError, nodes

from ..catalog import FactCatalog, load_catalog, suggest
from ..cmdletcatalog import CmdletCatalog, shipped_catalog, site_catalog_files
from ..docschema import plain as _plain
from ..docschema import validate as validate_structure
from ..errors import KnowledgeBaseError, RuleLoadError
from ..kb import shipped_dir
from ..knowledge import expected_behaviour_causes
from ..pscheck import check_powershell
from ..rules import Rule, RuleCompiler
from ..runbooks import PHASES, _ENVIRONMENT, load_runbook
from ..site import RUNBOOKS_SUBDIR, SITE_CONFIG_NAME, read_site_config
from ..yamlio import LineDict, load_yaml
from .placeholders import RULES_VARIABLE, render_with_placeholders
from .targets import Targets, classify, runbook_causes, yaml_files

SEVERITIES = ("error", "warning", "note")
CHECKS = {
    "yaml": ("error", "The file is valid YAML"),
    "schema": ("error", "The file matches its JSON Schema (engine/schemas)"),
    "rule": ("error", "The rule passes the compiler's checks against the fact catalog"),
    "duplicate-id": ("error", "Rule ids are unique"),
    "replaces-site-rule": ("warning", "A site rule does not silently replace another site's rule"),
    "file-name": ("error", "Files are named <id>.yaml / <cause>.yaml, so fodoc reads them"),
    "cause-without-runbook": ("error", "Every fault cause has a runbook (expected behaviour needs none)"),
    "no-positive-fixture": ("warning", "Every rule has a fixture that fires"),
    "no-negative-fixture": ("warning", "Every rule has a fixture that stays silent"),
    "overrides-shipped": ("note", "A site file replaces a shipped one"),
    "runbook": ("error", "The runbook passes the loader's checks"),
    "unquoted-interpolation": ("error", "Every {{ ... }} in run ends with | ps or | ps_list"),
    "powershell": ("error", "Rendered PowerShell uses real cmdlets and parameters"),
    "cmdlet-catalog": ("error", "A site cmdlets.yaml is valid"),
    "runbook-without-rule": ("note", "Some rule concludes the runbook's cause"),
    "fact": ("error", "The fact kind file is valid"),
    "site-config": ("error", "The site config is valid"),
    "unknown-suppressed-rule": ("warning", "A suppression names an existing rule"),
    "expired-suppression": ("warning", "A suppression has not expired"),
}


@dataclass(frozen=True, order=True)
class Issue:
    """One lint finding; `line` is 1-based (0: the file as a whole)."""

    path: str
    line: int
    check: str
    message: str
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message} [{self.check}]"


@dataclass
class LintReport:
    issues: list[Issue]
    files: int

    def count(self, severity: str) -> int:
        return sum(1 for issue in self.issues if issue.severity == severity)

    def failed(self, strict: bool = False) -> bool:
        return self.count("error") > 0 or (strict and self.count("warning") > 0)


def lint(paths: list[Path] | None = None, rule_dirs: list[Path] | None = None,
         runbook_dirs: list[Path] | None = None, site_config: Path | None = None,
         today: dt.date | None = None) -> LintReport:
    """Lint `paths` (files or directories), or the whole knowledge base as fodoc would load it.

    Cross-file checks (a cause's runbook, overrides) look at the shipped knowledge base, the
    site directories and the linted paths together, as `fodoc diagnose --rules-dir` would.
    """
    rule_dirs = [Path(d) for d in rule_dirs or []]
    runbook_dirs = [Path(d) for d in runbook_dirs or []]
    today = today or dt.datetime.now(dt.timezone.utc).date()
    if paths:
        targets = classify([Path(p) for p in paths])
    else:
        targets = Targets(
            rules=yaml_files([shipped_dir("rules")] + rule_dirs),
            runbooks=yaml_files([shipped_dir("runbooks")]
                                 + [d / RUNBOOKS_SUBDIR for d in rule_dirs] + runbook_dirs),
            facts=yaml_files([shipped_dir("facts")]),
            site_configs=[site_config] if site_config else
            [d / SITE_CONFIG_NAME for d in rule_dirs if (d / SITE_CONFIG_NAME).is_file()],
            directories=rule_dirs + [d / RUNBOOKS_SUBDIR for d in rule_dirs] + runbook_dirs)
    if site_config and site_config not in targets.site_configs:
        targets.site_configs.append(site_config)
    cmdlet_files = list(dict.fromkeys(targets.cmdlet_catalogs + site_catalog_files(
        targets.directories + rule_dirs + [d / RUNBOOKS_SUBDIR for d in rule_dirs] + runbook_dirs
        + _site_homes(targets))))
    linter = _Linter(today)
    linter.strays(targets.directories)
    linter.cmdlet_catalogs(cmdlet_files)
    linter.facts(targets.facts)
    catalog = linter.catalog
    rules = linter.rules(targets.rules, catalog)
    known_runbooks = runbook_causes([shipped_dir("runbooks")]
                                     + [d / RUNBOOKS_SUBDIR for d in rule_dirs] + runbook_dirs
                                     + sorted({p.parent for p in targets.runbooks}))
    linter.runbooks(targets.runbooks)
    all_rules = _all_rule_ids(catalog, rule_dirs, rules)
    linter.causes(rules, known_runbooks)
    linter.orphans(targets.runbooks, {r.cause for r in all_rules.values()})
    linter.site_configs(targets.site_configs, all_rules)
    files = (len(targets.rules) + len(targets.runbooks) + len(targets.facts)
             + len(targets.site_configs) + len(cmdlet_files))
    return LintReport(sorted(set(linter.issues)), files)


def _site_homes(targets: Targets) -> list[Path]:
    """The site directories of single linted files: a rule's folder, a runbook's folder and the
    rules directory whose runbooks/ folder it is (where that site keeps its cmdlets.yaml)."""
    shipped = {shipped_dir(name).resolve() for name in ("rules", "runbooks")}
    homes = [path.parent for path in targets.rules + targets.runbooks]
    homes += [path.parent.parent for path in targets.runbooks if path.parent.name == RUNBOOKS_SUBDIR]
    return [home for home in homes if home.resolve() not in shipped
            and home.resolve() not in {d.parent.resolve() for d in shipped}]


def _all_rule_ids(catalog: FactCatalog, rule_dirs: list[Path], linted: list[Rule]) -> dict[str, Rule]:
    """Every rule fodoc would load (shipped, site, linted), for suppressions and orphans."""
    by_id: dict[str, Rule] = {}
    for path in yaml_files([shipped_dir("rules")] + rule_dirs):
        try:
            rule = RuleCompiler(str(path), catalog).compile(load_yaml(path, RuleLoadError))
        except KnowledgeBaseError:
            continue  # reported where it is linted
        by_id[rule.id] = rule
    by_id.update({rule.id: rule for rule in linted})
    return by_id


# --------------------------------------------------------------------------- the checks

class _Linter:
    def __init__(self, today: dt.date):
        self.today = today
        self.issues: list[Issue] = []
        self.declared_causes: set[str] = set()
        self.unreadable = False     # a linted file could not be read, so its cause is unknown
        self.catalog: FactCatalog = load_catalog(shipped_dir("facts"))
        self.shipped_rules = {p.stem for p in yaml_files([shipped_dir("rules")])}
        self.shipped_rule_dir = shipped_dir("rules").resolve()
        self.shipped_runbook_dir = shipped_dir("runbooks").resolve()
        self.commands: CmdletCatalog = shipped_catalog()  # with the site's cmdlets.yaml, if any

    def add(self, path: Path | str, line: int, check: str, message: str,
            severity: str | None = None) -> None:
        self.issues.append(Issue(str(path), line, check, message, severity or CHECKS[check][0]))

    def strays(self, directories: list[Path]) -> None:
        """`.yml` files in a directory fodoc reads: silently skipped for rules, so say so."""
        for directory in dict.fromkeys(Path(d) for d in directories):
            if Path(directory).is_dir():
                for path in sorted(Path(directory).glob("*.yml")):
                    self.add(path, 0, "file-name", "fodoc reads only *.yaml files here, so this "
                             f"file is ignored; rename it to {path.stem}.yaml")

    def cmdlet_catalogs(self, paths: list[Path]) -> None:
        """Merge each valid site cmdlets.yaml into the catalog the runbooks are checked against."""
        for path in paths:
            try:
                self.commands = self.commands.with_site_file(path)
            except KnowledgeBaseError as exc:
                self.add(path, _line_from(exc.path), "cmdlet-catalog", _text(exc, drop_path=True))

    def _document(self, path: Path, schema: str) -> Any:
        """The parsed file if it is valid YAML matching its schema, else None (issues added)."""
        try:
            doc = load_yaml(path)
        except KnowledgeBaseError as exc:
            self.add(path, _line_from(exc.path), "yaml", _text(exc, drop_path=True))
            self.unreadable = True
            return None
        if not isinstance(doc, dict):
            self.add(path, 0, "schema", "expected a mapping")
            self.unreadable = True
            return None
        if schema == "rule" and isinstance(doc.get("cause"), str):
            self.declared_causes.add(doc["cause"])  # even when the rule itself is invalid
        problems = validate_structure(schema, doc)
        for problem in problems:
            text = f"{problem.field}: {problem.message}" if problem.field else problem.message
            if problem.suggestion:
                text += f" (did you mean {problem.suggestion!r}?)"
            self.add(path, problem.line, "schema", text)
        return None if problems else doc

    def facts(self, paths: list[Path]) -> None:
        for path in paths:
            if self._document(path, "fact") is None:
                continue
            if path.parent.resolve() != shipped_dir("facts").resolve():
                # Fact kinds are read by the parsers: only the shipped catalog is loaded.
                try:
                    load_catalog(path.parent)
                except KnowledgeBaseError as exc:
                    self.add(path, _line_from(exc.path), "fact", _text(exc))

    def rules(self, paths: list[Path], catalog: FactCatalog) -> list[Rule]:
        compiled: list[Rule] = []
        seen: dict[tuple[Path, str], Path] = {}
        site_ids: dict[str, Path] = {}  # the site file each id was last taken from
        for path in paths:
            doc = self._document(path, "rule")
            if doc is None:
                continue
            try:
                rule = RuleCompiler(str(path), catalog).compile(doc)
            except KnowledgeBaseError as exc:
                self.add(path, _line_from(exc.path), "rule", _text(exc, drop_path=True))
                continue
            key = (path.parent.resolve(), rule.id)
            if key in seen:
                self.add(path, doc.line_of("id"), "duplicate-id",
                         f"rule id {rule.id!r} is already used by {seen[key]}")
                continue
            seen[key] = path
            compiled.append(rule)
            if path.parent.resolve() != self.shipped_rule_dir:
                earlier = site_ids.get(rule.id)
                if earlier is not None and earlier.parent.resolve() != path.parent.resolve():
                    # load_rules lets the later directory win; say so, the author may not know
                    self.add(path, doc.line_of("id"), "replaces-site-rule",
                             f"rule id {rule.id} in {path} replaces the one in {earlier}")
                site_ids[rule.id] = path
            if path.stem != rule.id and path.name != f"{rule.id}.yaml":
                self.add(path, doc.line_of("id"), "file-name",
                         f"rule {rule.id} is in {path.name}; name the file {rule.id}.yaml so "
                         "that it can be found by its id", severity="note")
            if not any(f.fires for f in rule.fixtures):
                self.add(path, doc.line_of("fixtures"), "no-positive-fixture",
                         f"rule {rule.id} has no fixture with 'expect: fires'")
            if all(f.fires for f in rule.fixtures):
                self.add(path, doc.line_of("fixtures"), "no-negative-fixture",
                         f"rule {rule.id} has no fixture with 'expect: silent'")
            if rule.id in self.shipped_rules and path.parent.resolve() != self.shipped_rule_dir:
                self.add(path, doc.line_of("id"), "overrides-shipped",
                         f"replaces the shipped rule {rule.id}")
        return compiled

    def causes(self, rules: list[Rule], runbooks: dict[str, Path]) -> None:
        expected = expected_behaviour_causes(rules)  # info-only causes explain, they need no fix
        for rule in rules:
            if rule.cause not in runbooks and rule.cause not in expected:
                hint = suggest(rule.cause, runbooks)
                self.add(rule.path, _key_line(rule.path, "cause"), "cause-without-runbook",
                         f"cause {rule.cause!r} has no runbook (expected runbooks/{rule.cause}.yaml"
                         + (f"; did you mean {hint!r}?)" if hint else ")"))

    def runbooks(self, paths: list[Path]) -> None:
        for path in paths:
            doc = self._document(path, "runbook")
            if doc is None:
                continue
            unquoted = self._unquoted(path, doc)
            try:
                runbook = load_runbook(path)
            except KnowledgeBaseError as exc:
                if not (unquoted and "must end with | ps" in exc.message):
                    self.add(path, _line_from(exc.path), "runbook", _text(exc, drop_path=True))
                    continue
                # Reported above; check the PowerShell as if those values were quoted, so the
                # author sees every problem now rather than one after the other.
                runbook = _quoted_copy(path, doc)
                if runbook is None:
                    continue
            if path.stem and path.parent.resolve() != self.shipped_runbook_dir \
                    and (self.shipped_runbook_dir / path.name).is_file():
                self.add(path, doc.line_of("cause"), "overrides-shipped",
                         f"replaces the shipped runbook {runbook.cause}")
            self._powershell(path, doc, runbook)

    def _unquoted(self, path: Path, doc: dict) -> bool:
        """Every output expression in a `run` that is not quoted, with its line in the file."""
        found = False
        for phase in PHASES:
            for step in doc.get(phase) or []:
                run = step.get("run") if isinstance(step, dict) else None
                if not isinstance(run, str):
                    continue
                try:
                    tree = _ENVIRONMENT.parse(run)
                except TemplateSyntaxError:
                    continue  # the loader reports it
                for output in tree.find_all(nodes.Output):
                    for child in output.nodes:
                        if isinstance(child, nodes.TemplateData) or (
                                isinstance(child, nodes.Filter) and child.name in ("ps", "ps_list")):
                            continue
                        if isinstance(child, nodes.Filter) and child.name not in _ENVIRONMENT.filters:
                            continue  # a misspelt filter (| psq): the runbook check names it
                        found = True
                        line = (step.line_in_value("run", child.lineno)
                                if isinstance(step, LineDict) else 0)
                        shown = _source_line(run, child.lineno)
                        self.add(path, line, "unquoted-interpolation",
                                 f"step {step.get('id')}: {shown.strip()!r} interpolates a value "
                                 "without | ps or | ps_list; it would reach PowerShell unquoted")
        return found

    def _powershell(self, path: Path, doc: dict, runbook) -> None:
        # a runbook that tells its rules apart ({% if 'x' in rules %}) is checked both ways
        variants = [None, []] if RULES_VARIABLE in runbook.requires else [None]
        try:
            renders = [render_with_placeholders(runbook, rules) for rules in variants]
        except KnowledgeBaseError as exc:
            self.add(path, 0, "runbook", _text(exc, drop_path=True))
            return
        steps = {step["id"]: step for phase in PHASES for step in doc.get(phase) or []
                 if isinstance(step, LineDict) and isinstance(step.get("id"), str)}
        reported = set()
        for rendered, phase in ((r, p) for r in renders for p in PHASES):
            for step in getattr(rendered, phase):
                for problem in check_powershell(step.command, self.commands):
                    key = (step.id, problem.message)
                    if key in reported:  # a step `on: both` renders twice
                        continue
                    reported.add(key)
                    written = steps.get(step.id)
                    self.add(path, written.line_in_value("run", problem.line) if written else 0,
                             "powershell", f"step {step.id}: {problem.message}")

    def orphans(self, runbook_paths: list[Path], causes: set[str]) -> None:
        if self.unreadable:
            return
        for path in runbook_paths:
            if path.stem not in causes | self.declared_causes and not any(i.path == str(path) and i.severity == "error"
                                                   for i in self.issues):
                self.add(path, 1, "runbook-without-rule",
                         f"no rule concludes cause {path.stem!r}, so this runbook is never used")

    def site_configs(self, paths: list[Path], rules: dict[str, Rule]) -> None:
        for path in paths:
            reading = read_site_config(path)  # every problem, not just the first
            for exc in reading.errors:
                self.add(path, _line_from(exc.path), "site-config", _text(exc, drop_path=True))
            for suppression in reading.entries:
                if suppression.rule not in rules:
                    hint = suggest(suppression.rule, rules)
                    self.add(path, suppression.line, "unknown-suppressed-rule",
                             f"suppresses rule {suppression.rule!r}, which does not exist"
                             + (f" (did you mean {hint!r}?)" if hint else ""))
                if suppression.expired(self.today):
                    self.add(path, suppression.line, "expired-suppression",
                             f"the suppression of {suppression.rule} expired on "
                             f"{suppression.until.isoformat()} and no longer applies; renew it "
                             "with a new reason or remove it")


def _quoted_copy(path: Path, doc: dict):
    """The runbook loaded with every unquoted `{{ x }}` in `run` read as `{{ (x) | ps }}`, or None."""
    copy = _plain(doc)
    for phase in PHASES:
        for step in copy.get(phase) or []:
            if isinstance(step, dict) and isinstance(step.get("run"), str):
                step["run"] = _OUTPUT.sub(_quote_output, step["run"])
    with tempfile.TemporaryDirectory(prefix="fodoc-lint-") as folder:
        target = Path(folder) / path.name
        target.write_text(yaml.safe_dump(copy, sort_keys=False, allow_unicode=True), encoding="utf-8")
        try:
            return load_runbook(target)
        except KnowledgeBaseError:
            return None  # something else is wrong too; the original's error is already reported


_OUTPUT = re.compile(r"\{\{(-?)(.*?)(-?)\}\}", re.DOTALL)


def _quote_output(match: re.Match) -> str:
    try:
        tree = _ENVIRONMENT.parse("{{" + match.group(2) + "}}")
        node = tree.body[0].nodes[0]
    except (TemplateSyntaxError, IndexError, AttributeError):
        return match.group(0)
    if isinstance(node, nodes.Filter) and node.name in ("ps", "ps_list"):
        return match.group(0)
    return "{{" + match.group(1) + " (" + match.group(2).strip() + ") | ps " + match.group(3) + "}}"


def _text(exc: KnowledgeBaseError, drop_path: bool = False) -> str:
    """The error without its leading file:line (the issue carries them)."""
    text = exc.one_line()
    prefix = exc.path + ": "
    if drop_path and text.startswith(prefix):
        text = text[len(prefix):]
    return text


def _line_from(where: str) -> int:
    head, _, tail = where.rpartition(":")
    return int(tail) if head and tail.isdigit() else 0


def _key_line(path: str, key: str) -> int:
    try:
        doc = load_yaml(Path(path))
    except KnowledgeBaseError:
        return 0
    return doc.line_of(key) if isinstance(doc, LineDict) else 0


def _source_line(source: str, lineno: int) -> str:
    lines = source.splitlines()
    return lines[lineno - 1] if 0 < lineno <= len(lines) else source
