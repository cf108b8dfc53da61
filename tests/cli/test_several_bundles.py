"""Several bundles in one diagnosis: the zip Collect-FailoverFacts.ps1 writes on each partner,
given as two arguments or in one folder; and what happens when a bundle holds nothing usable,
is cut short, or the knowledge the run was given is broken."""
from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from engine.bundle import open_bundle
from engine.cli import main
from engine.collect.script import generate_script
from engine.errors import ArtifactError
from engine.parsers.base import Problems

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples" / "bundles"
SOURCE = EXAMPLES / "port_647_blocked"
SERVERS = {"DHCP-A": "dhcp-a.contoso.com", "DHCP-B": "dhcp-b.contoso.com"}


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def collector_zip(target: Path, folder: str, separator: str = "\\") -> Path:
    """The zip Collect-FailoverFacts.ps1 writes on one server: Compress-Archive of <OutputPath>,
    so every entry is under the OutputPath folder (fodoc-bundle-<COMPUTERNAME>-<UTC time>), which
    holds manifest.json and one folder named after the server's FQDN. Windows PowerShell 5.1's
    Compress-Archive writes '\\' between the parts of an entry name."""
    fqdn = SERVERS[folder]
    root = f"fodoc-bundle-{folder}-20261130-090000"
    manifest = json.loads((SOURCE / "manifest.json").read_text(encoding="utf-8"))
    manifest["servers"] = {fqdn: {"collected_at": "2026-11-30T09:00:00Z", "errors": []}}
    path = target / f"{root}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in sorted((SOURCE / folder).iterdir()):
            archive.writestr(separator.join((root, fqdn, item.name)), item.read_bytes())
        archive.writestr(separator.join((root, "manifest.json")), json.dumps(manifest))
    return path


def test_the_collector_script_writes_the_layout_these_tests_build():
    script = generate_script()
    assert "$serverFolder = Join-Path -Path $OutputPath -ChildPath $serverName" in script
    assert "$serverName = [System.Net.Dns]::GetHostEntry('').HostName" in script
    assert "$manifestPath = Join-Path -Path $OutputPath -ChildPath 'manifest.json'" in script
    assert "Compress-Archive -Path $OutputPath -DestinationPath ($OutputPath + '.zip') -Force" in script
    assert "'fodoc-bundle-{0}-{1}' -f $env:COMPUTERNAME, $startedAt.ToString('yyyyMMdd-HHmmss')" in script


@pytest.mark.parametrize("separator", ["\\", "/"])
def test_two_collector_zips_as_two_arguments_and_in_one_folder(separator, tmp_path, capsys):
    folder = tmp_path / "from-the-servers"
    folder.mkdir()
    zips = [collector_zip(folder, name, separator) for name in SERVERS]
    code, out, err = run(capsys, "diagnose", *map(str, zips), "--format", "json")
    report = json.loads(out)
    assert (code, err) == (2, "")
    assert report["findings"][0]["cause"] == "port_647_blocked"
    assert report["bundle"]["servers"] == ["dhcp-a.contoso.com", "dhcp-b.contoso.com"]
    assert report["bundle"]["capture"]["collected"] == {"dhcp-a.contoso.com": "2026-11-30T09:00:00Z",
                                                        "dhcp-b.contoso.com": "2026-11-30T09:00:00Z"}
    assert report["problems"] == []
    code2, out2, err2 = run(capsys, "diagnose", str(folder), "--format", "json")
    assert (code2, err2, out2) == (2, "", out)  # the folder holding both zips reads the same
    code3, out3, _ = run(capsys, "diagnose", str(folder))
    assert code3 == 2 and out3.startswith("failover-doctor: CRITICAL: TCP 647 (failover) is blocked")
    assert [p.name for p in sorted(folder.iterdir())] == [z.name for z in zips]  # nothing written


def test_inspect_takes_the_same_inputs(tmp_path, capsys):
    zips = [collector_zip(tmp_path, name) for name in SERVERS]
    code, out, err = run(capsys, "inspect", *map(str, zips))
    assert (code, err) == (0, "")
    assert "dhcp-b.contoso.com/failover.txt: read as failover.txt for dhcp-b.contoso.com, 1 record(s)" in out
    assert out.splitlines()[-1] == "servers: dhcp-a.contoso.com, dhcp-b.contoso.com; 36 file(s)"
    code, out2, _ = run(capsys, "inspect", str(tmp_path))
    assert (code, out2) == (0, out)


def test_a_zip_of_the_two_zips_is_one_level_of_nesting(tmp_path, capsys):
    inner = tmp_path / "inner"
    inner.mkdir()
    zips = [collector_zip(inner, name) for name in SERVERS]
    outer = tmp_path / "ticket-4711.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        for item in zips:
            archive.write(item, f"attachments/{item.name}")
    code, out, err = run(capsys, "diagnose", str(outer), "--format", "json")
    assert (code, err, json.loads(out)["findings"][0]["cause"]) == (2, "", "port_647_blocked")
    deeper = tmp_path / "deeper"
    deeper.mkdir()
    shutil.copy(outer, deeper / "ticket-4711.zip")
    code, out, err = run(capsys, "diagnose", str(deeper), "--format", "json")
    assert (code, out) == (3, "")  # zips inside a zip inside the folder: not opened, so nothing read
    assert err.startswith(f"fodoc: error: {deeper}: none of its 2 file(s) could be read as an output fodoc knows "
                          "(ticket-4711.zip:fodoc-bundle-DHCP-")
    assert "is an archive inside an archive inside the bundle; only one level is opened: unpack it" in err


