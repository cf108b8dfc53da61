"""`fodoc collect`, `fodoc why` and `fodoc collector-script`: live collection over WinRM.

Credentials come from --user (or $FODOC_USER) and a hidden prompt (or $FODOC_PASSWORD). They are
handed to pywinrm and to nothing else: not to the bundle, the manifest, the progress display or
an error message.
"""
from __future__ import annotations

import getpass
import os
import sys
import tempfile
import warnings
from datetime import datetime, timezone
from pathlib import Path

import click

from ..errors import UsageError
from ..fileio import write_atomically
from . import cli
from .diagnose_cmd import diagnosis_options, refuse_writing_over, report_diagnosis

USER_ENV = "FODOC_USER"
PASSWORD_ENV = "FODOC_PASSWORD"


def connection_options(command):
    """The options `collect` and `why` share: which servers, how to reach them, as whom."""
    from ..collect import DEFAULT_JOBS, TRANSPORTS

    options = [
        click.option("--server", "-s", required=True, help="A DHCP server of the failover pair."),
        click.option("--partner", "-p", help="Its failover partner (default: discovered from the "
                                              "server's first relationship)."),
        click.option("--user", "-u", envvar=USER_ENV, help=f"Account to connect as (also ${USER_ENV}); "
                                                          f"the password is prompted for, or taken from ${PASSWORD_ENV}."),
        click.option("--transport", type=click.Choice(TRANSPORTS), default="ntlm", show_default=True,
                     help="WinRM authentication (basic only with --ssl)."),
        click.option("--ssl", is_flag=True, help="Use HTTPS (port 5986 unless --port)."),
        click.option("--port", type=click.IntRange(1, 65535), help="WinRM port (default 5985, or 5986 with --ssl)."),
        click.option("--ca-trust-path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="CA certificate(s) that sign the servers' WinRM certificates (PEM)."),
        click.option("--no-verify", is_flag=True, help="Do not check the servers' certificates (insecure)."),
        click.option("--address", "addresses", multiple=True, metavar="NAME=HOST[:PORT]",
                     help="Reach server NAME at another address (port forward, jump host); repeatable."),
        click.option("--jobs", "-j", type=click.IntRange(1, 64), default=DEFAULT_JOBS, show_default=True,
                     help="Probes run at the same time (1 = one after the other)."),
        click.option("--timeout", type=click.FloatRange(0.5, 3600), metavar="SECONDS",
                     help="Time limit of each probe (default: the catalog's, 60-120 s)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@cli.command()
@connection_options
@click.option("--out", type=click.Path(path_type=Path),
              help="Bundle to write: NAME.zip, or a new folder (default fodoc-bundle-<server>-<UTC time>.zip).")
def collect(out: Path | None, **connection) -> None:
    """Collect a bundle from a DHCP server and its failover partner over WinRM."""
    target = out or Path(f"fodoc-bundle-{connection['server']}-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}.zip")
    _check_target(target)
    collection = _collect(connection)
    _write(collection, target)
    click.echo(f"fodoc: wrote {target}", err=True)


@cli.command()
@connection_options
@diagnosis_options
@click.option("--keep-bundle", type=click.Path(path_type=Path),
              help="Also keep the collected bundle here (NAME.zip or a new folder).")
def why(fmt: str, engine: str, output: Path | None, rule_dirs: tuple[Path, ...], runbook_dirs: tuple[Path, ...],
        site_config: Path | None, script: Path | None, color: bool | None, keep_bundle: Path | None,
        **connection) -> None:
    """Collect from a DHCP server and its partner, then diagnose: why is this pair broken?

    Same report options and exit codes as `fodoc diagnose`: 0 healthy, 1 warning, 2 critical,
    3 unknown or nothing could be collected.
    """
    if keep_bundle is not None:
        _check_target(keep_bundle)
    refuse_writing_over(keep_bundle, output, script)
    collection = _collect(connection)
    if keep_bundle is not None:
        _write(collection, keep_bundle)
        click.echo(f"fodoc: kept the collected bundle in {keep_bundle}", err=True)
        sys.exit(report_diagnosis(keep_bundle, fmt, engine, output, rule_dirs, runbook_dirs, site_config, script, color))
    with tempfile.TemporaryDirectory(prefix="fodoc-why-") as folder:
        bundle = Path(folder) / f"{connection['server']}.zip"
        _write(collection, bundle)
        code = report_diagnosis(bundle, fmt, engine, output, rule_dirs, runbook_dirs, site_config, script, color)
    sys.exit(code)


@cli.command("collector-script")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the script to this file (e.g. Collect-FailoverFacts.ps1) instead of standard output.")
def collector_script(output: Path | None) -> None:
    """Print Collect-FailoverFacts.ps1: collects a bundle on a DHCP server without Python.

    Run it elevated on each partner (Windows PowerShell 5.1 or PowerShell 7), then give both
    zips to `fodoc diagnose`.
    """
    from ..collect.script import generate_script

    text = generate_script()
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text)
        click.echo(f"fodoc: wrote {output}", err=True)


def _collect(options: dict):
    from ..collect.collector import collect
    from ..collect.probes import load_probes
    from ..collect.progress import CollectionProgress
    from ..collect.transport import WinRMRunner

    connection = _connection(options)
    credentials = _credentials(options["user"], connection.transport)
    with CollectionProgress(len(load_probes())) as progress:
        collection = collect(options["server"], options["partner"],
                             lambda name: WinRMRunner(name, connection, credentials),
                             jobs=options["jobs"], progress=progress.update, timeout_s=options["timeout"])
        progress.summary([_summary(server) for server in collection.servers])
    return collection


def _summary(server) -> str:
    if server.collected_at is None:
        return f"fodoc: {server.name}: nothing collected: {server.errors[0]['message'] if server.errors else ''}"
    failed = f", {len(server.errors)} failed ({', '.join(e['artifact'] for e in server.errors)})" if server.errors else ""
    return f"fodoc: {server.name}: {len(server.files)} artifacts{failed}"


def _connection(options: dict):
    from ..collect.transport import Connection

    addresses = []
    for item in options["addresses"]:
        name, sep, address = item.partition("=")
        host, _, port = address.partition(":")
        if not sep or not name or not host or (port and not port.isdigit()):
            raise UsageError(f"--address {item!r}: expected NAME=HOST or NAME=HOST:PORT")
        addresses.append((name, address))
    if options["no_verify"]:
        if not options["ssl"]:
            raise UsageError("--no-verify only makes sense with --ssl")
        click.echo("fodoc: warning: --no-verify: the servers' certificates are not checked; anyone on the "
                   "path can read the password", err=True)
        import urllib3
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # warned above, once
    return Connection(transport=options["transport"], ssl=options["ssl"], port=options["port"],
                      verify=not options["no_verify"],
                      ca_trust_path=str(options["ca_trust_path"]) if options["ca_trust_path"] else None,
                      addresses=tuple(addresses))


def _credentials(user: str | None, transport: str):
    from ..collect.transport import Credentials

    if transport == "kerberos" and not user:
        return Credentials("", "")  # the Kerberos ticket of the current session
    if not user:
        raise UsageError(f"give the account with --user or ${USER_ENV}")
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = _prompt_password(user)
    return Credentials(user, password)


def _prompt_password(user: str) -> str:
    """Ask on the terminal without echo; with no terminal, stop instead of reading a visible
    password from stdin (getpass would fall back to that, warning "Password input may be echoed")."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)  # raised before anything is read
        try:
            return click.prompt(f"Password for {user}", hide_input=True, err=True)
        except getpass.GetPassWarning:
            raise UsageError(f"no password: set {PASSWORD_ENV} or run on a terminal to be prompted") from None


def _check_target(target: Path) -> None:
    """Refuse a bundle target that cannot be written before spending minutes collecting."""
    if not target.resolve().parent.is_dir():
        raise UsageError(f"{target}: the folder {target.resolve().parent} does not exist")
    if target.suffix.lower() != ".zip" and target.exists():
        raise UsageError(f"{target}: already exists; name a new folder or a .zip file")
    if target.is_dir():
        raise UsageError(f"{target}: is a folder; name a new folder or a .zip file")


def _write(collection, target: Path) -> None:
    from ..collect.writer import write_bundle

    write_bundle(collection, target)
