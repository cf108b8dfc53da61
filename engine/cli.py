"""The `fodoc` command line.

Exit codes follow the monitoring-plugin convention so fodoc can run under Nagios, Icinga or a
scheduled task: 0 healthy, 1 warning, 2 critical, 3 unknown — and 3 as well for anything the
user has to fix first (a usage error, an unreadable bundle, an invalid rule), reported as one
line on stderr without a traceback.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .errors import FodocError, UsageError
from .inference import BACKENDS
from .report import FORMATS, render_report

EXIT_UNKNOWN = 3
EXIT_INTERRUPTED = 130
RULES_DIR_ENV = "FODOC_RULES_DIR"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fodoc")
def cli() -> None:
    """failover-doctor: why is this DHCP failover pair broken, and what exactly to do about it."""


@cli.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format.")
@click.option("--engine", type=click.Choice(("auto",) + BACKENDS), default="auto", show_default=True,
              help="Inference backend (auto = durable where installed, else native).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file (atomically) instead of standard output.")
@click.option("--rules-dir", "rule_dirs", multiple=True, type=click.Path(file_okay=False, exists=True,
              path_type=Path), envvar=RULES_DIR_ENV,
              help=f"Extra rule directory (repeatable; also ${RULES_DIR_ENV}, separated by ':' or ';' on Windows).")
@click.option("--runbooks-dir", "runbook_dirs", multiple=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Extra runbook directory (repeatable).")
@click.option("--script", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the top finding's runbook as a standalone PowerShell script "
                   "(supports -WhatIf; rollback with -Rollback).")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: when a terminal).")
def diagnose(bundle: Path, fmt: str, engine: str, output: Path | None, rule_dirs: tuple[Path, ...],
             runbook_dirs: tuple[Path, ...], script: Path | None, color: bool | None) -> None:
    """Diagnose a captured BUNDLE (a folder, .zip or .tar.gz) and print the root cause.

    Exit code: 0 healthy, 1 warning, 2 critical, 3 unknown or unusable input.
    """
    from .pipeline import Analyzer

    for target in (output, script):
        if target is not None and bundle.is_dir() and _inside(target, bundle):
            raise UsageError(f"{target}: refusing to write inside the bundle {bundle} "
                             "(bundles are never modified)")
    analyzer = Analyzer(engine, list(rule_dirs), list(runbook_dirs))
    diagnosis = analyzer.analyze(bundle)
    use_color = sys.stdout.isatty() if color is None and output is None else bool(color)
    text = render_report(diagnosis, fmt, color=use_color)
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False, color=use_color)  # click strips colour off a pipe otherwise
    if script is not None:
        _write_script(diagnosis, script)
    sys.exit(diagnosis.exit_code)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _write_script(diagnosis, path: Path) -> None:
    from .runbooks import to_script

    top = next((f for f in diagnosis.findings if f.runbook is not None), None)
    if top is None:
        click.echo(f"fodoc: no runbook to write to {path}: no fault with a runbook was found", err=True)
        return
    write_atomically(path, to_script(top.runbook))
    click.echo(f"fodoc: wrote the {top.cause} runbook to {path} (try it first with -WhatIf)", err=True)


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half a file.

    A target that exists and is not a regular file (a pipe, /dev/stdout, a device) is written to
    directly: renaming over it would replace the device node itself.
    """
    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        return
    directory = path.resolve().parent
    if not directory.is_dir():
        raise UsageError(f"{path}: the folder {directory} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every user-facing error into one line and exit 3."""
    if argv is None:
        argv = sys.argv[1:]
    if not argv:
        click.echo(cli.get_help(click.Context(cli, info_name="fodoc")))
        sys.exit(0)
    try:
        code = cli.main(args=argv, prog_name="fodoc", standalone_mode=False)
    except click.ClickException as exc:
        message = exc.format_message()
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        click.echo(f"fodoc: error: {message}{hint}", err=True)
        sys.exit(EXIT_UNKNOWN)
    except (click.exceptions.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        click.echo("fodoc: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except FodocError as exc:
        click.echo(f"fodoc: error: {exc.one_line()}", err=True)
        sys.exit(EXIT_UNKNOWN)
    except OSError as exc:  # writing the report: read-only target, disk full, closed pipe
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"fodoc: error: {where}{exc.strerror or exc}", err=True)
        sys.exit(EXIT_UNKNOWN)
    sys.exit(code if isinstance(code, int) else 0)
