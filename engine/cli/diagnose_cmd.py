"""`fodoc diagnose`: analyse a captured bundle and print the root cause."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import UsageError
from ..fileio import check_destination, write_atomically
from ..inference import BACKENDS
from ..report import FORMATS, render_report
from ..site import find_site_config
from . import cli
from .kb_options import knowledge_options


def diagnosis_options(command):
    """The report options `diagnose` shares with `why` (same flags, same meaning)."""
    options = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="Report format."),
        click.option("--engine", type=click.Choice(("auto",) + BACKENDS), default="auto", show_default=True,
                     help="Inference backend (auto = durable where installed, else native)."),
        click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the report to this file (atomically) instead of standard output."),
        click.option("--script", type=click.Path(dir_okay=False, path_type=Path),
                     help="Also write the top finding's runbook as a standalone PowerShell script "
                          "(supports -WhatIf; rollback with -Rollback)."),
        click.option("--color/--no-color", default=None, help="Colour the text report (default: when a terminal)."),
    ]
    options.insert(3, knowledge_options)
    for option in reversed(options):
        command = option(command)
    return command


@cli.command()
@click.argument("bundles", metavar="BUNDLE...", nargs=-1, required=True, type=click.Path(path_type=Path))
@diagnosis_options
def diagnose(bundles: tuple[Path, ...], fmt: str, engine: str, output: Path | None, rule_dirs: tuple[Path, ...],
             runbook_dirs: tuple[Path, ...], site_config: Path | None, script: Path | None,
             color: bool | None) -> None:
    """Diagnose a captured BUNDLE (a folder, .zip or .tar.gz) and print the root cause.

    Several BUNDLEs (e.g. the zip Collect-FailoverFacts.ps1 wrote on each partner) are merged
    into one analysis, as is a folder holding such zips; a server folder in two of them is an
    error.

    Exit code: 0 healthy, 1 warning, 2 critical, 3 unknown or unusable input.
    """
    for bundle in bundles:
        refuse_writing_over(bundle, output, script)
    check_destination(output, "-o")
    check_destination(script, "--script")
    sys.exit(report_diagnosis(list(bundles), fmt, engine, output, rule_dirs, runbook_dirs, site_config, script,
                              color))


def report_diagnosis(bundle: Path | list[Path], fmt: str, engine: str, output: Path | None,
                     rule_dirs: tuple[Path, ...], runbook_dirs: tuple[Path, ...], site_config: Path | None,
                     script: Path | None, color: bool | None) -> int:
    """Analyse `bundle` (or several, merged), print or write the report (and the runbook script);
    return the exit code."""
    from ..pipeline import Analyzer

    site = find_site_config(site_config, list(rule_dirs))
    analyzer = Analyzer(engine, list(rule_dirs), list(runbook_dirs), site=site)
    warn_unknown_suppressions(site, [rule.id for rule in analyzer.kb.rules])
    diagnosis = analyzer.analyze(bundle if isinstance(bundle, list) else [bundle], require_artifacts=True)
    use_color = sys.stdout.isatty() if color is None and output is None else bool(color)
    text = render_report(diagnosis, fmt, color=use_color)
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False, color=use_color)  # click strips colour off a pipe otherwise
    if script is not None:
        _write_script(diagnosis, script)
    return diagnosis.exit_code


def warn_unknown_suppressions(site, rule_ids: list[str]) -> None:
    """One warning line per suppression of a rule id no loaded rule has (a typo suppresses
    nothing, and the admin believes it does); the run goes on, as `rules lint` only warns too."""
    from ..catalog import suggest

    for suppression in site.suppressions:
        if suppression.rule not in rule_ids:
            hint = suggest(suppression.rule, rule_ids)
            click.echo(f"fodoc: warning: {suppression.where}: suppresses rule {suppression.rule!r}, which does not "
                       f"exist" + (f" (did you mean {hint!r}?)" if hint else "") + "; it suppresses nothing",
                       err=True)


def refuse_writing_over(bundle: Path | None, output: Path | None, script: Path | None) -> None:
    """Refuse -o/--script aimed at the bundle (the archive itself, or a file inside the folder,
    existing or about to be written by `why --keep-bundle`), or both at one file: the report
    must never replace what it was made from."""
    for target in (output, script):
        if target is None or bundle is None:
            continue
        what, option = ("the report", "-o") if target is output else ("the runbook script", "--script")
        if _same_file(target, bundle):
            raise UsageError(f"{target}: refusing to overwrite the bundle {bundle} with {what} "
                             f"({option}; bundles are never modified)")
        if (bundle.is_dir() or not bundle.exists()) and _inside(target, bundle):
            raise UsageError(f"{target}: refusing to write inside the bundle {bundle}: {option} names a file "
                             "in it (bundles are never modified)")
    if output is not None and script is not None and _same_file(output, script) \
            and not (output.exists() and not output.is_file()):  # one device (/dev/null) for both is fine
        raise UsageError(f"{output}: -o and --script name the same file; give each its own")


def _same_file(a: Path, b: Path) -> bool:
    """One file under two names: equal resolved paths, or (both existing) os.path.samefile,
    which also catches hard links and a bind mount."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return False


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _write_script(diagnosis, path: Path) -> None:
    from ..runbooks import to_script

    # The top finding that has (or should have had) a runbook: one whose runbook failed to render
    # is named, never silently replaced by the next finding's runbook.
    top = next((f for f in diagnosis.findings if f.runbook is not None or f.runbook_error is not None), None)
    if top is None:
        click.echo(f"fodoc: no runbook to write to {path}: no fault with a runbook was found", err=True)
        return
    if top.runbook is None:
        click.echo(f"fodoc: no runbook written to {path}: the {top.cause} runbook of the top finding could not "
                   f"be rendered ({top.runbook_error})", err=True)
        return
    write_atomically(path, to_script(top.runbook))
    click.echo(f"fodoc: wrote the {top.cause} runbook to {path} (try it first with -WhatIf)", err=True)
