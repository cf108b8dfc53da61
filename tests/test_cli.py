"""`fodoc diagnose` end to end on the shipped examples, zipped bundles and bad input."""
from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from engine.cli import main
from engine.inference import durable_available

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "bundles"

# example -> what it must diagnose; .ci/run checks the same file from an installed fodoc
EXPECTED = yaml.safe_load((REPO / "examples" / "expected.yaml").read_text(encoding="utf-8"))


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def test_every_example_has_an_expectation():
    assert sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()) == sorted(EXPECTED)


NEEDS_DURABLE = pytest.mark.skipif(not durable_available(), reason="durable_rules is not installed")


@pytest.mark.parametrize("case", sorted(EXPECTED))
@pytest.mark.parametrize("engine", ["native", pytest.param("durable", marks=NEEDS_DURABLE)])
def test_example_diagnosis(case, engine, capsys):
    code, out, err = run(capsys, "diagnose", str(EXAMPLES / case), "--format", "json", "--engine", engine)
    expected = EXPECTED[case]
    expected_code, cause = expected["exit"], expected["top"]
    report = json.loads(out)
    assert (code, report["exit_code"], err) == (expected_code, expected_code, "")
    assert report["schema"] == "fodoc.diagnosis/1"
    assert [p for p in report["problems"] if not p.startswith("manifest.json")] == []
    if cause is None:
        assert report["findings"] == [] and report["verdict"] == "healthy"
        return
    top = report["findings"][0]
    assert top["cause"] == cause and top["severity"] == expected["severity"]
    assert expected["cites"] in [e["artifact"] for e in top["evidence"]]
    if expected["severity"] == "info":
        # expected behaviour: nothing to fix, but always what to watch
        assert (top["expected"], top["runbook"], report["verdict"]) == (True, None, "healthy")
        assert top["watch"] and all(text.strip() for text in top["watch"])
    else:
        assert top["runbook"]["fix"], "a finding comes with its rendered runbook"
    assert [c["cause"] for c in top["consequences"]] == ([expected["consequence"]] if "consequence" in expected else [])


def test_collector_errors_from_the_manifest_are_shown(capsys):
    _, out, _ = run(capsys, "diagnose", str(EXAMPLES / "partner_service_stopped"), "--format", "json")
    assert json.loads(out)["problems"] == [
        "manifest.json (servers.dhcp-b.contoso.com.errors[1]): the collector could not get failover from "
        "dhcp-b.contoso.com: Get-DhcpServerv4Failover : Failed to get failover relationships on DHCP server "
        "dhcp-b.contoso.com. (The RPC server is unavailable.)"]


@NEEDS_DURABLE
def test_both_engines_give_the_same_report_apart_from_the_engine_name(capsys):
    for case in EXPECTED:
        reports = []
        for engine in ("native", "durable"):
            _, out, _ = run(capsys, "diagnose", str(EXAMPLES / case), "--format", "json", "--engine", engine)
            report = json.loads(out)
            report.pop("engine")
            reports.append(report)
        assert reports[0] == reports[1], case


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_zipped_bundle_gives_the_same_json(case, tmp_path, capsys):
    archive = tmp_path / f"{case}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((EXAMPLES / case).rglob("*")):
            if path.is_file():
                zf.write(path, Path(case) / path.relative_to(EXAMPLES / case))
    _, from_folder, _ = run(capsys, "diagnose", str(EXAMPLES / case), "--format", "json", "--engine", "native")
    _, from_zip, _ = run(capsys, "diagnose", str(archive), "--format", "json", "--engine", "native")
    assert from_zip == from_folder


def test_text_report_leads_with_the_answer_and_pastes_real_names(capsys):
    code, out, _ = run(capsys, "diagnose", str(EXAMPLES / "port_647_blocked"), "--engine", "native")
    first = out.splitlines()[0]
    assert code == 2
    assert first == ("failover-doctor: CRITICAL: TCP 647 (failover) is blocked between the partners — on "
                     "dhcp-b.contoso.com, relationship dhcp-a-dhcp-b, confidence 97%.")
    assert "Invoke-Command -ComputerName 'dhcp-b.contoso.com' -ScriptBlock {" in out
    assert ("$names = 'Microsoft-Windows-DHCP-Failover-TCP-In', 'Microsoft-Windows-DHCP-Failover-TCP-Out'"
            in out)
    assert "[DHCP-A/tnc-dhcp-b.contoso.com-647.txt (line 3)]" in out
    assert out.rstrip().endswith("Verdict: CRITICAL (exit 2; engine native)")


