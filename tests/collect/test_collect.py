"""`fodoc collect` details: bundle forms, determinism, a server without the DhcpServer module,
the first server unreachable, partner discovery, and the progress display."""
from __future__ import annotations

import io
import json

import pytest
import winrm.transport
from winrm.exceptions import WinRMTransportError
from rich.console import Console

from engine.collect.collector import ServerCollection, _discover_partner, collect
from engine.collect.progress import CollectionProgress
from engine.collect.probes import load_probes
from engine.collect.transport import Connection, Credentials, Output, ProbeFailure, WinRMRunner
from engine.errors import UsageError

from .conftest import A, B, closed_port, run, served
from .emulator import EmulatedServer, Emulator
from .test_why import emulated_pair, read_zip


def without_times(manifest: bytes) -> dict:
    doc = json.loads(manifest)
    doc["created"] = None
    for server in doc["servers"].values():
        server["collected_at"] = None
    return doc


def test_sequential_and_concurrent_collections_write_the_same_bundle(tls, credentials, tmp_path, capsys):
    folder_a, folder_b = served("clock_skew")
    with emulated_pair(tls, EmulatedServer(folder_a), EmulatedServer(folder_b)) as options:
        code_1, _, _ = run(capsys, "collect", "--server", A, *options, "--jobs", "1", "--out", str(tmp_path / "seq"))
        code_8, _, _ = run(capsys, "collect", "--server", A, *options, "--out", str(tmp_path / "par.zip"))
    assert code_1 == code_8 == 0
    folder = {p.relative_to(tmp_path / "seq").as_posix(): p.read_bytes()
              for p in (tmp_path / "seq").rglob("*") if p.is_file()}
    archive = read_zip(tmp_path / "par.zip")
    assert sorted(folder) == sorted(archive)
    assert without_times(folder.pop("manifest.json")) == without_times(archive.pop("manifest.json"))
    assert folder == archive
    assert sorted(p.name for p in tmp_path.iterdir()) == ["par.zip", "seq"]   # no temporary left over


def test_an_existing_folder_is_not_overwritten(tls, credentials, tmp_path, capsys):
    folder_a, folder_b = served("healthy")
    (tmp_path / "there").mkdir()
    with emulated_pair(tls, EmulatedServer(folder_a), EmulatedServer(folder_b)) as options:
        code, _, err = run(capsys, "collect", "--server", A, *options, "--out", str(tmp_path / "there"))
    assert code == 3
    assert err.splitlines()[-1] == f"fodoc: error: {tmp_path / 'there'}: already exists; name a new folder or a .zip file"
    assert list((tmp_path / "there").iterdir()) == []


def test_a_server_without_the_dhcp_module_is_recorded_and_the_rest_collected(tls, credentials, tmp_path, capsys):
    folder_a, folder_b = served("healthy")
    with emulated_pair(tls, EmulatedServer(folder_a, dhcp_module=False), EmulatedServer(folder_b)) as options:
        code, _, err = run(capsys, "collect", "--server", A, "--partner", B, *options,
                           "--out", str(tmp_path / "b.zip"))
    assert code == 0, err
    members = read_zip(tmp_path / "b.zip")
    errors = {e["artifact"]: e["message"] for e in json.loads(members["manifest.json"])["servers"][A]["errors"]}
    dhcp_probes = {p.artifact for p in load_probes() if "DhcpServer" in p.script}
    assert dhcp_probes == {"failover", "scopes", "scope-stats", "options-server", "options-scope",
                           "reservations", "exclusions", "dhcp-settings", "bindings"}
    for artifact in dhcp_probes:
        assert errors[artifact].startswith(f"the DhcpServer PowerShell module is not installed on {A}")
    assert f"{A}/tnc-{B}-647.json" in members and f"{A}/services.json" in members
    assert f"{B}/failover.txt" in members


def test_first_server_unreachable_without_partner_is_one_line_and_exit_3(tls, credentials, tmp_path, capsys):
    context, ca_file = tls
    port = closed_port()
    code, out, err = run(capsys, "collect", "--server", A, "--transport", "basic", "--ssl",
                         "--ca-trust-path", str(ca_file), "--address", f"{A}=127.0.0.1:{port}",
                         "--out", str(tmp_path / "x.zip"))
    assert code == 3
    assert out == ""
    assert err.splitlines()[-1] == (
        f"fodoc: error: WinRM could not reach {A} (basic over https) at https://127.0.0.1:{port}/wsman: "
        "connection refused or host unreachable; nothing collected (name the partner with --partner to "
        "collect it alone)")
    assert list(tmp_path.iterdir()) == []


def test_first_server_answering_404_is_not_winrm_one_line_and_exit_3(tls, credentials, tmp_path, capsys):
    context, ca_file = tls
    web_server = EmulatedServer(served("healthy")[0], not_winrm=True)
    with Emulator(web_server, context) as emulator:
        code, out, err = run(capsys, "why", "--server", A, "--transport", "basic", "--ssl",
                             "--ca-trust-path", str(ca_file), "--address", f"{A}=127.0.0.1:{emulator.port}")
    assert (code, out) == (3, "")
    assert err.splitlines()[-1] == (
        f"fodoc: error: {A} (basic over https): https://127.0.0.1:{emulator.port}/wsman is not a WinRM endpoint "
        "(HTTP 404; wrong port or address, or WinRM not listening there?); nothing collected (name the "
        "partner with --partner to collect it alone)")
    assert web_server.calls == ["404"]  # the first probe only: no further probe was tried


