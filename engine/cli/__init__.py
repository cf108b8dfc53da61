"""The `fodoc` command line.

Exit codes follow the monitoring-plugin convention so fodoc can run under Nagios, Icinga or a
scheduled task: 0 healthy, 1 warning, 2 critical, 3 unknown — and 3 as well for anything the
user has to fix first (a usage error, an unreadable bundle, an invalid rule), reported as one
line on stderr without a traceback.
"""
from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import FodocError

EXIT_UNKNOWN = 3
EXIT_INTERRUPTED = 130
RULES_DIR_ENV = "FODOC_RULES_DIR"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fodoc")
def cli() -> None:
    """failover-doctor: why is this DHCP failover pair broken, and what exactly to do about it."""


# Each command lives in its own module and registers itself on `cli` when imported.
from . import diagnose_cmd  # noqa: E402,F401
from . import collect_cmd  # noqa: E402,F401
from . import inspect_cmd  # noqa: E402,F401
from . import simulate_cmd  # noqa: E402,F401
from . import rules_cmd  # noqa: E402,F401
from . import analyze_cmd  # noqa: E402,F401


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
