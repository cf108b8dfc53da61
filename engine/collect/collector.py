"""Live collection: run the probe catalog on a server and its partner, keep what came back.

The order is fixed by what each step needs: the first server's `computer` probe shows whether
it can be reached and the credentials work (a refused login stops everything: the same account
is used for the partner); its failover output names the partner when none was given; then both
servers are collected concurrently, each probe with its own timeout. Whatever fails on the
partner, or in a single probe, is recorded as a collector error and the collection goes on: the
partner is often the broken one, and "could not reach dhcp-b" is itself the diagnosis.
"""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Protocol

from ..errors import ArtifactError, CollectionError, UsageError
from ..parsers import parse_artifact, parser_for, recognise
from ..parsers.base import Artifact, Problems
from ..powershell import quote
from ..textio import decode
from . import DEFAULT_JOBS
from .probes import Probe, check_host_name, load_probes
from .transport import Output, ProbeFailure

# A first probe that fails like this means the host is not there for us at all.
# (not_winrm: the address answers HTTP, but 404 on the WS-Management path: another web server.)
_HOST_GONE = ("unreachable", "not_winrm", "auth", "timeout", "dropped")
_PARTNER_TEXT = re.compile(r"^\s*PartnerServer\s*:\s*(\S+)", re.MULTILINE)
_NO_DHCP_MODULE = re.compile(r"The term '[\w-]*DhcpServer[\w-]*' is not recognized", re.IGNORECASE)


class Runner(Protocol):
    """Runs a script on one server (engine.collect.transport.WinRMRunner in real life)."""

    server: str

    def run(self, script: str, timeout_s: float) -> Output: ...


# Called as progress(server, artifact, event) with event "start", "done" or "failed".
ProgressFn = Callable[[str, str, str], None]


@dataclass
class ServerCollection:
    """What one server gave: files by name, the errors met, and when collection started."""

    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    collected_at: str | None = None
    lost: str | None = None     # why the host stopped answering mid-way; later probes are skipped

    def fail(self, artifact: str, message: str) -> None:
        self.errors.append({"artifact": artifact, "message": message})


@dataclass
class Collection:
    servers: list[ServerCollection]
    created: str


def collect(server: str, partner: str | None, runner_for: Callable[[str], Runner],
            jobs: int = DEFAULT_JOBS, progress: ProgressFn | None = None,
            timeout_s: float | None = None) -> Collection:
    """Collect `server` and its partner (given, or discovered from the server's relationships).

    Raises CollectionError when nothing useful can be collected: credentials refused by the first
    server, or the first server unreachable with no partner to fall back on. `timeout_s` replaces
    every probe's own timeout.
    """
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    check_host_name(server)
    if partner is not None:
        check_host_name(partner)
    notify = progress or (lambda *_: None)
    probes = load_probes()
    if timeout_s is not None:
        probes = tuple(replace(p, timeout_s=timeout_s) for p in probes)
    by_artifact = {p.artifact: p for p in probes}
    first = ServerCollection(server)
    first_runner = runner_for(server)
    done: set[str] = set()

    failure = _run_probe(first_runner, by_artifact["computer"], None, first, notify)
    done.add("computer")
    if failure is not None and failure.kind == "auth":
        raise CollectionError(failure.message)
    first_down = failure is not None and failure.kind in _HOST_GONE
    if first_down:
        first.errors = [{"artifact": "*", "message": failure.message}]
        if partner is None:
            raise CollectionError(f"{failure.message}; nothing collected (name the partner with --partner "
                                  "to collect it alone)")
    else:
        first.collected_at = _now()
        if partner is None:
            _run_probe(first_runner, by_artifact["failover"], None, first, notify)
            done.add("failover")
            partner = _discover_partner(first)

    plans = [] if first_down else [(first, first_runner, partner, done)]
    if partner is not None and partner.lower() != server.lower():
        plans.append((ServerCollection(partner), None, server, set()))
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="fodoc-probe")
    hosts = ThreadPoolExecutor(max_workers=min(len(plans), jobs) or 1, thread_name_prefix="fodoc-host")
    try:
        futures = [hosts.submit(_collect_server, result, runner or runner_for(result.name), target,
                                skip, probes, pool, notify)
                   for result, runner, target, skip in plans]
        for future in futures:
            future.result()
    except BaseException:
        # Ctrl-C or a bug: start no further probe; the running ones end at their timeout.
        pool.shutdown(wait=False, cancel_futures=True)
        hosts.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    hosts.shutdown()
    results = [first] + [plan[0] for plan in plans if plan[0] is not first]
    return Collection(results, _now())


def _collect_server(result: ServerCollection, runner: Runner, target: str | None, skip: set[str],
                    probes: tuple[Probe, ...], pool: ThreadPoolExecutor, notify: ProgressFn) -> None:
    """All probes of one server: the `computer` probe first (is it there at all?), the rest at once."""
    if "computer" not in skip:
        failure = _run_probe(runner, _find(probes, "computer"), target, result, notify)
        if failure is not None and failure.kind in _HOST_GONE:
            result.files.clear()
            result.errors = [{"artifact": "*", "message": failure.message}]
            return
        result.collected_at = _now()
    wanted = [p for p in probes if p.artifact not in skip and p.artifact != "computer"]
    for probe in wanted:
        if probe.runs == "partner" and target is None:
            result.fail(probe.artifact, "skipped: no partner known (the server has no failover "
                                        "relationship; name one with --partner)")
    futures = [pool.submit(_run_probe, runner, probe, target, result, notify)
               for probe in wanted if probe.runs == "server" or target is not None]
    for future in futures:
        future.result()
    result.errors.sort(key=lambda e: e["artifact"])


