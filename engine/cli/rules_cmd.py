"""`fodoc rules lint|test|list|show|facts|coverage|new` and `fodoc explain CAUSE`: the rule author's tools.

Every command here loads the knowledge base as `fodoc diagnose` does (shipped files plus
--rules-dir / FODOC_RULES_DIR and --runbooks-dir), so what the author checks is what runs.
Exit codes: 0 clean, 1 lint errors (or warnings with --strict) / failing fixtures, 3 usage
errors and knowledge bases that cannot be loaded (one line, as everywhere in fodoc).
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from ..errors import UsageError
from ..fileio import write_atomically
from ..site import NOT_KNOWLEDGE, knowledge_files
from . import RULES_DIR_ENV, cli
from .kb_options import knowledge_options, rules_dir_option, runbooks_dir_option

EXIT_FAILED = 1


def _load(rule_dirs, runbook_dirs):
    from ..knowledge import load_knowledge_base

    return load_knowledge_base(list(rule_dirs), list(runbook_dirs))


def _emit(text: str, output: Path | None) -> None:
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)


@cli.group()
def rules() -> None:
    """Write, check and test rules: lint, test, list, show, facts, coverage, new."""


@rules.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("text", "json", "sarif")), default="text",
              show_default=True, help="sarif: SARIF 2.1.0 for code scanning / code review tools.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (CI uses this).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file (atomically).")
@knowledge_options
def lint(paths: tuple[Path, ...], fmt: str, strict: bool, output: Path | None,
         rule_dirs: tuple[Path, ...], runbook_dirs: tuple[Path, ...], site_config: Path | None) -> None:
    """Check rules, runbooks, fact kinds and site configs; every problem with file:line.

    PATHS are files or directories (a site directory: its rules, runbooks/ and fodoc-site.yaml);
    without PATHS, the whole knowledge base fodoc would load. Exit 1 on errors (and on warnings
    with --strict).
    """
    from ..authoring.lint import lint as run_lint
    from ..authoring.sarif import to_sarif

    report = run_lint(list(paths), list(rule_dirs), list(runbook_dirs), site_config)
    if fmt == "sarif":
        text = to_sarif(report.issues)
    elif fmt == "json":
        text = json.dumps({"files": report.files,
                           "counts": {s: report.count(s) for s in ("error", "warning", "note")},
                           "issues": [asdict(i) for i in report.issues]}, indent=2) + "\n"
    else:
        lines = [str(issue) for issue in report.issues]
        lines.append(f"{report.files} files: {report.count('error')} errors, "
                     f"{report.count('warning')} warnings, {report.count('note')} notes")
        text = "\n".join(lines) + "\n"
    _emit(text, output)
    sys.exit(EXIT_FAILED if report.failed(strict) else 0)


@rules.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--engine", "backend", type=click.Choice(("all", "native", "durable")), default="all",
              show_default=True, help="Backends to run (all = native, and durable where installed).")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the results as JUnit XML to this file (atomically).")
@click.option("--quiet", "-q", is_flag=True, help="List only the failing fixtures.")
@rules_dir_option
@runbooks_dir_option
def test_rules(paths: tuple[Path, ...], backend: str, junit: Path | None, quiet: bool,
               rule_dirs: tuple[Path, ...], runbook_dirs: tuple[Path, ...]) -> None:
    """Run every rule's fixtures through the inference backends; exit 1 if any fails.

    PATHS limit the run to these rule files or directories (default: every rule fodoc loads).
    """
    from ..authoring.fixtures import available_backends, run_fixtures
    from ..authoring.junit import to_junit
    from ..inference import create_engine

    kb = _load(rule_dirs, runbook_dirs)
    selected = _select(kb, paths)
    if backend == "all":
        backends = available_backends()
    else:
        create_engine(backend, [])  # a usage error (exit 3) when durable is not installed
        backends = (backend,)
    results = run_fixtures(selected, kb.catalog, backends)
    failed = [r for r in results if not r.passed]
    for result in results:
        if result.passed and quiet:
            continue
        status = "PASS" if result.passed else "FAIL"
        click.echo(f"{status} {result.rule}: {result.fixture} [{', '.join(result.got)}]  ({result.where})")
        for line in result.diff:
            click.echo(f"    {line}")
    # A rule without fixtures is untested, which is a failure: it counts as one in the summary.
    untested = [rule for rule in selected if not rule.fixtures]
    for rule in untested:
        click.echo(f"FAIL {rule.id}: has no fixtures; add one that fires and one that stays silent  "
                   f"({rule.path})")
    click.echo(f"{len(results)} fixtures of {len(selected)} rules on {', '.join(backends)}: "
               f"{len(results) - len(failed)} passed, {len(failed) + len(untested)} failed")
    if junit is not None:
        write_atomically(junit, to_junit(results, untested))
    sys.exit(EXIT_FAILED if failed or untested else 0)


def _select(kb, paths: tuple[Path, ...]):
    """The rules to test: those of the knowledge base under PATHS, plus rule files given there."""
    if not paths:
        return kb.rules
    from ..rules import load_rule

    wanted = [p.resolve() for p in paths]
    selected = {}
    for rule in kb.rules:
        location = Path(rule.path).resolve()
        if any(location == p or p in location.parents for p in wanted):
            selected[rule.id] = rule
    for path in paths:
        files = knowledge_files(path) if path.is_dir() else [path]
        for file in files:
            if file.name in NOT_KNOWLEDGE:
                continue
            rule = load_rule(file, kb.catalog)
            selected.setdefault(rule.id, rule)
    if not selected:
        raise UsageError(f"no rules found in {', '.join(str(p) for p in paths)}")
    return sorted(selected.values(), key=lambda r: r.id)


@rules.command("list")
@rules_dir_option
@runbooks_dir_option
def list_cmd(rule_dirs: tuple[Path, ...], runbook_dirs: tuple[Path, ...]) -> None:
    """List every rule: id, cause, severity, status, fixtures, shipped or site."""
    from ..authoring.explain import list_rules

    click.echo(list_rules(_load(rule_dirs, runbook_dirs)), nl=False)


@rules.command()
@click.argument("rule_id", metavar="ID")
@rules_dir_option
@runbooks_dir_option
def show(rule_id: str, rule_dirs: tuple[Path, ...], runbook_dirs: tuple[Path, ...]) -> None:
    """What rule ID needs, what it concludes, its references and its runbook."""
    from ..authoring.explain import find_rule, show_rule

    kb = _load(rule_dirs, runbook_dirs)
    click.echo(show_rule(kb, find_rule(kb, rule_id)), nl=False)


@rules.command()
@click.argument("kind", required=False)
def facts(kind: str | None) -> None:
    """The fact kinds rules can match (or one KIND with its fields, types and units)."""
    from ..authoring.explain import describe_facts

    click.echo(describe_facts(_load((), ()), kind), nl=False)


@rules.command("coverage")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@rules_dir_option
@runbooks_dir_option
def coverage_cmd(fmt: str, rule_dirs: tuple[Path, ...], runbook_dirs: tuple[Path, ...]) -> None:
    """Causes x (rule, runbook, positive fixture, negative fixture, simulator scenario)."""
    from ..authoring.coverage import coverage, render_coverage

    rows = coverage(_load(rule_dirs, runbook_dirs))
    if fmt == "json":
        click.echo(json.dumps([{**asdict(row), "gaps": row.gaps} for row in rows], indent=2))
    else:
        click.echo(render_coverage(rows), nl=False)


@rules.command()
@click.argument("cause")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help=f"Site directory to write into (default: the first --rules-dir / ${RULES_DIR_ENV}, "
                   "else ./site-rules).")
@click.option("--id", "rule_id", help="Rule id (default: the cause with hyphens).")
@rules_dir_option
@runbooks_dir_option
def new(cause: str, directory: Path | None, rule_id: str | None, rule_dirs: tuple[Path, ...],
        runbook_dirs: tuple[Path, ...]) -> None:
    """Scaffold a rule, its fixtures and a runbook for CAUSE in a site directory.

    The files pass lint and FAIL 'fodoc rules test' until you fill in the evidence.
    """
    from ..authoring.scaffold import scaffold

    target = directory or (rule_dirs[0] if rule_dirs else Path("site-rules"))
    kb = _load(rule_dirs, runbook_dirs)
    existing = kb.runbooks.path_of(cause)
    made = scaffold(cause, target, rule_id, existing, existing_rules={r.id: r.cause for r in kb.rules})
    click.echo(f"wrote {made.rule}")
    siblings = sorted(r.id for r in kb.rules if r.cause == cause and r.id != made.rule_id)
    if made.replaces:
        click.echo(f"rule {made.rule_id} replaces the rule of that id when loaded with --rules-dir {target}")
    elif siblings:
        click.echo(f"rule {made.rule_id} adds to cause {cause} (rules already concluding it: {', '.join(siblings)})")
    if made.runbook is not None:
        click.echo(f"wrote {made.runbook}")
    else:
        click.echo(f"cause {cause} already has a runbook ({existing}); the rule uses it")
    click.echo(f"next: fill in the TODOs (docs/authoring.md), then 'fodoc rules lint {target}' "
               f"and 'fodoc rules test {target}'")


@cli.command()
@click.argument("cause")
@rules_dir_option
@runbooks_dir_option
def explain(cause: str, rule_dirs: tuple[Path, ...], runbook_dirs: tuple[Path, ...]) -> None:
    """Explain CAUSE: the rules that conclude it, what they need, and its runbook."""
    from ..authoring.explain import explain_cause

    click.echo(explain_cause(_load(rule_dirs, runbook_dirs), cause), nl=False)
