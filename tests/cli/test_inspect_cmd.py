"""`fodoc inspect`: each file, as which artifact, for which server, how many records, problems."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from engine.cli import main

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples" / "bundles"
FIXTURES = REPO / "tests" / "parsers" / "fixtures"


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def test_loose_folder_as_json(capsys):
    code, out, err = run(capsys, "inspect", str(EXAMPLES / "loose_files_port_647"), "--format", "json")
    report = json.loads(out)
    assert (code, err, report["schema"]) == (0, "", "fodoc.inspect/1")
    assert report["servers"] == ["dhcp-a.contoso.com", "dhcp-b.contoso.com"]
    files = {f["path"]: f for f in report["files"]}
    assert files["port test 1.txt"] == {
        "path": "port test 1.txt", "artifact": "tnc.txt", "server": "dhcp-a.contoso.com",
        "server_id": "dhcp-a.contoso.com", "records": 1,
        "status": "read", "problems": [], "notes": [],
        "recognised_by": "recognised by content (Test-NetConnection output (TcpTestSucceeded)); on "
                         "dhcp-a.contoso.com, which its content names"}
    assert (files["Export-Admin.xml"]["artifact"], files["Export-Admin.xml"]["server"],
            files["Export-Admin.xml"]["records"]) == ("events.xml", "dhcp-b.contoso.com", 13)
    assert files["README.md"]["status"] == "ignored"


def test_bundle_by_name_with_a_damaged_evtx_and_a_random_csv(tmp_path, capsys):
    bundle = tmp_path / "b"
    shutil.copytree(EXAMPLES / "healthy", bundle)
    server = sorted(p for p in bundle.iterdir() if p.is_dir())[0]
    data = bytearray((FIXTURES / "evtx/system-3chunks.evtx").read_bytes())
    data[4096 + 65536:4096 + 65536 + 8] = bytes(8)
    (server / "events-Saved.evtx").write_bytes(bytes(data))
    (server / "events-Application.csv").write_bytes(b"Name,Price\r\nwidget,3\r\n")
    code, out, _ = run(capsys, "inspect", str(bundle))
    assert code == 1
    lines = out.splitlines()
    evtx = lines.index(f"{server.name}/events-Saved.evtx: read as events.evtx for {server.name}, 224 record(s)")
    assert lines[evtx + 1].startswith(f"    problem: {server.name}/events-Saved.evtx: has a damaged chunk")
    assert f"{server.name}/events-Application.csv: unreadable as events.csv for {server.name}, 0 record(s)" in lines
    assert (f"    problem: {server.name}/events-Application.csv: is not an Event Viewer CSV export: its header reads "
            "'Name,Price'; expected Event Viewer 'Save All Events As' CSV (header Level,Date and Time,Source,Event "
            "ID,Task Category)") in lines


def test_a_damaged_evtx_gives_one_count_of_what_was_read(tmp_path, capsys):
    """Both lines of `fodoc inspect` count the same records: those that became events."""
    import re
    server = tmp_path / "b" / "dhcp-a"
    server.mkdir(parents=True)
    data = bytearray((FIXTURES / "evtx/system-3chunks.evtx").read_bytes())
    data[4096 + 14080:4096 + 65536] = bytes(65536 - 14080)  # from inside record 20 to the end of chunk 0
    data[4096 + 65536:4096 + 65536 + 8] = bytes(8)          # chunk 1's header
    (server / "events-System.evtx").write_bytes(bytes(data))
    code, out, _ = run(capsys, "inspect", str(tmp_path / "b"))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "dhcp-a/events-System.evtx: read as events.evtx for dhcp-a, 135 record(s)"
    assert re.findall(r"the other (\d+) record\(s\) were read", out) == ["135"]


def test_one_file_that_names_no_server(capsys):
    code, out, _ = run(capsys, "inspect", str(FIXTURES / "w32tm/status-fr-fr.txt"))
    assert code == 1
    assert out.splitlines()[:2] == [
        "status-fr-fr.txt: unplaced (w32tm-status.txt)",
        "    problem: status-fr-fr.txt: recognised by content (w32tm /query /status labels); not placed: its "
        "content names no server and no file names one; put it in a folder named after its server"]


def test_one_evtx_file(capsys):
    code, out, _ = run(capsys, "inspect", str(FIXTURES / "evtx/application-no-crc32.evtx"))
    assert code == 0
    assert out.splitlines()[0] == "application-no-crc32.evtx: read as events.evtx for DESKTOP-0HIJB49, 17 record(s)"


def test_missing_path_is_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "inspect", str(tmp_path / "nope"))
    assert (code, out) == (3, "")
    assert err == f"fodoc: error: {tmp_path / 'nope'}: does not exist (expected a bundle folder, .zip or .tar.gz)\n"


def _zip_of(case: str, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((EXAMPLES / case).rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(EXAMPLES / case))
    return target


@pytest.mark.parametrize("name, damage, message", [
    ("trunc.zip", lambda data: data[:2000], "is not a readable zip archive (truncated or damaged?)"),
    ("trunc.tar.gz", lambda data: data[:100], "is not a readable tar archive (truncated or damaged?)"),
])
def test_a_damaged_archive_gets_the_same_line_and_exit_code_as_diagnose(name, damage, message, tmp_path, capsys):
    archive = tmp_path / name
    archive.write_bytes(damage(_zip_of("healthy", tmp_path / "whole.zip").read_bytes()))
    inspected = run(capsys, "inspect", str(archive))
    diagnosed = run(capsys, "diagnose", str(archive))
    assert inspected == diagnosed == (3, "", f"fodoc: error: {archive}: {message}\n")


def test_an_empty_folder_has_no_files_exit_3(tmp_path, capsys):
    code, out, err = run(capsys, "inspect", str(tmp_path))
    assert (code, out) == (3, "")
    assert err == (f"fodoc: error: {tmp_path}: has no files to inspect (expected a bundle folder, .zip or "
                   ".tar.gz, a folder of outputs, or one output file)\n")


def test_the_help_says_which_exit_code_means_no_files(capsys):
    code, out, _ = run(capsys, "inspect", "--help")
    assert code == 0 and "3 when PATH cannot be read at all or holds no files" in " ".join(out.split())


def test_a_utf16_file_with_the_wrong_byte_order_mark_is_read_and_the_mark_named(tmp_path, capsys):
    bundle = tmp_path / "healthy"
    shutil.copytree(EXAMPLES / "healthy", bundle)
    failover = bundle / "dhcp-b.contoso.com" / "failover.txt"
    text = failover.read_bytes().decode("utf-8-sig")
    failover.write_bytes(b"\xff\xfe" + text.encode("utf-16-be"))  # says LE, holds BE
    code, out, err = run(capsys, "inspect", str(bundle))
    lines = out.splitlines()
    at = lines.index("dhcp-b.contoso.com/failover.txt: read as failover.txt for dhcp-b.contoso.com, 1 record(s)")
    assert lines[at + 1] == ("    note: dhcp-b.contoso.com/failover.txt: the byte-order mark says UTF-16 LE but "
                             "the content is UTF-16 BE; read as UTF-16 BE")
    assert (code, err) == (0, "")  # a note: the file was read completely, nothing was lost
