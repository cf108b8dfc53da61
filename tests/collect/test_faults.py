"""What goes wrong on the way: refused credentials, a partner that is down, a slow, dropped or
garbled probe, and credentials that must never reach a file or the screen."""
from __future__ import annotations

import json
import zipfile

from .conftest import A, B, EXAMPLES, PASSWORD, USER, run, served
from .emulator import EmulatedServer
from .test_why import emulated_pair, read_zip


def test_wrong_password_is_one_line_exit_3_and_nothing_written(tls, credentials, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("FODOC_PASSWORD", "not-the-password")
    folder_a, folder_b = served("healthy")
    out = tmp_path / "bundle.zip"
    with emulated_pair(tls, EmulatedServer(folder_a), EmulatedServer(folder_b)) as options:
        code, stdout, stderr = run(capsys, "collect", "--server", A, *options, "--out", str(out))
    assert code == 3
    assert stdout == ""
    assert stderr.splitlines() == [f"fodoc: error: authentication failed for {A} (basic over https)"]
    assert list(tmp_path.iterdir()) == []


def test_partner_down_gives_a_one_server_bundle_and_a_diagnosis_that_says_so(tls, credentials, tmp_path, capsys):
    kept = tmp_path / "collected"
    folder_a = EXAMPLES / "partner_unreachable" / "DHCP-A"
    with emulated_pair(tls, EmulatedServer(folder_a), None) as options:
        code, out, err = run(capsys, "why", "--server", A, *options, "--format", "json",
                             "--engine", "native", "--keep-bundle", str(kept))
    assert sorted(p.name for p in kept.iterdir()) == [A, "manifest.json"]
    manifest = json.loads((kept / "manifest.json").read_text(encoding="utf-8"))
    down = manifest["servers"][B]
    assert down["collected_at"] is None
    assert [e["artifact"] for e in down["errors"]] == ["*"]
    assert "could not reach dhcp-b.contoso.com" in down["errors"][0]["message"]
    report = json.loads(out)
    assert report["findings"][0]["cause"] == "partner_unreachable"
    assert code == 2
    assert f"fodoc: {B}: nothing collected" in err


def test_slow_dropped_and_garbled_probes_cost_only_their_artifact(tls, credentials, tmp_path, capsys):
    folder_a, folder_b = served("healthy")
    faulty = EmulatedServer(folder_a, slow={"events-System": 8.0}, drop=frozenset({"services"}),
                            garbage=frozenset({"firewall"}))
    out = tmp_path / "bundle.zip"
    with emulated_pair(tls, faulty, EmulatedServer(folder_b)) as options:
        code, _, err = run(capsys, "collect", "--server", A, "--partner", B, *options, "--timeout", "3",
                           "--out", str(out))
    assert code == 0, err
    members = read_zip(out)
    errors = {e["artifact"]: e["message"] for e in json.loads(members["manifest.json"])["servers"][A]["errors"]}
    assert "timed out" in errors["events-System"]
    assert "dropped in the middle of the command" in errors["services"]
    assert "could not be read" in errors["firewall"] and "garbage" in errors["firewall"]
    collected = {name.split("/", 1)[1] for name in members if name.startswith(A + "/")}
    assert {"failover.json", "computer.json", "w32tm-status.txt", "events-DhcpAdminEvents.json"} <= collected
    assert not collected & {"services.json", "firewall.txt", "events-System.json"}

    code, out, _ = run(capsys, "diagnose", str(out), "--format", "json", "--engine", "native")
    problems = " ".join(p["message"] if isinstance(p, dict) else str(p)
                        for p in json.loads(out).get("problems", []))
    for artifact in ("events-System", "services", "firewall"):
        assert f"could not get {artifact} from {A}" in problems


def test_credentials_appear_nowhere(tls, credentials, tmp_path, capsys):
    folder_a, folder_b = served("port_647_blocked")
    kept, report, script = tmp_path / "kept.zip", tmp_path / "report.md", tmp_path / "fix.ps1"
    with emulated_pair(tls, EmulatedServer(folder_a), EmulatedServer(folder_b)) as options:
        code, out, err = run(capsys, "why", "--server", A, *options, "--keep-bundle", str(kept),
                             "--format", "markdown", "--output", str(report), "--script", str(script))
    assert code == 2
    written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    with zipfile.ZipFile(kept) as archive:
        written += [archive.read(name) for name in archive.namelist()]
    texts = [out, err] + [data.decode("utf-8", errors="replace") for data in written]
    texts += [data.decode("utf-16-le", errors="replace") for data in written]
    for secret in (PASSWORD, USER, USER.split("\\")[1]):
        assert not any(secret in text for text in texts), secret


def test_a_partner_that_never_answers_counts_as_down(tls, credentials, tmp_path, capsys):
    folder_a, folder_b = served("healthy")
    hung = EmulatedServer(folder_b, slow={"computer": 8.0})
    with emulated_pair(tls, EmulatedServer(folder_a), hung) as options:
        code, _, err = run(capsys, "collect", "--server", A, *options, "--timeout", "2",
                           "--out", str(tmp_path / "b.zip"))
    assert code == 0, err
    members = read_zip(tmp_path / "b.zip")
    down = json.loads(members["manifest.json"])["servers"][B]
    assert down["collected_at"] is None
    assert down["errors"] == [{"artifact": "*", "message": f"{B} (basic over https): no answer within 2 s (timed out)"}]
    assert not any(name.startswith(B + "/") for name in members)
    assert hung.calls.count("command") == 1     # only the first probe was tried
