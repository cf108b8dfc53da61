"""`fodoc why` against emulated servers that answer with a simulated pair (engine/simulate).

The example-backed tests pin the collection mechanics on fixed names; here each emulated server
answers every probe with what a simulated DHCP server would print — healthy, or with one of the
issue's faults injected — named and addressed as the seed draws it, in the forms the probe
catalog asks for. The partner is found from the first server's failover output, whether that
names it by host name or by address.
"""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

from engine.collect.probes import load_probes
from engine.simulate.bundle import bundle_files, write_bundle
from engine.simulate.run import run_scenario
from engine.simulate.scenario import Scenario

from .conftest import run
from .emulator import EmulatedServer, Emulator

SEED = 11
# case -> (faults injected, the cause `fodoc why` must name first; None: no fault at all)
CASES = {
    "healthy": ([], None),
    "port_647_blocked": ([("port_647_blocked", {"direction": "a->b", "where": "host-firewall"})],
                         "port_647_blocked"),
    "clock_skew": ([("clock_skew", {"side": "b", "seconds": 95, "direction": "ahead"})], "clock_skew"),
    "partner_service_stopped": ([("partner_service_stopped", {"side": "b", "how": "stopped"})],
                                "partner_service_stopped"),
    "relationship_corrupt": ([("relationship_corrupt", {"side": "b", "variant": "missing"})],
                             "relationship_corrupt"),
}


def simulated_pair(folder: Path, faults: list) -> tuple:
    """Write the simulated pair's bundle, as the collector's probes would capture it, to `folder`."""
    simulated = run_scenario(Scenario(seed=SEED, faults=faults, name="emulated"))
    forms = {probe.artifact: probe.format for probe in load_probes()}
    write_bundle(bundle_files(simulated, collector_forms=forms), folder)
    return simulated.world.hosts["a"], simulated.world.hosts["b"]


@contextlib.contextmanager
def serving(tls, bundle: Path, host_a, host_b):
    """Both hosts listening; yields the options that reach them by name and by address."""
    context, ca_file = tls
    with Emulator(EmulatedServer(bundle / host_a.folder), context) as a, \
            Emulator(EmulatedServer(bundle / host_b.folder), context) as b:
        options = ["--transport", "basic", "--ssl", "--ca-trust-path", str(ca_file)]
        for host, emulator in ((host_a, a), (host_b, b)):
            for name in sorted({host.fqdn, host.hostname, host.ip}):
                options += ["--address", f"{name}=127.0.0.1:{emulator.port}"]
        yield options


@pytest.mark.parametrize("case", sorted(CASES))
def test_why_names_the_simulated_fault(case, tls, credentials, tmp_path, capsys):
    faults, expected = CASES[case]
    host_a, host_b = simulated_pair(tmp_path / "simulated", faults)
    kept = tmp_path / "collected"
    with serving(tls, tmp_path / "simulated", host_a, host_b) as options:
        code, out, err = run(capsys, "why", "--server", host_a.fqdn, *options, "--format", "json",
                             "--engine", "native", "--keep-bundle", str(kept))
    report = json.loads(out)
    faults_found = [f["cause"] for f in report["findings"] if f["severity"] != "info"]
    if expected is None:
        assert (faults_found, code) == ([], 0), err
    else:
        assert (faults_found[:1], code) == ([expected], 2), err
    # both servers were reached and read: nothing is missing but what the fault itself removes
    manifest = json.loads((kept / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["servers"]) == 2
    errors = {server: [e["artifact"] for e in info["errors"]] for server, info in manifest["servers"].items()}
    # logs the simulated servers wrote nothing to are answered as absent, like a server without them
    optional = {"events-Microsoft-Windows-Dhcp-Server-Operational", "events-Microsoft-Windows-Time-Service-Operational"}
    lost = sorted({artifact for artifacts in errors.values() for artifact in artifacts} - optional)
    if case == "partner_service_stopped":  # Get-DhcpServerv4Failover fails on the stopped side
        assert lost == ["failover"], errors
    else:
        assert lost == [], errors