def test_the_same_server_in_two_inputs_is_one_line_naming_both(tmp_path, capsys):
    first = collector_zip(tmp_path, "DHCP-A")
    again = tmp_path / "again.zip"
    shutil.copy(first, again)
    code, out, err = run(capsys, "diagnose", str(first), str(again))
    assert (code, out) == (3, "")
    assert err == (f"fodoc: error: {first} and {again}: both hold the server folder 'dhcp-a.contoso.com'; "
                   "give each server's outputs once (keep the newer collection)\n")


def test_of_two_inputs_an_unreadable_one_is_one_problem_and_the_other_is_analysed(tmp_path, capsys):
    good = collector_zip(tmp_path, "DHCP-A")
    broken = collector_zip(tmp_path, "DHCP-B")
    broken.write_bytes(broken.read_bytes()[:200])
    code, out, err = run(capsys, "diagnose", str(good), str(broken), "--format", "json")
    report = json.loads(out)
    assert err == "" and code == 2 and report["bundle"]["servers"] == ["dhcp-a.contoso.com"]
    assert report["problems"][0] == (f"{broken.name}: is not a readable zip archive (truncated or damaged?); "
                                     "the other bundles were read")
    code, out, err = run(capsys, "diagnose", str(good), str(tmp_path / "missing.zip"))
    assert (code, out, err) == (3, "", f"fodoc: error: {tmp_path / 'missing.zip'}: does not exist (expected a "
                                       "bundle folder, .zip or .tar.gz)\n")


