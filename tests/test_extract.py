"""Bundle → facts: what extract adds around the parsers for loose files and local times."""
from __future__ import annotations

import shutil
from pathlib import Path

from engine.bundle import open_bundle
from engine.catalog import load_catalog
from engine.extract import extract_facts
from engine.kb import shipped_dir

EXAMPLES = Path(__file__).parent.parent / "examples" / "bundles"
CSV = ("Level,Date and Time,Source,Event ID,Task Category\r\n"
       "Information,11/30/2026 9:58:00 AM,Service Control Manager,7036,None,"
       "The DHCP Server service entered the running state.\r\n")


def extract(path: Path):
    return extract_facts(open_bundle(path), load_catalog(shipped_dir("facts")))


def test_event_viewer_csv_uses_the_offset_from_computer_json(tmp_path):
    bundle = tmp_path / "b"
    shutil.copytree(EXAMPLES / "port_647_blocked", bundle)  # DHCP-A: UtcOffsetMinutes 60
    (bundle / "DHCP-A" / "events-System.json").unlink()
    (bundle / "DHCP-A" / "events-System.csv").write_text(CSV, encoding="utf-8-sig")
    extraction = extract(bundle)
    services = [f for f in extraction.facts if f.kind == "event" and f.get("event_id") == 7036
                and f.source.artifact == "DHCP-A/events-System.csv"]
    assert [(f["server"], f["service_state"], f["first"]) for f in services] == [
        ("dhcp-a.contoso.com", "running", "2026-11-30T08:58:00Z")]


def test_a_loose_csv_in_a_one_server_folder_is_placed_and_converted(tmp_path):
    folder = tmp_path / "sent"
    folder.mkdir()
    (folder / "info.json").write_bytes((EXAMPLES / "port_647_blocked/DHCP-B/computer.json").read_bytes())
    (folder / "System export.csv").write_text(CSV, encoding="utf-8-sig")
    extraction = extract(folder)
    assert extraction.servers == ["dhcp-b.contoso.com"]
    records = {r.path: r for r in extraction.artifacts}
    assert (records["System export.csv"].server, records["System export.csv"].family,
            records["System export.csv"].records) == ("dhcp-b.contoso.com", "events", 1)
    event = next(f for f in extraction.facts if f.kind == "event")
    assert (event["server"], event["first"]) == ("dhcp-b.contoso.com", "2026-11-30T08:58:00Z")


def test_a_zipped_loose_folder_is_placed_the_same(tmp_path):
    import zipfile
    archive = tmp_path / "sent.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted((EXAMPLES / "loose_files_port_647").iterdir()):
            zf.write(path, f"what-the-customer-sent/{path.name}")
    extraction = extract(archive)
    assert extraction.servers == ["dhcp-a.contoso.com", "dhcp-b.contoso.com"]
    placed = {r.path: r.server for r in extraction.artifacts if r.status == "read"}
    assert placed["port test 2.txt"] == "dhcp-b.contoso.com"
    assert placed["stripchart.txt"] == "dhcp-a.contoso.com"
    assert len(placed) == 20 and [str(p) for p in extraction.problems] == []


def test_a_loose_clock_skew_folder_measures_each_clock_on_the_server_that_ran_the_stripchart():
    # dhcp-a's clock is 95 s behind dhcp-b's: the offset dhcp-a measured is positive, the one
    # dhcp-b measured negative; and both servers' failover outputs are read, each as its own.
    extraction = extract(Path(__file__).parent / "loose_folders" / "clock_skew")
    offsets = [(f["server"], f["reference"], f["offset_s"], f.source.artifact)
               for f in extraction.facts if f.kind == "clock_offset"]
    assert sorted(offsets) == [("dhcp-a.contoso.com", "dhcp-b.contoso.com", 95.0127418, "sync1.txt"),
                               ("dhcp-b.contoso.com", "dhcp-a.contoso.com", -95.0120066, "sync2.txt")]
    pairs = [(f["server"], f["partner"], f.source.artifact) for f in extraction.facts if f.kind == "pair"]
    assert sorted(pairs) == [("dhcp-a.contoso.com", "dhcp-b.contoso.com", "fo1.txt"),
                             ("dhcp-b.contoso.com", "dhcp-a.contoso.com", "fo2.txt")]
    assert extraction.problems == []


def test_a_field_of_megabytes_is_left_unread_and_the_rest_analysed(tmp_path):
    """A line of 20 MB (a damaged or hostile file) would be carried through every rule, and
    durable_rules refuses a fact that large: the field is left out with one line, the rest of the
    record and of the bundle is read."""
    bundle = tmp_path / "b"
    shutil.copytree(EXAMPLES / "port_647_blocked", bundle)
    status = bundle / "DHCP-A" / "w32tm-status.txt"
    status.write_text(status.read_text(encoding="utf-8-sig").replace(
        "Source: ", "Source: " + "A" * 5_000_000 + "\nIgnored: ", 1), encoding="utf-8")
    extraction = extract(bundle)
    assert [str(p) for p in extraction.problems if "characters long" in str(p)] == [
        "DHCP-A/w32tm-status.txt: time_source.source is 5000000 characters long; expected at most 4096; left unread"]
    sources = [f for f in extraction.facts if f.kind == "time_source" and f.source.artifact == "DHCP-A/w32tm-status.txt"]
    assert len(sources) == 1 and "source" not in sources[0].fields
    assert sources[0].get("leap") is not None  # the rest of the record is kept


