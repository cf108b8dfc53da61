"""The knowledge base as one object: fact catalog, rules and runbooks, checked against each other.

Loading it is the moment every cross-file mistake surfaces (a rule whose cause has no runbook,
site rules that override shipped ones), before any bundle is read.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalog import FactCatalog, load_catalog, suggest
from .errors import RuleLoadError, RunbookError
from .kb import shipped_dir
from .rules import ANY_CAUSE, Rule, load_rules
from .cmdletcatalog import catalog_with, site_catalog_files
from .runbooks import PHASES, Runbook, load_runbook
from .site import knowledge_files, runbook_dirs_of


def _check_commands(runbook: Runbook, commands) -> None:
    """The first PowerShell problem of a site runbook, rendered with placeholder names, as a
    RunbookError at its file:line."""
    from .authoring.placeholders import render_with_placeholders
    from .pscheck import check_powershell

    rendered = render_with_placeholders(runbook)
    written = {step.id: step for phase in PHASES for step in getattr(runbook, phase)}
    for phase in PHASES:
        for step in getattr(rendered, phase):
            problems = check_powershell(step.command, commands)
            if problems:
                source = written[step.id]
                raise RunbookError(source.where(runbook.path, "run", problems[0].line),
                                   f"step {step.id}: {problems[0].message} (fodoc rules lint lists them all)")


class RunbookLibrary:
    """Runbooks by cause (`<dir>/<cause>.yaml`, later directories override), loaded when first used.

    A diagnosis renders the runbooks of the causes it found, usually one or two, so validating all
    of them on every run would cost more than the analysis; `load_all` validates every one.
    """

    def __init__(self, directories: list[Path], site: list[Path] | None = None):
        self._paths: dict[str, Path] = {}
        self._site: list[Path] = []  # files of the site directories: validated up front (validate_site)
        site_dirs = {Path(d) for d in site or []}
        for directory in directories:
            directory = Path(directory)
            if not directory.is_dir():
                raise RunbookError(str(directory), "is not a directory of runbooks")
            for path in knowledge_files(directory):  # not a site's cmdlets.yaml
                self._paths[path.stem] = path
                if directory in site_dirs:
                    self._site.append(path)
        self._loaded: dict[str, Runbook] = {}

    def validate_site(self, catalog_dirs: list[Path] = ()) -> None:
        """Load every runbook of the site directories now: a broken one stops the run with its
        file and line (RunbookError) instead of a finding whose runbook "could not be rendered",
        and so does a command that is not real PowerShell, or a cmdlet or parameter that is in
        neither the shipped catalog nor a site cmdlets.yaml of `catalog_dirs` (what
        `fodoc rules lint` reports), which would otherwise reach the report and --script. The
        shipped runbooks stay lazy (they are tested, and loading them all costs time)."""
        commands = None
        for path in self._site:
            runbook = load_runbook(path)  # checks cause == file name
            if commands is None:
                commands = catalog_with(site_catalog_files(list(catalog_dirs)))
            _check_commands(runbook, commands)
            if self._paths.get(path.stem) == path:
                self._loaded[path.stem] = runbook

    def __contains__(self, cause: object) -> bool:
        return cause in self._paths

    def __iter__(self):
        return iter(sorted(self._paths))

    def path_of(self, cause: str) -> Path | None:
        """The file the runbook of `cause` would be loaded from (the last directory wins)."""
        return self._paths.get(cause)

    def get(self, cause: str) -> Runbook:
        """The validated runbook of `cause`; RunbookError if it is invalid or missing."""
        if cause not in self._loaded:
            if cause not in self._paths:
                raise RunbookError(f"runbooks/{cause}.yaml", "does not exist",
                                   suggestion=suggest(cause, self._paths))
            self._loaded[cause] = load_runbook(self._paths[cause])  # checks cause == file name
        return self._loaded[cause]

    def load_all(self) -> dict[str, Runbook]:
        return {cause: self.get(cause) for cause in self}


@dataclass
class KnowledgeBase:
    catalog: FactCatalog
    rules: list[Rule]
    runbooks: RunbookLibrary

    @property
    def causes(self) -> list[str]:
        return sorted({rule.cause for rule in self.rules})

    def is_expected_behaviour(self, cause: str) -> bool:
        """True for a cause whose rules are all severity info (no fix, nothing to alarm about)."""
        rules = self.rules_for(cause)
        return bool(rules) and all(rule.severity == "info" for rule in rules)

    def rules_for(self, cause: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.cause == cause]


def load_knowledge_base(rule_dirs: list[Path] | None = None,
                        runbook_dirs: list[Path] | None = None) -> KnowledgeBase:
    """Load the shipped knowledge base, plus site directories that add or override by id/cause.

    A site rules directory may carry its runbooks in a `runbooks/` folder (engine/site.py); they
    override shipped runbooks by cause, and explicit `runbook_dirs` come last.
    """
    catalog = load_catalog(shipped_dir("facts"))
    rules = load_rules([shipped_dir("rules")] + list(rule_dirs or []), catalog)
    site = runbook_dirs_of(list(rule_dirs or [])) + [Path(d) for d in runbook_dirs or []]
    runbooks = RunbookLibrary([shipped_dir("runbooks")] + site, site=site)
    runbooks.validate_site(site + [Path(d) for d in rule_dirs or []])
    expected = expected_behaviour_causes(rules)
    causes = {rule.cause for rule in rules}
    for rule in rules:
        for linked in rule.consequence_of + rule.reason_for:
            if linked != ANY_CAUSE and linked not in causes:
                raise RuleLoadError(rule.path, f"links to cause {linked!r}, which no rule concludes",
                                    item=rule.id, suggestion=suggest(linked, sorted(causes)))
        if rule.cause not in runbooks and rule.cause not in expected:
            raise RuleLoadError(rule.path, f"cause {rule.cause!r} has no runbook "
                                           f"(expected runbooks/{rule.cause}.yaml)", item=rule.id,
                                suggestion=suggest(rule.cause, list(runbooks)))
    return KnowledgeBase(catalog, rules, runbooks)


def expected_behaviour_causes(rules: list[Rule]) -> set[str]:
    """Causes every rule of which is severity info: expected behaviour, explained with `watch`.

    They need no runbook, since there is nothing to fix; a cause with a single warning or critical
    rule is a fault and must have one.
    """
    faults = {rule.cause for rule in rules if rule.severity != "info"}
    return {rule.cause for rule in rules} - faults
