"""Site-local knowledge: extra rule directories (with their runbooks) and the site config.

A senior engineer teaches fodoc about their own estate without touching the shipped knowledge
base. A site rules directory looks like this::

    site-rules/
      fodoc-site.yaml          optional site config (suppressions), see below
      cmdlets.yaml             optional: real cmdlets lint should know too (engine/cmdletcatalog.py)
      <rule-id>.yaml           rules: add new ids, or replace a shipped rule with the same id
      runbooks/<cause>.yaml    runbooks: add new causes, or replace a shipped runbook by cause

Directories are given with ``--rules-dir DIR`` (repeatable) or ``FODOC_RULES_DIR`` (``:``
separated, ``;`` on Windows); later directories override earlier ones and the shipped files.

The site config holds suppressions, each with a reason and an expiry, so that a known and
accepted condition stops paging people without ever being silently dropped::

    suppress:
      - rule: clock-skew-drifting
        reason: CHG-4711 replaces the VM host clock source; drift is expected until then
        until: 2026-12-31        # inclusive; from the next day the rule applies again

It is read from ``--site-config FILE`` (or ``FODOC_SITE_CONFIG``) when given, otherwise from
``fodoc-site.yaml`` in each rules directory (later directories win for the same rule). A
suppressed finding is reported in its own "Suppressed" section with the reason and expiry; an
expired suppression no longer applies and the report says so.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import KnowledgeBaseError
from .yamlio import LineDict, load_yaml

SITE_CONFIG_NAME = "fodoc-site.yaml"
SITE_CMDLETS_NAME = "cmdlets.yaml"   # extra real cmdlets for lint (engine/cmdletcatalog.py)
NOT_KNOWLEDGE = frozenset({SITE_CONFIG_NAME, SITE_CMDLETS_NAME})
RUNBOOKS_SUBDIR = "runbooks"
SITE_CONFIG_ENV = "FODOC_SITE_CONFIG"
_SUPPRESSION_KEYS = ("rule", "reason", "until")


class SiteConfigError(KnowledgeBaseError):
    """The site config file is invalid."""


@dataclass(frozen=True)
class Suppression:
    """Do not report findings of `rule` until `until` (inclusive), because of `reason`."""

    rule: str
    reason: str
    until: dt.date
    path: str = ""
    line: int = 0

    def expired(self, today: dt.date) -> bool:
        return today > self.until

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class SiteConfig:
    suppressions: tuple[Suppression, ...] = ()
    paths: tuple[str, ...] = field(default_factory=tuple)

    def active(self, today: dt.date) -> dict[str, Suppression]:
        """Suppressions in force today, by rule id."""
        return {s.rule: s for s in self.suppressions if not s.expired(today)}

    def expired(self, today: dt.date) -> list[Suppression]:
        return [s for s in self.suppressions if s.expired(today)]


def today_utc() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def knowledge_files(directory: Path) -> list[Path]:
    """The rule or runbook files of a directory: its `*.yaml`, less the site's own config files.

    A site directory also holds fodoc-site.yaml and cmdlets.yaml, which are neither rules nor
    runbooks; every loader and lint asks here, so none of them reads those as one.
    """
    return sorted(p for p in Path(directory).glob("*.yaml") if p.name not in NOT_KNOWLEDGE)


def runbook_dirs_of(rule_dirs: list[Path]) -> list[Path]:
    """The `runbooks/` folders of the site rules directories that have one."""
    return [Path(d) / RUNBOOKS_SUBDIR for d in rule_dirs if (Path(d) / RUNBOOKS_SUBDIR).is_dir()]


def find_site_config(explicit: Path | None, rule_dirs: list[Path]) -> SiteConfig:
    """The explicit config file if given, else the `fodoc-site.yaml` files of the rules dirs."""
    if explicit is not None:
        return load_site_config(Path(explicit))
    by_rule: dict[str, Suppression] = {}
    paths = []
    for directory in rule_dirs:
        candidate = Path(directory) / SITE_CONFIG_NAME
        if candidate.is_file():
            config = load_site_config(candidate)
            paths.extend(config.paths)
            by_rule.update({s.rule: s for s in config.suppressions})
    return SiteConfig(tuple(by_rule[r] for r in sorted(by_rule)), tuple(paths))


@dataclass(frozen=True)
class SiteConfigReading:
    """Everything read from one site config file, its problems included.

    `config` holds only the valid suppressions. `entries` also holds those whose rule and date
    could be read although something else is wrong (a missing reason): lint still warns that
    they name an unknown rule or have expired, so one mistake does not hide the others.
    """

    config: SiteConfig
    errors: tuple[SiteConfigError, ...] = ()
    entries: tuple[Suppression, ...] = ()


def load_site_config(path: Path) -> SiteConfig:
    """The site config in `path`; SiteConfigError (the first problem) if anything is wrong."""
    reading = read_site_config(path)
    if reading.errors:
        raise reading.errors[0]
    return reading.config


def read_site_config(path: Path) -> SiteConfigReading:
    """Read `path` and collect every problem instead of stopping at the first (for lint)."""
    where = str(path)
    empty = SiteConfig((), (where,))
    if not Path(path).is_file():
        return SiteConfigReading(empty, (SiteConfigError(where, "does not exist (expected a site "
                                                                "config YAML file)"),))
    try:
        doc = load_yaml(path, SiteConfigError)
    except SiteConfigError as exc:
        return SiteConfigReading(empty, (exc,))
    if doc is None:
        return SiteConfigReading(empty)
    if not isinstance(doc, dict):
        return SiteConfigReading(empty, (SiteConfigError(where, "expected a mapping with the key "
                                                                "'suppress'"),))
    errors = [SiteConfigError(_at(where, doc, key), f"unknown key {key!r}", field=str(key))
              for key in doc if key != "suppress"]
    entries = doc.get("suppress") or []
    if not isinstance(entries, list):
        errors.append(SiteConfigError(_at(where, doc, "suppress"), "must be a list of {rule, "
                                      "reason, until}", field="suppress"))
        entries = []
    seen: dict[str, int] = {}
    valid, readable = [], []
    for number, entry in enumerate(entries, start=1):
        suppression, problems = _suppression(where, number, entry)
        if suppression is not None and suppression.rule in seen:
            problems.append(SiteConfigError(suppression.where, f"rule {suppression.rule!r} is "
                                            f"already suppressed by entry {seen[suppression.rule]}",
                                            item=f"suppress[{number}]", field="rule"))
        elif suppression is not None:
            seen[suppression.rule] = number
            readable.append(suppression)
            if not problems:
                valid.append(suppression)
        errors.extend(problems)
    return SiteConfigReading(SiteConfig(tuple(valid), (where,)), tuple(errors), tuple(readable))


_MISSING = {"reason": "say why it is safe to ignore (a change ticket, an owner)",
            "until": "a date (YYYY-MM-DD) after which the rule applies again",
            "rule": "the id of the rule to suppress"}


def _suppression(path: str, number: int, entry: Any) -> tuple[Suppression | None, list]:
    """The suppression (None without a readable rule and date) and every problem of the entry."""
    item = f"suppress[{number}]"
    if not isinstance(entry, dict):
        return None, [SiteConfigError(path, "a suppression is a mapping {rule, reason, until}",
                                      item=item)]
    where = _at(path, entry)
    problems = [SiteConfigError(_at(path, entry, key), f"unknown key {key!r}", item=item,
                                field=str(key)) for key in entry if key not in _SUPPRESSION_KEYS]
    problems += [SiteConfigError(where, f"missing key {key!r}: {_MISSING[key]}", item=item,
                                 field=key) for key in _SUPPRESSION_KEYS if key not in entry]
    rule, reason, until = entry.get("rule"), entry.get("reason"), entry.get("until")
    if "rule" in entry and (not isinstance(rule, str) or not rule.strip()):
        problems.append(SiteConfigError(_at(path, entry, "rule"), "must be a rule id", item=item,
                                        field="rule"))
        rule = None
    if "reason" in entry and (not isinstance(reason, str) or not reason.strip()):
        problems.append(SiteConfigError(_at(path, entry, "reason"), "must say why (a non-empty "
                                        "string)", item=item, field="reason"))
    if "until" in entry:
        until = _date(until)
        if until is None:
            problems.append(SiteConfigError(_at(path, entry, "until"), "must be a date "
                                            f"YYYY-MM-DD, not {entry['until']!r}", item=item,
                                            field="until"))
    if not isinstance(rule, str) or not isinstance(until, dt.date):
        return None, problems
    line = entry.line_of("rule") if isinstance(entry, LineDict) else 0
    text = " ".join(reason.split()) if isinstance(reason, str) else ""
    return Suppression(rule.strip(), text, until, path, line), problems


def _date(value: Any) -> dt.date | None:
    """A YYYY-MM-DD date, quoted (text) or not (YAML makes a date of it); None otherwise."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _at(path: str, mapping: Any, key: str | None = None) -> str:
    if isinstance(mapping, LineDict):
        line = mapping.line_of(key) if key is not None else mapping.line
        if line:
            return f"{path}:{line}"
    return path
