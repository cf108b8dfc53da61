"""Simulated bundles: byte-identical for a seed, in every enabled output form and encoding, and
written atomically as a folder or a .zip."""
from __future__ import annotations

import json
import zipfile

import pytest

from engine.errors import UsageError
from engine.simulate.bundle import bundle_files, write_bundle
from engine.simulate.flavours import FLAVOURS
from engine.simulate.run import run_scenario
from engine.simulate.scenario import Scenario

from .conftest import csv_note_places, csv_notes, problem_places


def files_for(seed, faults=(("clock_skew", {}),), all_flavours=False):
    return bundle_files(run_scenario(Scenario(seed, list(faults), [("duplicate_relays", {})], "t")), all_flavours)


def test_the_same_seed_gives_byte_identical_bundles(tmp_path):
    first, second = files_for(42), files_for(42)
    assert first == second
    write_bundle(first, tmp_path / "one.zip")
    write_bundle(second, tmp_path / "two.zip")
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    write_bundle(first, tmp_path / "folder")
    on_disk = {p.relative_to(tmp_path / "folder").as_posix(): p.read_bytes()
               for p in (tmp_path / "folder").rglob("*") if p.is_file()}
    assert on_disk == first


def test_another_seed_gives_another_pair():
    assert files_for(1) != files_for(2)


def test_zip_members_have_fixed_timestamps_and_sorted_names(tmp_path):
    write_bundle(files_for(5), tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_simulate_never_writes_over_an_existing_folder(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="already exists"):
        write_bundle(files_for(1), tmp_path / "taken")
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]  # no staging folder left behind


def test_seeds_draw_every_enabled_form_and_encoding_and_each_parses_cleanly(tmp_path, analyzer):
    """PS 5.1 vs 7 JSON, Format-List/Table, wevtutil XML, depth-2 events (message fallback),
    Event Viewer CSV, UTF-16 LE BOM / UTF-8 BOM / UTF-8, all read with zero problems but the
    time-zone note every CSV log gets."""
    seen = set()
    for seed in range(4):
        files = files_for(seed, faults=(("port_647_blocked", {}),))
        forms = json.loads(files["manifest.json"])["simulation"]["forms"]
        seen.update(forms.values())
        write_bundle(files, tmp_path / f"b{seed}")
        diagnosis = analyzer.analyze(tmp_path / f"b{seed}")
        assert problem_places(diagnosis) == []
        assert csv_note_places(diagnosis) == csv_notes(tmp_path / f"b{seed}")
    flavours = {form.split()[0] for form in seen}
    encodings = {form.split()[1] for form in seen}
    assert flavours == {f.name for f in FLAVOURS.values() if f.enabled}
    assert encodings == {"utf-16-le-bom", "utf-8-bom", "utf-8"}


def test_files_are_windows_text():
    files = files_for(3)
    for path, data in files.items():
        if path == "manifest.json" or not data:
            continue
        text = data[2:].decode("utf-16-le") if data[:2] == b"\xff\xfe" else data.decode("utf-8-sig")
        assert "\n" not in text.replace("\r\n", ""), path


def test_ps51_json_writes_dotnet_dates_and_ps7_iso_dates():
    from datetime import datetime, timezone

    from engine.simulate.render.psjson import dumps
    from engine.simulate.render.psvalues import DateTime, Enum, TimeSpan

    value = {"When": DateTime(datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc), 60), "Status": Enum("Running", 4),
             "Mclt": TimeSpan(3600), "Name": "a'b"}
    ps51 = dumps(value, "ps51")
    assert '"When":  "\\/Date(1796029200000)\\/"' in ps51
    assert '"Status":  4' in ps51 and '"TotalSeconds":  3600' in ps51 and '"a\\u0027b"' in ps51
    ps7 = json.loads(dumps(value, "ps7", enums_as_strings=True))
    assert ps7["When"] == "2026-11-30T10:00:00.0000000+01:00"
    assert ps7["Status"] == "Running" and ps7["Mclt"]["TotalSeconds"] == 3600.0


def test_table_forms_are_drawn_only_on_request_and_files_written_only_when_fodoc_reads_them():
    import random

    from engine.simulate.flavours import choose, readable

    forms = ("events-json", "events-xml", "events-csv")
    default = {choose(random.Random(n), forms, "ps7").name for n in range(60)}
    everything = {choose(random.Random(n), forms, "ps7", all_flavours=True).name for n in range(60)}
    assert default == everything == {"events-json-depth3", "wevtutil-xml", "eventviewer-csv"}
    cim = ("json", "list", "cim-table")
    assert "format-table-cim" not in {choose(random.Random(n), cim, "ps51").name for n in range(60)}
    assert "format-table-cim" in {choose(random.Random(n), cim, "ps51", all_flavours=True).name for n in range(60)}
    # a form fodoc has no reader for is left out of the bundle
    assert not readable("DHCP-A/events-System.txt")
    assert readable("DHCP-A/events-System.csv") and readable("DHCP-A/events-System.xml")
    assert readable("DHCP-A/failover.txt")