def test_a_truncated_tar_gz_keeps_what_was_read_and_says_the_rest_was_lost(tmp_path, capsys):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for folder in ("DHCP-A", "DHCP-B"):
            for item in sorted((SOURCE / folder).iterdir()):
                archive.add(item, f"{folder}/{item.name}")
    whole = gzip.compress(buffer.getvalue(), mtime=0)
    path = tmp_path / "pair.tar.gz"
    for cut in range(len(whole) // 3, len(whole), 50):  # a cut that keeps all of DHCP-A and none of DHCP-B
        path.write_bytes(whole[:cut])
        names = [f.path for f in open_bundle(path).files]
        if len(names) == 18 and all(n.startswith("DHCP-A/") for n in names):
            break
    else:
        pytest.fail("no cut keeps exactly DHCP-A")
    code, out, err = run(capsys, "diagnose", str(path), "--format", "json")
    report = json.loads(out)
    assert (code, err) == (2, "")  # what was read still shows the blocked port
    assert report["findings"][0]["cause"] == "port_647_blocked"
    assert any(p.startswith("pair.tar.gz: is damaged after ") and p.endswith("the rest of it is lost")
               for p in report["problems"])
    missing = [n["missing"] for n in report["not_evaluated"]]
    assert "service facts about dhcp-b.contoso.com, whose files are not in the readable part of pair.tar.gz " \
           "(truncated: they may have been lost with the rest of it)" in missing
    assert not [m for m in missing if "not collected" in m]


def test_a_broken_site_runbook_stops_the_run_with_file_and_line(tmp_path, capsys):
    (tmp_path / "runbooks").mkdir()
    broken = tmp_path / "runbooks" / "port_647_blocked.yaml"
    broken.write_text("cause: port_647_blocked\nfix: [\n", encoding="utf-8")
    for extra in ((), ("--script", str(tmp_path / "fix.ps1"))):
        code, out, err = run(capsys, "diagnose", str(SOURCE), "--rules-dir", str(tmp_path), *extra)
        assert (code, out) == (3, "")
        assert err == f"fodoc: error: {broken}:3: is not valid YAML: did not find expected node content\n"
    assert not (tmp_path / "fix.ps1").exists()


def test_a_site_runbook_that_cannot_be_rendered_is_refused_before_the_bundle_is_read(tmp_path, capsys):
    (tmp_path / "runbooks").mkdir()
    text = (REPO / "runbooks" / "port_647_blocked.yaml").read_text(encoding="utf-8")
    assert "-ComputerName {{ target | ps }} -ScriptBlock { Get-NetFirewallRule" in text
    text = text.replace("-ComputerName {{ target | ps }} -ScriptBlock { Get-NetFirewallRule",
                        "-ComputerName {{ target.nosuch | ps }} -ScriptBlock { Get-NetFirewallRule", 1)
    site = tmp_path / "runbooks" / "port_647_blocked.yaml"
    site.write_text(text, encoding="utf-8")
    script = tmp_path / "fix.ps1"
    code, out, err = run(capsys, "diagnose", str(SOURCE), "--rules-dir", str(tmp_path), "--script", str(script))
    assert (code, out) == (3, "") and not script.exists()
    assert err.startswith(f"fodoc: error: {site}") and err.count("\n") == 1
    assert "record-firewall-rules: run: runbook 'port_647_blocked' cannot be rendered for " in err
    assert err.endswith("'str object' has no attribute 'nosuch'\n")


def test_a_suppression_of_an_unknown_rule_is_one_warning(tmp_path, capsys):
    config = tmp_path / "site.yaml"
    config.write_text("suppress:\n  - rule: port-647-blocked-inbund\n    reason: CHG-1\n    until: 2099-01-01\n",
                      encoding="utf-8")
    code, out, err = run(capsys, "diagnose", str(SOURCE), "--site-config", str(config))
    assert code == 2 and out.startswith("failover-doctor: CRITICAL")
    assert err == (f"fodoc: warning: {config}:2: suppresses rule 'port-647-blocked-inbund', which does not exist "
                   "(did you mean 'port-647-blocked-inbound'?); it suppresses nothing\n")


def test_the_same_problem_is_listed_once():
    problems = Problems()
    problems.add("DHCP-A/x.txt", "is not valid UTF-8 (byte 3)")
    problems.append(ArtifactError("DHCP-A/x.txt", "is not valid UTF-8 (byte 3)"))
    problems.add("DHCP-A/x.txt", "is not valid UTF-8 (byte 3)", record="line 2")
    assert [p.one_line() for p in problems.summarised()] == [
        "DHCP-A/x.txt: is not valid UTF-8 (byte 3)", "DHCP-A/x.txt (line 2): is not valid UTF-8 (byte 3)"]
    assert problems.records_lost("DHCP-A/x.txt") == 2


def test_a_csv_time_zone_note_is_a_note_not_a_problem(tmp_path, capsys):
    bundle = tmp_path / "b"
    shutil.copytree(SOURCE, bundle)
    (bundle / "DHCP-A" / "events-DhcpAdminEvents.json").unlink()
    shutil.copy(REPO / "tests" / "parsers" / "fixtures" / "events" / "admin-en-us.csv",
                bundle / "DHCP-A" / "events-DhcpAdminEvents.csv")
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    note = [n for n in report["notes"] if n.startswith("DHCP-A/events-DhcpAdminEvents.csv: holds local times")]
    assert len(note) == 1 and not [p for p in report["problems"] if "holds local times" in p]
    _, text, _ = run(capsys, "diagnose", str(bundle))
    assert f"Notes (read, nothing lost)\n  - {note[0]}\n" in text
    assert "Could not read" not in text.split("Notes (read, nothing lost)")[1]
    _, markdown, _ = run(capsys, "diagnose", str(bundle), "--format", "markdown")
    assert "## Notes (read, nothing lost)" in markdown


def test_inspect_names_each_server_by_folder_and_resolved_id(capsys):
    code, out, _ = run(capsys, "inspect", str(SOURCE))
    lines = out.splitlines()
    assert "DHCP-A/failover.json: read as failover.json for DHCP-A (dhcp-a.contoso.com), 1 record(s)" in lines
    assert lines[-1] == "servers: DHCP-A (dhcp-a.contoso.com), DHCP-B (dhcp-b.contoso.com); 37 file(s)"
    code, out, _ = run(capsys, "inspect", str(SOURCE), "--format", "json")
    report = json.loads(out)
    assert report["folders"] == {"dhcp-a.contoso.com": ["DHCP-A"], "dhcp-b.contoso.com": ["DHCP-B"]}
    assert {f["server"]: f["server_id"] for f in report["files"] if f["server"]} == SERVERS


def test_script_names_the_top_runbook_that_failed_to_render(tmp_path, capsys, monkeypatch):
    """A runbook that renders with placeholder names but not with a finding's values (the shipped
    ones are tested not to, so the failure is injected): --script writes nothing and says which."""
    import engine.diagnosis
    from engine.errors import RunbookError

    def failing(runbook, variables):
        raise RunbookError(runbook.path, f"runbook {runbook.cause!r} cannot be rendered for {variables['server']}: "
                                         "injected")

    monkeypatch.setattr(engine.diagnosis, "render", failing)
    script = tmp_path / "fix.ps1"
    code, _, err = run(capsys, "diagnose", str(SOURCE), "--script", str(script))
    assert code == 2 and not script.exists()
    assert err.startswith(f"fodoc: no runbook written to {script}: the port_647_blocked runbook of the top finding "
                          "could not be rendered (")
    assert err.endswith("cannot be rendered for dhcp-b.contoso.com: injected)\n")


def test_the_same_bundle_given_twice_is_one_error(tmp_path, capsys):
    """`diagnose a.zip a.zip` read as a pair of one server, at 60%, without a word."""
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for item in sorted((SOURCE / "DHCP-A").iterdir()):
            bundle.write(item, f"DHCP-A/{item.name}")
    code, out, err = run(capsys, "diagnose", str(archive), str(tmp_path / "." / "a.zip"))
    assert (code, out) == (3, "")
    assert err == (f"fodoc: error: {tmp_path / '.' / 'a.zip'}: is given twice (also as {archive}); give each "
                   "partner's bundle once\n")
