"""Fleet mode (`fodoc analyze DIR`): many bundles, each diagnosed on its own, in a process pool.

The consultant's case: a folder of bundles sent by many customers. Each immediate child of the
folder that is a bundle (a folder, .zip or .tar.gz) is ONE bundle and gets ONE row; unlike
`fodoc diagnose DIR`, the archives of the folder are never merged into one pair.

Each worker process builds its Analyzer (knowledge base, compiled rules, inference engine) once,
in the pool's initializer, and reuses it for every bundle it is given; durable_rules keeps a
process-global ruleset registry and timer threads, so the pool uses the 'spawn' context and
nothing of the engine crosses a process boundary. A worker sends back only the small row
(verdict, top cause, ...) and writes the bundle's full JSON report itself when asked to.
"""
from __future__ import annotations

import datetime
import os
import signal
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable

from .bundle import looks_like_archive
from .errors import BundleError, FodocError

SCHEMA = "fodoc.fleet/1"
MAX_DEFAULT_JOBS = 8
VERDICTS = ("critical", "warning", "healthy", "unknown")   # worst first, as the summary lists them
ROW_FIELDS = ("name", "verdict", "exit_code", "top_cause", "severity", "relationship", "server",
              "confidence", "summary", "error")


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_JOBS))


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to build its Analyzer: plain, picklable values only."""

    engine: str = "auto"
    rule_dirs: tuple[str, ...] = ()
    runbook_dirs: tuple[str, ...] = ()
    site_config: str | None = None
    today: datetime.date | None = None   # the parent's date, so every worker judges expiry alike
    reports_dir: str | None = None


def discover(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """The bundles among the immediate children of `folder` (sorted by name) and what was skipped:
    hidden entries (a leading dot) and files that are neither a .zip nor a .tar.gz."""
    bundles: list[Path] = []
    skipped: list[Skipped] = []
    for name in sorted(os.listdir(folder)):
        path = folder / name
        if name.startswith("."):
            skipped.append(Skipped(name, "hidden"))
        elif path.is_dir():
            bundles.append(path)
        elif path.is_file() and looks_like_archive(path):
            bundles.append(path)   # a damaged archive is still a bundle: its row says why it is unread
        else:
            skipped.append(Skipped(name, "not a bundle (expected a folder, .zip or .tar.gz)"))
    return bundles, skipped


# --- one bundle -------------------------------------------------------------------------------

_analyzer = None
_config: WorkerConfig | None = None


def init_worker(config: WorkerConfig, in_pool: bool = True, kb=None) -> None:
    """Build this process's Analyzer once. In a pool worker, Ctrl-C is left to the parent (which
    stops the pool), so a terminal's SIGINT does not print a traceback per worker."""
    global _analyzer, _config
    if in_pool:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .pipeline import Analyzer
    from .site import find_site_config

    rule_dirs = [Path(p) for p in config.rule_dirs]
    site = find_site_config(Path(config.site_config) if config.site_config else None, rule_dirs)
    _analyzer = Analyzer(config.engine, rule_dirs, [Path(p) for p in config.runbook_dirs], kb=kb, site=site,
                         today=config.today)
    _config = config


def analyze_one(path: str) -> dict[str, Any]:
    """The row of one bundle; never raises for a bad bundle or a bug (the row says what happened)."""
    name = os.path.basename(path)
    try:
        diagnosis = _analyzer.analyze([path], require_artifacts=True)
    except FodocError as exc:
        return unknown_row(name, _without_location(exc, path))
    except Exception as exc:  # noqa: BLE001 - a bug on one bundle must not stop the other 999
        return unknown_row(name, internal_error(exc))
    try:
        if _config.reports_dir is not None:
            from .fileio import write_atomically
            from .report.json import render_json
            write_atomically(Path(_config.reports_dir) / f"{name}.json", render_json(diagnosis))
        return diagnosis_row(name, diagnosis)
    except Exception as exc:  # noqa: BLE001 - e.g. the reports folder became unwritable
        return unknown_row(name, internal_error(exc) if not isinstance(exc, (OSError, FodocError))
                           else _os_error(exc))