def test_the_cli_diagnoses_a_bundle_with_a_field_of_megabytes_on_both_engines(tmp_path, capsys):
    import pytest
    from engine.cli import main

    bundle = tmp_path / "b"
    shutil.copytree(EXAMPLES / "port_647_blocked", bundle)
    (bundle / "DHCP-A" / "w32tm-status.txt").write_text("Source: " + "A" * 20_000_000 + "\n", encoding="utf-8")
    for engine in ("native", "auto"):
        with pytest.raises(SystemExit) as info:
            main(["diagnose", str(bundle), "--format", "json", "--engine", engine])
        out = capsys.readouterr().out
        import json
        assert (info.value.code, json.loads(out)["findings"][0]["cause"]) == (2, "port_647_blocked")


def _port_647(tmp_path: Path) -> Path:
    bundle = tmp_path / "b"
    shutil.copytree(EXAMPLES / "port_647_blocked", bundle)
    return bundle


def _relationships(extraction) -> list[tuple[str, str]]:
    return sorted((f["server"], f["name"]) for f in extraction.facts if f.kind == "relationship")


BOTH_SIDES = [("dhcp-a.contoso.com", "dhcp-a-dhcp-b"), ("dhcp-b.contoso.com", "dhcp-a-dhcp-b")]


def test_a_file_with_lone_carriage_returns_is_one_line_and_the_rest_analysed(tmp_path):
    bundle = _port_647(tmp_path)
    (bundle / "DHCP-A" / "ticket.pdf").write_bytes(b"%PDF-1.4\r%\xe2\r1 0 obj\r")
    extraction = extract(bundle)
    assert [str(p) for p in extraction.problems if p.path == "DHCP-A/ticket.pdf"] == [
        "DHCP-A/ticket.pdf: is not a known artifact (see docs/bundle-format.md for the file names fodoc reads); "
        "ignored"]
    assert _relationships(extraction) == BOTH_SIDES


def test_an_unexpected_exception_in_one_parser_is_one_line_naming_the_file(tmp_path, monkeypatch):
    import engine.extract as extracting
    real = extracting.parser_for

    def broken(family, fmt):
        if family != "services":
            return real(family, fmt)

        def parse(artifact, problems):
            raise LookupError("unknown encoding: cp65001x")
        return parse
    monkeypatch.setattr(extracting, "parser_for", broken)
    extraction = extract(_port_647(tmp_path))
    assert sorted(str(p) for p in extraction.problems if "services" in p.path) == [
        f"DHCP-{side}/services.{ext}: could not be read: unexpected LookupError (unknown encoding: cp65001x); the "
        "file was left out (please report this with the file)"
        for side, ext in (("A", "txt"), ("B", "txt"))]
    assert {r.status for r in extraction.artifacts if "services" in r.path} == {"unreadable"}
    assert _relationships(extraction) == BOTH_SIDES


def test_an_unexpected_exception_while_sniffing_a_file_in_a_server_folder_is_one_line(tmp_path, monkeypatch):
    import engine.extract as extracting

    def broken(data):
        raise UnicodeError("surrogates not allowed")
    monkeypatch.setattr(extracting, "sniff", broken)
    bundle = _port_647(tmp_path)
    (bundle / "DHCP-A" / "notes.txt").write_bytes(b"\xff\xfe\x00\xd8")
    extraction = extract(bundle)
    assert [str(p) for p in extraction.problems if p.path == "DHCP-A/notes.txt"] == [
        "DHCP-A/notes.txt: could not be recognised by content: unexpected UnicodeError (surrogates not allowed); "
        "the file was left out (please report this with the file)"]
    assert _relationships(extraction) == BOTH_SIDES


TOO_DEEP = "is nested too deeply to be read as JSON (arrays or objects thousands of levels deep)"


def test_deeply_nested_manifest_and_computer_json_are_one_line_each(tmp_path):
    bundle = _port_647(tmp_path)
    for path in ("manifest.json", "DHCP-A/computer.json"):
        (bundle / path).write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    (bundle / "DHCP-B" / "computer.json").write_text('{"a":' * 5000 + "1" + "}" * 5000, encoding="utf-8")
    extraction = extract(bundle)
    assert sorted(str(p) for p in extraction.problems if "computer" in p.path or "manifest" in p.path) == [
        f"DHCP-A/computer.json: {TOO_DEEP}; expected computer.json as the collector writes it (ComputerName, FQDN, "
        "IPv4Addresses, ...)",
        f"DHCP-B/computer.json: {TOO_DEEP}; expected computer.json as the collector writes it (ComputerName, FQDN, "
        "IPv4Addresses, ...)",
        f"manifest.json: {TOO_DEEP}; expected a JSON object with format, created, collector, servers"]
    assert len(_relationships(extraction)) == 2 and any(f.kind == "event" for f in extraction.facts)


def test_a_manifest_collection_time_that_is_no_date_is_said(tmp_path):
    import json
    bundle = _port_647(tmp_path)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8-sig"))
    name = sorted(manifest["servers"])[0]
    manifest["servers"][name]["collected_at"] = 5
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    extraction = extract(bundle)
    assert [str(p) for p in extraction.problems if p.path == "manifest.json"] == [
        f"manifest.json (servers.{name}): servers.{name}.collected_at '5' is not a date; expected ISO-8601 UTC like "
        "2026-11-30T09:00:00Z; left unread"]
