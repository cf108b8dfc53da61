"""`fodoc why` / `fodoc collect` end to end: real pywinrm against emulated servers over HTTPS."""
from __future__ import annotations

import contextlib
import json
import zipfile
from pathlib import Path

import pytest

from engine.collect.probes import layout

from .conftest import A, B, FAULTS, closed_port, run, served
from .emulator import EmulatedServer, Emulator


@contextlib.contextmanager
def emulated_pair(tls, server_a: EmulatedServer, server_b: EmulatedServer | None):
    """Both servers listening; yields the fodoc options that reach them (basic over https)."""
    context, ca_file = tls
    with contextlib.ExitStack() as stack:
        port_a = stack.enter_context(Emulator(server_a, context)).port
        port_b = stack.enter_context(Emulator(server_b, context)).port if server_b else closed_port()
        yield ["--transport", "basic", "--ssl", "--ca-trust-path", str(ca_file),
               "--address", f"{A}=127.0.0.1:{port_a}", "--address", f"{B}=127.0.0.1:{port_b}"]


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("case", sorted(FAULTS))
def test_why_names_the_emulated_fault(case, tls, credentials, tmp_path, capsys):
    folder_a, folder_b = served(case)
    kept = tmp_path / "collected.zip"
    with emulated_pair(tls, EmulatedServer(folder_a), EmulatedServer(folder_b)) as options:
        code, out, err = run(capsys, "why", "--server", A, *options, "--format", "json",
                             "--engine", "native", "--keep-bundle", str(kept))
    report = json.loads(out)
    expected = FAULTS[case][2]
    faults = [f["cause"] for f in report["findings"] if f["severity"] != "info"]
    if expected is None:  # a healthy pair may still carry expected-behaviour (info) findings
        assert (faults, code) == ([], 0), err
    else:
        assert (faults[:1], code) == ([expected], 2), err
    members = read_zip(kept)
    assert sorted({name.split("/")[0] for name in members if "/" in name}) == [A, B]


def test_collected_bundle_follows_the_script_layout(tls, credentials, tmp_path, capsys):
    """dhcp-a answers every probe in the catalog's own format: its folder is the layout, file for
    file, byte for byte; dhcp-b's artifacts are all there too (some in their text form)."""
    folder_a, folder_b = served("healthy")
    out = tmp_path / "bundle.zip"
    with emulated_pair(tls, EmulatedServer(folder_a), EmulatedServer(folder_b)) as options:
        code, _, err = run(capsys, "collect", "--server", A, "--partner", B, *options, "--out", str(out))
    assert code == 0, err
    members = read_zip(out)
    collected_a = {name.split("/", 1)[1] for name in members if name.startswith(A + "/")}
    served_a = {p.name for p in folder_a.iterdir()}
    assert collected_a == served_a
    assert collected_a <= set(layout(B))
    for name in collected_a:
        assert members[f"{A}/{name}"] == (folder_a / name).read_bytes()
    stems = {name.split("/", 1)[1].rsplit(".", 1)[0] for name in members if name.startswith(B + "/")}
    assert stems == {p.name.rsplit(".", 1)[0] for p in folder_b.iterdir()}
    manifest = json.loads(members["manifest.json"])
    missing = {e["artifact"] for e in manifest["servers"][A]["errors"]}
    assert missing == {name.rsplit(".", 1)[0] for name in set(layout(B)) - collected_a}