def test_markdown_report(capsys):
    code, out, _ = run(capsys, "diagnose", str(EXAMPLES / "healthy"), "--format", "markdown")
    assert code == 0
    assert out.startswith("# failover-doctor: HEALTHY\n")
    assert "| dhcp-a-dhcp-b | dhcp-a.contoso.com | Normal |" in out


def test_output_file_is_written(tmp_path, capsys):
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, "diagnose", str(EXAMPLES / "healthy"), "--format", "json", "-o", str(target))
    assert (code, out) == (0, "")
    assert json.loads(target.read_text())["verdict"] == "healthy"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


# -- bad input -----------------------------------------------------------------------------------

def test_missing_path_is_one_line_exit_3(tmp_path, capsys):
    code, out, err = run(capsys, "diagnose", str(tmp_path / "nope"))
    assert (code, out) == (3, "")
    assert err == (f"fodoc: error: {tmp_path / 'nope'}: does not exist (expected a bundle folder, "
                   ".zip or .tar.gz)\n")


def test_empty_folder_is_one_line_and_no_report(tmp_path, capsys):
    code, out, err = run(capsys, "diagnose", str(tmp_path), "--format", "json")
    assert (code, out) == (3, "")
    assert err == (f"fodoc: error: {tmp_path}: holds no files (expected one folder per DHCP server with its "
                   "outputs, or the zips Collect-FailoverFacts.ps1 writes; see docs/bundle-format.md)\n")


def test_a_folder_with_no_readable_artifact_is_one_line_and_no_report(tmp_path, capsys):
    (tmp_path / "README.md").write_text("what the customer sent\n")
    (tmp_path / "DHCP-A").mkdir()
    (tmp_path / "DHCP-A" / "notes.txt").write_text("nothing fodoc knows\n")
    code, out, err = run(capsys, "diagnose", str(tmp_path))
    assert (code, out) == (3, "")
    assert err == (f"fodoc: error: {tmp_path}: none of its 2 file(s) could be read as an output fodoc knows "
                   "(DHCP-A/notes.txt: is not a known artifact (see docs/bundle-format.md for the file names fodoc "
                   "reads); ignored); 'fodoc inspect' lists what each file was taken for\n")


def test_a_bundle_whose_files_were_read_but_hold_no_relationship_is_a_report(tmp_path, capsys):
    shutil.copytree(EXAMPLES / "healthy", tmp_path / "b")
    for failover in (tmp_path / "b").glob("*/failover.*"):
        failover.unlink()
    code, out, err = run(capsys, "diagnose", str(tmp_path / "b"), "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"], err) == (3, "unknown", "")


def test_truncated_zip(tmp_path, capsys):
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((EXAMPLES / "healthy").rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(EXAMPLES / "healthy"))
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    code, out, err = run(capsys, "diagnose", str(archive))
    assert (code, out) == (3, "")
    assert err.count("\n") == 1 and "is not a readable zip archive" in err and "Traceback" not in err


