"""`fodoc simulate` (write the bundle of a simulated, broken pair) and `fodoc eval` (measure how
often the diagnosis names the injected cause)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import UsageError
from ..fileio import write_atomically
from ..inference import BACKENDS
from . import cli
from .kb_options import rules_dir_option


@cli.command()
@click.argument("scenario_file", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--fault", "faults", multiple=True, metavar="KIND[:name=value,...]",
              help="Inject a fault (repeatable), e.g. clock_skew:side=b,seconds=95. The kinds and each one's "
                   "parameters, with their ranges and defaults: fodoc simulate --list.")
@click.option("--noise", "noise", multiple=True, type=click.Choice(("duplicate_relays", "old_interruption")),
              help="Add what healthy pairs also show (repeatable).")
@click.option("--out", "out", type=click.Path(path_type=Path), help="Bundle to write: a new folder, or a .zip.")
@click.option("--seed", type=int, default=None, help="Seed (default: the scenario file's, else 0).")
@click.option("--all-flavours", is_flag=True, help="Also draw output forms today's parsers do not read yet.")
@click.option("--list", "list_kinds", is_flag=True,
              help="List the fault kinds, the cause each must produce, and each kind's parameters with their "
                   "ranges and defaults.")
def simulate(scenario_file: Path | None, faults: tuple[str, ...], noise: tuple[str, ...], out: Path | None,
             seed: int | None, all_flavours: bool, list_kinds: bool) -> None:
    """Write the bundle a DHCP failover pair with the given faults would give.

    Same seed, same bytes. Use a SCENARIO_FILE (YAML: seed, faults, noise) or --fault options.
    """
    from ..simulate.bundle import bundle_files, write_bundle
    from ..simulate.faults import fault_kinds, param_help, parse_fault_option
    from ..simulate.run import run_scenario
    from ..simulate.scenario import Scenario, load_scenario

    if list_kinds:
        kinds = sorted(fault_kinds().items())
        width = max(len(p.option()) for _, kind in kinds for p in param_help(kind))
        for name, kind in kinds:
            click.echo(f"{name:26} -> {kind.cause:26} {kind.severity:8} {kind.summary}")
            for param in param_help(kind) or ():
                click.echo(f"    {param.option():{width}}  {param.about}; default: {param.default}")
            if not kind.params:
                click.echo("    (no parameters)")
        click.echo("\nSet parameters with --fault KIND:name=value,... (or a scenario file); one not set is drawn "
                   "by the seed, so a seed always gives the same bundle.")
        return
    if out is None:
        raise UsageError("--out PATH is required (a new folder, or a file ending in .zip)")
    if scenario_file is not None and faults:
        raise UsageError("give a SCENARIO_FILE or --fault options, not both")
    if scenario_file is not None:
        scenario = load_scenario(scenario_file, seed)
    else:
        parsed = [parse_fault_option(text) for text in faults]
        scenario = Scenario(seed or 0, parsed, [(n, {}) for n in noise],
                            "+".join(k for k, _ in parsed) or "healthy")
    sim = run_scenario(scenario)
    files = bundle_files(sim, all_flavours)
    write_bundle(files, out)
    causes = ", ".join(fault_kinds()[k].cause for k, _ in sim.faults) or "none (healthy)"
    click.echo(f"fodoc: wrote {out} ({len(files)} files; seed {scenario.seed}; expected cause: {causes})", err=True)


@cli.command("eval")
@click.option("--scenarios", type=click.IntRange(1), default=100, show_default=True, help="How many scenarios.")
@click.option("--faults", type=click.IntRange(1, 2), default=1, show_default=True, help="Faults per scenario.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the whole run.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--engine", type=click.Choice(("auto",) + BACKENDS), default="auto", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@rules_dir_option
def eval_cmd(scenarios: int, faults: int, seed: int, fmt: str, engine: str, output: Path | None,
             rule_dirs: tuple[Path, ...]) -> None:
    """Diagnose random simulated scenarios and report accuracy per cause.

    Exit code 0 when every fault was found in the top places and no healthy pair raised an
    alarm, 1 otherwise.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ..pipeline import Analyzer
    from ..simulate.evaluate import evaluate
    from ..simulate.report import render_text

    analyzer = Analyzer(engine, list(rule_dirs))
    with Progress(TextColumn("simulate + diagnose"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("eval", total=scenarios)
        report = evaluate(analyzer, scenarios, faults, seed, lambda n: bar.advance(task, n))
    data = report.as_dict()
    text = json.dumps(data, indent=2, sort_keys=True) + "\n" if fmt == "json" else render_text(report)
    if output is not None:
        write_atomically(output, text)
    else:
        click.echo(text, nl=False)
    sys.exit(0 if not report.misses() else 1)
