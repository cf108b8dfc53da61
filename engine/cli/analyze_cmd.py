"""`fodoc analyze DIR`: the consultant's command, one row per bundle of a folder (engine/fleet.py)."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from ..errors import UsageError
from ..fileio import check_destination, write_atomically
from ..inference import BACKENDS
from . import cli
from .diagnose_cmd import _inside, _same_file, refuse_writing_over, warn_unknown_suppressions
from .kb_options import knowledge_options

_FORMATS = ("text", "json", "csv")


@cli.command()
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(1), default=None,
              help="Worker processes (default: the number of CPUs, at most 8; 1 runs in this process).")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True,
              help="text: one line per bundle and a summary; json: schema fodoc.fleet/1; csv: one row per "
                   "bundle with a header.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result to this file (atomically) instead of standard output.")
@click.option("--reports-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write each bundle's full diagnosis, as 'fodoc diagnose --format json' prints it, to "
                   "DIR/<bundle name>.json (atomically; created if missing; none for an unreadable bundle).")
@click.option("--engine", type=click.Choice(("auto",) + BACKENDS), default="auto", show_default=True,
              help="Inference backend (auto = durable where installed, else native).")
@knowledge_options
def analyze(folder: Path, jobs: int | None, fmt: str, output: Path | None, reports_dir: Path | None,
            engine: str, rule_dirs: tuple[Path, ...], runbook_dirs: tuple[Path, ...],
            site_config: Path | None) -> None:
    """Diagnose every bundle in DIR separately: one row per bundle, then a summary.

    Each immediate child of DIR that is a folder, .zip or .tar.gz is ONE bundle (one customer's
    pair), diagnosed on its own. This is not 'fodoc diagnose DIR', which merges the archives of
    a folder into one pair (the two collector zips of one pair). Hidden entries and other files
    are skipped with one line each on stderr. Rows are sorted by name, identical whatever --jobs.

    A bundle that cannot be read (a damaged archive, no readable output) or whose analysis
    failed is a row with verdict unknown, exit code 3 and the one-line reason; the run goes on.

    Exit code: the worst over the bundles that could be read (0 healthy, 1 warning,
    2 critical); an unreadable bundle is its own row and counted in the summary but does not
    raise it; 3 when no bundle could be read, DIR holds no bundle, or the input is unusable.
    """
    from ..fleet import FleetReport, WorkerConfig, analyze_all, default_jobs, discover
    from ..knowledge import load_knowledge_base
    from ..report.fleet import render_fleet
    from ..site import find_site_config, today_utc

    bundles, skipped = discover(folder)
    _refuse_targets(folder, bundles, output, reports_dir)  # a command that cannot run: only that line
    check_destination(output, "-o")
    if reports_dir is not None:
        _check_reports_dir(reports_dir)
    for item in skipped:
        click.echo(f"fodoc: warning: skipped {item.name}: {item.reason}", err=True)
    if not bundles:
        raise UsageError(f"{folder}: holds no bundle (expected one folder, .zip or .tar.gz per customer bundle)")
    # Check the knowledge base and site config once, here: a broken rule directory is one error
    # line before any work, not one per worker; unknown suppressions warn once, not per worker.
    site = find_site_config(site_config, list(rule_dirs))
    kb = load_knowledge_base(list(rule_dirs), list(runbook_dirs))
    warn_unknown_suppressions(site, [rule.id for rule in kb.rules])
    if reports_dir is not None:
        reports_dir.mkdir(parents=True, exist_ok=True)
    config = WorkerConfig(engine, tuple(map(str, rule_dirs)), tuple(map(str, runbook_dirs)),
                          str(site_config) if site_config else None, today_utc(),
                          str(reports_dir) if reports_dir is not None else None)
    with _progress(len(bundles)) as advance:
        rows = analyze_all(bundles, config, jobs or default_jobs(), advance, kb)
    report = FleetReport(rows, skipped)
    text = render_fleet(report, fmt)
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code)


def _check_reports_dir(reports_dir: Path) -> None:
    """--reports-dir is made with its parents: the nearest folder that exists must take it."""
    existing = reports_dir
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{reports_dir}: --reports-dir: {existing} is not a folder")
    if not os.access(existing, os.W_OK):
        raise UsageError(f"{reports_dir}: --reports-dir: the folder {existing} is not writable")


def _refuse_targets(folder: Path, bundles: list[Path], output: Path | None, reports_dir: Path | None) -> None:
    """Bundles are never modified: no report written over or into one. --reports-dir may not be
    DIR itself either (its reports would be taken for stray files, or bundles, next time)."""
    for bundle in bundles:
        refuse_writing_over(bundle, output, None)
        if reports_dir is not None and (_same_file(reports_dir, bundle) or _inside(reports_dir, bundle)):
            raise UsageError(f"{reports_dir}: refusing to write reports inside the bundle {bundle} "
                             "(--reports-dir; bundles are never modified)")
    if reports_dir is not None and (_same_file(reports_dir, folder) or _inside(reports_dir, folder)):
        raise UsageError(f"{reports_dir}: --reports-dir is in the folder of bundles; its reports would be "
                         "taken for a bundle next time: give them a folder outside it (--reports-dir)")
    if output is not None and _inside(output, folder):
        raise UsageError(f"{output}: -o is in the folder of bundles; the next run would take it for a stray "
                         "file: write it outside the folder (-o)")


@contextlib.contextmanager
def _progress(total: int):
    """A rich progress bar on stderr when it is a terminal (done/total, rate, ETA); else nothing."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn,
                               TimeRemainingColumn)
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.0f} bundles/s" if speed else "", style="progress.data.speed")

    with Progress(TextColumn("analyze"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("analyze", total=total)
        yield lambda: bar.advance(task, 1)