def _without_location(exc: FodocError, path: str) -> str:
    """The one-line error without the bundle's own path in front: the row names the bundle, and
    the output then holds no absolute path (the same folder reads the same wherever it lies)."""
    if isinstance(exc, BundleError) and exc.path == path:
        return " ".join(exc.message.split())
    return exc.one_line().replace(path + "/", "").replace(path, os.path.basename(path))


def diagnosis_row(name: str, diagnosis) -> dict[str, Any]:
    top = diagnosis.findings[0] if diagnosis.findings else None
    return {
        "name": name,
        "verdict": diagnosis.verdict,
        "exit_code": diagnosis.exit_code,
        "top_cause": top.cause if top else None,
        "severity": top.severity if top else None,
        "relationship": top.relationship if top else None,
        "server": top.server if top else None,
        "confidence": top.confidence if top else None,
        "summary": diagnosis.summary,
        "error": None,
    }


def unknown_row(name: str, error: str) -> dict[str, Any]:
    return {"name": name, "verdict": "unknown", "exit_code": 3, "top_cause": None, "severity": None,
            "relationship": None, "server": None, "confidence": None, "summary": None,
            "error": " ".join(error.split())}


def internal_error(exc: BaseException) -> str:
    message = " ".join(str(exc).split()) or "(no message)"
    return f"internal error ({type(exc).__name__}): {message}"


def _os_error(exc: Exception) -> str:
    if isinstance(exc, FodocError):
        return exc.one_line()
    where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
    return f"{where}{exc.strerror or exc}"


# --- many bundles -----------------------------------------------------------------------------

def analyze_all(bundles: list[Path], config: WorkerConfig, jobs: int,
                advance: Callable[[], None] = lambda: None, kb=None) -> list[dict[str, Any]]:
    """One row per bundle, in the order of `bundles`, whatever `jobs`: 1 runs in this process
    (with `kb` when the caller loaded it already), more in a pool of that many spawned workers."""
    paths = [str(p) for p in bundles]
    jobs = max(1, min(jobs, len(paths)))
    if jobs == 1:
        init_worker(config, in_pool=False, kb=kb)
        rows = []
        for path in paths:
            rows.append(analyze_one(path))
            advance()
        return rows
    rows_by_index: dict[int, dict[str, Any]] = {}
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                               initializer=init_worker, initargs=(config,))
    try:
        futures = {pool.submit(analyze_one, path): index for index, path in enumerate(paths)}
        for future in as_completed(futures):
            index = futures[future]
            try:
                rows_by_index[index] = future.result()
            except BrokenProcessPool as exc:
                rows_by_index[index] = unknown_row(os.path.basename(paths[index]),
                                                   "the worker process analysing it died "
                                                   f"({' '.join(str(exc).split()) or 'no message'})")
            except Exception as exc:  # noqa: BLE001 - e.g. a row that could not be sent back
                rows_by_index[index] = unknown_row(os.path.basename(paths[index]), internal_error(exc))
            advance()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [rows_by_index[i] for i in range(len(paths))]


def fleet_exit_code(rows: list[dict[str, Any]]) -> int:
    """The worst exit code over the bundles that could be read (0 healthy < 1 warning <
    2 critical); 3 (unknown) only when no bundle could be read. An unreadable bundle among
    readable ones is its own row and counted in the summary, but does not hide the state of the
    pairs that were diagnosed."""
    known = [row["exit_code"] for row in rows if row["verdict"] != "unknown"]
    return max(known) if known else 3


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    verdicts = Counter(row["verdict"] for row in rows)
    causes = Counter(row["top_cause"] for row in rows if row["top_cause"])
    return {
        "bundles": len(rows),
        "verdicts": {verdict: verdicts.get(verdict, 0) for verdict in VERDICTS},
        "top_causes": dict(sorted(causes.items(), key=lambda item: (-item[1], item[0]))),
        "exit_code": fleet_exit_code(rows),
    }


@dataclass
class FleetReport:
    rows: list[dict[str, Any]]
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any]:
        return summarise(self.rows)

    @property
    def exit_code(self) -> int:
        return fleet_exit_code(self.rows)