def _copy(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(EXAMPLES / case, target)
    return target


def test_malformed_artifact_is_reported_and_the_rest_still_analysed(tmp_path, capsys):
    bundle = _copy("port_647_blocked", tmp_path)
    (bundle / "DHCP-B" / "dns-dhcp-a.contoso.com.json").write_text('{"Name": "dhcp-a", ', encoding="utf-8")
    (bundle / "DHCP-A" / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (bundle / "DHCP-A" / "services.txt").write_bytes(b"Status   Name\n\xffgarbage\xc3")
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    assert code == 2 and report["findings"][0]["cause"] == "port_647_blocked"
    assert report["problems"] == [
        "DHCP-A/notes.csv: is not a known artifact (see docs/bundle-format.md for the file names fodoc reads); ignored",
        "DHCP-A/services.txt: is not valid UTF-8 (byte 14); expected UTF-8 or UTF-16 with a byte-order mark",
        "DHCP-B/dns-dhcp-a.contoso.com.json: is not valid JSON: Expecting property name enclosed in double "
        "quotes at line 1 column 20; expected Resolve-DnsName | ConvertTo-Json output",
    ]


def test_bundle_is_never_modified(tmp_path, capsys):
    bundle = _copy("clock_skew", tmp_path)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in bundle.rglob("*") if p.is_file()}
    run(capsys, "diagnose", str(bundle))
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in bundle.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize("args", [["diagnose"], ["diagnose", ".", "--format", "yaml"], ["frobnicate"]])
def test_usage_errors_exit_3_with_one_line(args, capsys):
    code, out, err = run(capsys, *args)
    assert code == 3 and out == ""
    assert err.startswith("fodoc: error: ") and err.count("\n") == 1


def test_script_export_of_the_top_runbook(tmp_path, capsys):
    from engine.pscheck import check_powershell
    target = tmp_path / "fix.ps1"
    code, _, err = run(capsys, "diagnose", str(EXAMPLES / "partner_service_stopped"), "--format", "json",
                       "--script", str(target))
    script = target.read_text(encoding="utf-8")
    assert code == 2
    assert err == f"fodoc: wrote the partner_service_stopped runbook to {target} (try it first with -WhatIf)\n"
    assert "SupportsShouldProcess" in script and "'dhcp-b.contoso.com'" in script
    assert check_powershell(script) == []


def test_no_script_for_a_healthy_pair(tmp_path, capsys):
    target = tmp_path / "fix.ps1"
    code, _, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"), "--script", str(target))
    assert code == 0 and not target.exists()
    assert "no fault with a runbook was found" in err


# The step that changes something must reach the server that is actually broken.
KEY_STEP_TARGETS = {
    "partner_service_stopped": ("start-dhcp", ["dhcp-b.contoso.com"]),
    "partner_unreachable": ("partner-down", ["dhcp-a.contoso.com"]),   # the survivor, never the lost host
    "clock_skew": ("sync-from-domain", ["dhcp-b.contoso.com"]),          # dhcp-b runs on its CMOS clock
    "partner_state_drift": ("restart-dhcp", ["dhcp-b.contoso.com"]),    # dhcp-b is the stuck side
    "relationship_corrupt": ("remove-relationship", ["dhcp-a.contoso.com"]),  # where the scopes live
    "port_647_blocked": ("enable-failover-rules", ["dhcp-b.contoso.com", "dhcp-a.contoso.com"]),
    "shared_secret_mismatch": ("set-shared-secret", ["dhcp-b.contoso.com"]),
}


@pytest.mark.parametrize("case", sorted(KEY_STEP_TARGETS))
def test_runbook_steps_target_the_right_server(case, capsys):
    _, out, _ = run(capsys, "diagnose", str(EXAMPLES / case), "--format", "json", "--engine", "native")
    fix = json.loads(out)["findings"][0]["runbook"]["fix"]
    step_id, targets = KEY_STEP_TARGETS[case]
    assert [s["target"] for s in fix if s["id"] == step_id] == targets


def _rewrite(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    text = data.decode(encoding)
    assert old in text
    path.write_bytes(text.replace(old, new).encode(encoding))


def _healthy_with_states(tmp_path: Path, state_a: str, state_b: str) -> Path:
    """The healthy example with the state each side reports replaced."""
    bundle = _copy("healthy", tmp_path)
    _rewrite(bundle / "dhcp-a.contoso.com" / "failover.json", '"State":  "Normal"', f'"State":  "{state_a}"')
    _rewrite(bundle / "dhcp-b.contoso.com" / "failover.txt", "State               : Normal",
             f"State               : {state_b}")
    return bundle


def test_interrupted_pair_without_a_known_cause_is_never_healthy(tmp_path, capsys):
    bundle = _healthy_with_states(tmp_path, "CommunicationInterrupted", "CommunicationInterrupted")
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"], report["findings"]) == (2, "critical", [])
    assert report["unexplained"] == [
        {"relationship": "dhcp-a-dhcp-b", "server": "dhcp-a.contoso.com", "state": "CommunicationInterrupted"},
        {"relationship": "dhcp-a-dhcp-b", "server": "dhcp-b.contoso.com", "state": "CommunicationInterrupted"}]
    assert report["summary"].startswith("CRITICAL: dhcp-a-dhcp-b is CommunicationInterrupted on dhcp-a.contoso.com, "
                                        "and no known cause matched")


@pytest.mark.parametrize("content", [b"{}", b'["a", "b"]', b"42", b"Get-DhcpServerv4Failover : Failed to get "
                                     b"failover relationships. (The RPC server is unavailable.)\r\n"])
def test_unreadable_failover_output_is_not_a_missing_relationship(content, tmp_path, capsys):
    bundle = _copy("port_647_blocked", tmp_path)
    (bundle / "DHCP-B" / "failover.txt").write_bytes(content)
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    causes = [f["cause"] for f in report["findings"]]
    assert "relationship_corrupt" not in causes
    assert causes[0] == "port_647_blocked" and code == 2
    assert report["unread"] == ["dhcp-b.contoso.com"]
    assert any(p.startswith("DHCP-B/failover.txt") for p in report["problems"])


@pytest.mark.parametrize("content, what", [(b"", "empty"), (b"  \r\n", "empty"), (b"null\r\n", "null"),
                                           (b"\xff\xfe", "empty")])
def test_empty_or_null_failover_json_is_unread_not_a_missing_relationship(content, what, tmp_path, capsys):
    """The collector writes [] for a server without relationships; nothing at all, or null, is a
    capture that says nothing: dhcp-b's own DhcpAdminEvents name the relationship, and a
    delete/recreate runbook on that guess would be destructive."""
    bundle = _copy("relationship_corrupt", tmp_path)
    (bundle / "dhcp-b.contoso.com" / "failover.json").write_bytes(content)
    script = tmp_path / "fix.ps1"
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json", "--script", str(script))
    report = json.loads(out)
    assert "relationship_corrupt" not in [f["cause"] for f in report["findings"]]
    assert report["unread"] == ["dhcp-b.contoso.com"]
    assert [p for p in report["problems"] if p.startswith("dhcp-b.contoso.com/failover.json")] == [
        f"dhcp-b.contoso.com/failover.json: is {what}; this cannot tell a server without failover relationships "
        "(written as [] by fodoc collect and Collect-FailoverFacts.ps1) from a capture that failed, so this "
        "server's relationships were left unread; expected Get-DhcpServerv4Failover | ConvertTo-Json output, "
        "or [] for none"]
    text = out + (script.read_text(encoding="utf-8-sig") if script.exists() else "")
    assert "Remove-DhcpServerv4Failover" not in text and "Add-DhcpServerv4Failover" not in text


def test_failover_json_holding_an_empty_array_is_a_server_without_relationships(tmp_path, capsys):
    bundle = _copy("relationship_corrupt", tmp_path)
    assert (bundle / "dhcp-b.contoso.com" / "failover.json").read_bytes().strip() == b"[]"
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    assert report["findings"][0]["cause"] == "relationship_corrupt" and report["unread"] == []


def test_a_file_with_lone_carriage_returns_does_not_stop_diagnose_or_inspect(tmp_path, capsys):
    bundle = _copy("port_647_blocked", tmp_path)
    (bundle / "DHCP-A" / "ticket.pdf").write_bytes(b"%PDF-1.4\r%\xe2\r1 0 obj\r")
    code, out, err = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    assert (code, err, report["findings"][0]["cause"]) == (2, "", "port_647_blocked")
    assert "DHCP-A/ticket.pdf: is not a known artifact (see docs/bundle-format.md for the file names fodoc reads); " \
           "ignored" in report["problems"]
    code, out, err = run(capsys, "inspect", str(bundle))
    assert code == 1 and err == "" and "DHCP-A/ticket.pdf: unsupported" in out


def test_healthy_side_with_an_unreadable_partner_is_unknown_not_healthy(tmp_path, capsys):
    bundle = _copy("healthy", tmp_path)
    (bundle / "dhcp-b.contoso.com" / "failover.txt").write_bytes(b"garbage : \r\n\r\n")
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"], report["unread"]) == (3, "unknown", ["dhcp-b.contoso.com"])


def test_deeply_nested_json_is_one_problem_line(tmp_path, capsys):
    bundle = _copy("port_647_blocked", tmp_path)
    (bundle / "DHCP-A" / "services.json").write_text("[" * 100000 + "]" * 100000, encoding="utf-8")
    (bundle / "DHCP-A" / "services.txt").unlink()
    code, out, err = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    assert code == 2 and err == ""
    assert [p for p in report["problems"] if p.startswith("DHCP-A/services.json")] != []


def test_a_failed_write_is_one_line_and_leaves_no_temporary_file(tmp_path, capsys, monkeypatch):
    def disk_full(source, target):
        raise OSError(28, "No space left on device", str(target))
    monkeypatch.setattr("engine.fileio.os.replace", disk_full)
    target = tmp_path / "report.txt"
    code, out, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"), "-o", str(target))
    assert (code, out) == (3, "")
    assert err == f"fodoc: error: {target}: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


def test_output_to_a_device_is_written_in_place_not_renamed_over(capsys):
    device = Path(os.devnull)
    was_device = device.exists() and not device.is_file()
    code, _, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"), "-o", str(device))
    assert (code, err) == (0, "")
    assert (device.exists() and not device.is_file()) == was_device  # still the device, not a file


def test_output_inside_the_bundle_is_refused(tmp_path, capsys):
    bundle = _copy("healthy", tmp_path)
    target = bundle / "dhcp-a.contoso.com" / "failover.txt"
    code, out, err = run(capsys, "diagnose", str(bundle), "-o", str(target))
    assert code == 3 and not target.exists()
    assert "refusing to write inside the bundle" in err


def test_bare_fodoc_prints_help(capsys):
    code, out, err = run(capsys)
    assert code == 0 and out.startswith("Usage: fodoc") and "diagnose" in out and err == ""


def test_names_from_the_bundle_cannot_forge_report_lines_or_markdown(tmp_path, capsys):
    bundle = _copy("port_647_blocked", tmp_path)
    hostile = 'evil\\n  FAKE dhcp1: Normal | <img src=x onerror=alert(1)> [c](http://evil)'
    _rewrite(bundle / "DHCP-A" / "failover.json", '"Name": "dhcp-a-dhcp-b"', f'"Name": "{hostile}"')
    _, text, _ = run(capsys, "diagnose", str(bundle), "--engine", "native")
    assert not any(line.lstrip().startswith("FAKE") for line in text.splitlines())
    _, markdown, _ = run(capsys, "diagnose", str(bundle), "--format", "markdown", "--engine", "native")
    prose = re.sub(r"```powershell\n.*?```", "", markdown, flags=re.S)  # code blocks are inert
    assert re.search(r"(?<!\\)<img", prose) is None and "](http://evil)" not in prose
    assert r"\<img src=x onerror=alert\(1\)\> \[c\]\(http://evil\)" in markdown


def test_what_could_not_be_evaluated_names_the_data_that_would_settle_it(capsys):
    _, out, _ = run(capsys, "diagnose", str(EXAMPLES / "partner_unreachable"), "--format", "json",
                    "--engine", "native")
    gaps = {(n["rule"], n["settle_with"]) for n in json.loads(out)["not_evaluated"]}
    assert ("partner-service-stopped", "collect a bundle from dhcp-b.contoso.com (services)") in gaps
    assert ("clock-skew-offset", "collect w32tm-stripchart again once it can measure") in gaps
    assert ("relationship-missing-on-partner", "both partners' failover output, each listing the relationship") in gaps
    assert not any("ping_ok" in n["missing"] for n in json.loads(out)["not_evaluated"])
    ruled_out = {r["rule"]: r["reason"] for r in json.loads(out)["ruled_out"]}
    assert ruled_out["clock-skew-event"] == ("no event 20253 on dhcp-a.contoso.com for dhcp-a-dhcp-b at any time "
                                             "(dhcp-a.contoso.com never logged a return to Normal)")


def test_colour_only_when_asked(capsys):
    _, plain, _ = run(capsys, "diagnose", str(EXAMPLES / "clock_skew"))
    _, coloured, _ = run(capsys, "diagnose", str(EXAMPLES / "clock_skew"), "--color")
    assert "\x1b[" not in plain and "\x1b[1;31m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_recovery_after_partner_down_is_a_warning_to_wait_not_a_fault_to_fix(tmp_path, capsys):
    bundle = _healthy_with_states(tmp_path, "RecoverWait", "PartnerDown")
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"], report["findings"]) == (1, "warning", [])
    assert report["summary"].startswith("WARNING: dhcp-a-dhcp-b is on its way back to Normal "
                                        "(dhcp-a.contoso.com: RecoverWait, dhcp-b.contoso.com: PartnerDown)")


def test_a_partner_that_was_not_collected_leaves_the_pair_unknown(tmp_path, capsys):
    bundle = _copy("partner_state_drift", tmp_path)
    shutil.rmtree(bundle / "DHCP-B")
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    assert (code, report["verdict"], report["unread"]) == (3, "unknown", ["dhcp-b.contoso.com"])


def test_settings_that_differ_on_a_working_pair_are_a_warning_without_a_destructive_runbook(tmp_path, capsys):
    bundle = _copy("healthy", tmp_path)
    _rewrite(bundle / "dhcp-b.contoso.com" / "failover.txt", "MaxClientLeadTime   : 01:00:00",
             "MaxClientLeadTime   : 02:00:00")
    code, out, _ = run(capsys, "diagnose", str(bundle), "--format", "json")
    report = json.loads(out)
    # the healthy example's outdated-binding noise is explained, not a fault
    assert (code, report["verdict"], [f["cause"] for f in report["findings"]]) == \
        (1, "warning", ["benign_outdated_binding"])
    assert report["observations"] == [
        "dhcp-a-dhcp-b works, but mclt_s is 3600 on dhcp-a.contoso.com and 7200 on dhcp-b.contoso.com; "
        "correct it with Set-DhcpServerv4Failover on one side, then compare Get-DhcpServerv4Failover on both"]