def test_basic_without_tls_is_refused(credentials, capsys):
    code, _, err = run(capsys, "collect", "--server", A, "--transport", "basic")
    assert code == 3
    assert err.strip() == ("fodoc: error: basic authentication sends the password in clear text; "
                           "use it only with --ssl")


def test_partner_is_discovered_from_json_and_from_format_list_text():
    json_side = ServerCollection(A, files={"failover.json": b'[{"Name": "r", "PartnerServer": "dhcp-b.contoso.com"}]'})
    assert _discover_partner(json_side) == "dhcp-b.contoso.com"
    text_side = ServerCollection(B, files={"failover.txt": (
        b"\r\nName                : dhcp-a-dhcp-b\r\nPartnerServer       : 10.0.0.1\r\nMode                : LoadBalance\r\n")})
    assert _discover_partner(text_side) == "10.0.0.1"
    hostile = ServerCollection(A, files={"failover.json": b'{"PartnerServer": "x; Remove-Item C:\\\\"}'})
    assert _discover_partner(hostile) is None
    assert hostile.errors[0]["artifact"] == "partner"
    assert _discover_partner(ServerCollection(A, files={"failover.json": b""})) is None   # no relationship


def test_progress_shows_which_probe_runs_on_which_server():
    console = Console(file=io.StringIO(), force_terminal=True, width=100, color_system=None)
    with CollectionProgress(3, console) as progress:
        progress.update(A, "failover", "start")
        progress.update(A, "failover", "done")
        progress.update(A, "events-System", "start")
        progress.update(B, "tnc", "start")
        progress.update(B, "tnc", "failed")
    screen = console.file.getvalue()
    last_a = [line for line in screen.splitlines() if A in line][-1]
    last_b = [line for line in screen.splitlines() if B in line][-1]
    assert "1/3" in last_a and "events-System" in last_a
    assert "1/3" in last_b


def test_progress_off_a_terminal_prints_only_the_summary():
    console = Console(file=io.StringIO(), force_terminal=False)
    with CollectionProgress(1, console) as progress:
        progress.update(A, "failover", "start")
        progress.update(A, "failover", "done")
        progress.summary([f"fodoc: {A}: 1 artifacts"])
    assert console.file.getvalue() == f"fodoc: {A}: 1 artifacts\n"


@pytest.mark.parametrize("transport, flag, package", [("ntlm", "HAVE_NTLM", "requests-ntlm"),
                                                      ("kerberos", "HAVE_KERBEROS", "pywinrm[kerberos]"),
                                                      ("credssp", "HAVE_CREDSSP", "pywinrm[credssp]")])
def test_a_transport_whose_library_is_missing_is_named_before_connecting(transport, flag, package):
    connection = Connection(transport=transport)
    if getattr(winrm.transport, flag):
        assert WinRMRunner(A, connection, Credentials("u", "p")).endpoint == f"http://{A}:5985/wsman"
    else:
        with pytest.raises(UsageError) as info:
            WinRMRunner(A, connection, Credentials("u", "p"))
        assert str(info.value) == (f"--transport {transport} needs an extra package on this machine: "
                                   f"pip install '{package}'")


def test_credentials_never_show_in_repr():
    assert "p4ss" not in repr(Credentials("CONTOSO\\admin", "p4ss"))


class _HostThatGoesAway:
    """A Runner (the collector's own seam, not pywinrm) whose host vanishes after two probes."""

    def __init__(self, server: str):
        self.server = server
        self.scripts: list[str] = []

    def run(self, script: str, timeout_s: float) -> Output:
        self.scripts.append(script)
        if len(self.scripts) > 2:
            raise ProbeFailure("unreachable", f"WinRM could not reach {self.server}: connection refused")
        return Output(b"", "", 0)


def test_a_host_that_goes_away_is_not_retried_for_every_probe():
    runners: dict[str, _HostThatGoesAway] = {}

    def runner_for(name: str) -> _HostThatGoesAway:
        return runners.setdefault(name, _HostThatGoesAway(name))

    collection = collect(A, "dhcp-b.contoso.com", runner_for, jobs=1)
    first = collection.servers[0]
    assert len(runners[A].scripts) == 3      # computer, one probe, the failing one; no more
    messages = [e["message"] for e in first.errors]
    assert messages.count(f"WinRM could not reach {A}: connection refused") == 1
    assert sum(m.startswith("skipped: WinRM could not reach") for m in messages) == len(load_probes()) - 3


@pytest.mark.parametrize("code, kind", [(404, "not_winrm"), (405, "not_winrm"), (501, "not_winrm"), (503, "error")])
def test_a_web_server_that_is_not_winrm_is_told_apart_from_a_winrm_error(code, kind):
    runner = WinRMRunner(A, Connection(), Credentials("u", "p"))
    failure = runner._failure(WinRMTransportError("http", code, "<html/>"), 60)
    assert failure.kind == kind
    if kind == "not_winrm":
        assert failure.message == (f"{A} (ntlm over http): http://{A}:5985/wsman is not a WinRM endpoint (HTTP {code}; "
                                   "wrong port or address, or WinRM not listening there?)")