def _find(probes: tuple[Probe, ...], artifact: str) -> Probe:
    return next(p for p in probes if p.artifact == artifact)


def _run_probe(runner: Runner, probe: Probe, target: str | None, result: ServerCollection,
               notify: ProgressFn) -> ProbeFailure | None:
    """Run one probe and file its output (or its error) into `result`; return the failure."""
    if result.lost is not None:
        result.fail(probe.artifact, f"skipped: {result.lost}")
        notify(result.name, probe.artifact, "failed")
        return None
    notify(result.name, probe.artifact, "start")
    script = probe.script if probe.runs == "server" else f"$Partner = {quote(target)}\n{probe.script}"
    try:
        output = runner.run(script, probe.timeout_s)
    except ProbeFailure as failure:
        result.fail(probe.artifact, failure.message)
        if failure.kind in ("unreachable", "not_winrm"):   # each further try would fail (or wait) the same way
            result.lost = failure.message
        notify(result.name, probe.artifact, "failed")
        return failure
    problem = _file_output(probe, target, output, result)
    if problem is not None:
        result.fail(probe.artifact, problem)
        notify(result.name, probe.artifact, "failed")
        return ProbeFailure("error", problem)
    notify(result.name, probe.artifact, "done")
    return None


def _file_output(probe: Probe, target: str | None, output: Output, result: ServerCollection) -> str | None:
    """Store the output under the catalog's file name; return why it cannot be kept, if so.

    The extension follows what the server really printed: a probe that printed text instead of
    JSON (or the reverse) is kept in that form when fodoc can read it, since the bundle format
    takes every native form. Output that no parser can read is an error instead, so the manifest
    says the artifact is missing and why.
    """
    name = probe.file_name(target)
    data = output.stdout
    if _blank(data):  # nothing printed (an empty event log), perhaps just a byte-order mark
        if _NO_DHCP_MODULE.search(output.stderr):
            return (f"the DhcpServer PowerShell module is not installed on {result.name} (is it a DHCP "
                    f"server? install the DHCP Server role or its RSAT tools): {output.stderr}")
        if output.exit_code != 0 or output.stderr:
            return output.stderr or f"the command failed with exit code {output.exit_code} and printed nothing"
        result.files[name] = data
        return None
    try:
        text = decode(data, f"{result.name}/{name}")
    except ArtifactError as exc:
        return f"the output could not be read ({exc.message}): {_snippet(data)}"
    name = f"{name.rsplit('.', 1)[0]}.{_sniff(text)}"
    problem = _unreadable(f"{result.name}/{name}", data, probe)
    if problem is not None:
        return problem
    result.files[name] = data
    return None


def _blank(data: bytes) -> bool:
    if not data.strip():
        return True
    try:
        return not decode(data, "output").strip("\ufeff \t\r\n")
    except ArtifactError:
        return False


def _sniff(text: str) -> str:
    """json, xml or txt: the form the output is really in, whatever the probe asked for."""
    start = text.lstrip()[:1]
    if start in ("[", "{"):
        try:
            json.loads(text)
        except ValueError:
            return "txt"
        return "json"
    return "xml" if start == "<" else "txt"


def _unreadable(path: str, data: bytes, probe: Probe) -> str | None:
    """Read the output with fodoc's own parser; a reason if it cannot be read, else None."""
    info = recognise(path)
    fmt = path.rsplit(".", 1)[-1]
    if info is None or parser_for(info["family"], fmt) is None:
        if fmt != probe.format:
            return f"expected {probe.format.upper()} output but got something else: {_snippet(data)}"
        return None
    artifact = Artifact(path=path, server=info["server"], family=info["family"], fmt=fmt,
                        target=info["target"], port=info["port"], log=info["log"], reader=lambda: data)
    try:
        parse_artifact(artifact, Problems())
    except ArtifactError as exc:
        return f"the output could not be read ({exc.message}): {_snippet(data)}"
    return None


def _snippet(data: bytes) -> str:
    text = " ".join(data.decode("utf-8", errors="replace").split())
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def _discover_partner(first: ServerCollection) -> str | None:
    """The partner of the first relationship in the server's failover output, if any."""
    for name, data in first.files.items():
        if not name.startswith("failover."):
            continue
        text = decode(data, name)     # already read once: it decodes, and .json parses
        found = None
        if name.endswith(".json") and text.strip():
            records = json.loads(text)
            records = records if isinstance(records, list) else [records]
            found = next((r.get("PartnerServer") for r in records
                          if isinstance(r, dict) and r.get("PartnerServer")), None)
        elif name.endswith(".txt"):
            match = _PARTNER_TEXT.search(text)
            found = match.group(1) if match else None
        if found:
            try:
                return check_host_name(str(found))
            except UsageError:
                first.fail("partner", f"the failover output names the partner {found!r}, which is not a "
                                      "server name; name it with --partner")
    return None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
