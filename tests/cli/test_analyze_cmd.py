"""`fodoc analyze DIR`: one row per bundle of a folder sent by many customers, in a process pool.

The folder holds copies of example bundles (folders, one zipped), a damaged zip, an empty
folder, a stray text file and a hidden file; each readable row must say what
examples/expected.yaml says `fodoc diagnose` finds in that bundle.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from engine import fleet
from engine.cli import main
from engine.pipeline import Analyzer

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples" / "bundles"
EXPECTED = yaml.safe_load((REPO / "examples" / "expected.yaml").read_text(encoding="utf-8"))
FOLDERS = ("clock_skew", "config_drift", "healthy", "intermittent_path")
ZIPPED = "port_647_blocked"
NAMES = ["clock_skew", "config_drift", "corrupt.zip", "empty", "healthy", "intermittent_path",
         "port_647_blocked.zip"]
WARNINGS = ("fodoc: warning: skipped .hidden: hidden\n"
            "fodoc: warning: skipped notes.txt: not a bundle (expected a folder, .zip or .tar.gz)\n")
EMPTY_ERROR = ("holds no files (expected one folder per DHCP server with its outputs, or the zips "
               "Collect-FailoverFacts.ps1 writes; see docs/bundle-format.md)")
CORRUPT_ERROR = "is not a readable zip archive (truncated or damaged?)"


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def zip_folder(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in sorted(source.rglob("*")):
            if item.is_file():
                archive.write(item, item.relative_to(source).as_posix())
    return target


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("customers")
    for name in FOLDERS:
        shutil.copytree(EXAMPLES / name, folder / name)
    zip_folder(EXAMPLES / ZIPPED, folder / f"{ZIPPED}.zip")
    (folder / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    (folder / "empty").mkdir()
    (folder / "notes.txt").write_text("call the customer back\n", encoding="utf-8")
    (folder / ".hidden").write_text("", encoding="utf-8")
    return folder


def expected_row(name: str) -> tuple:
    case = EXPECTED[name.removesuffix(".zip")]
    verdict = {0: "healthy", 1: "warning", 2: "critical"}[case["exit"]]
    return name, verdict, case["exit"], case["top"], case["severity"]


def test_rows_match_what_diagnose_finds_in_each_bundle(fleet_dir, capsys):
    code, out, err = run(capsys, "analyze", str(fleet_dir), "--format", "json", "--jobs", "1")
    report = json.loads(out)
    assert (code, err) == (2, WARNINGS)
    assert report["schema"] == "fodoc.fleet/1"
    rows = report["bundles"]
    assert [row["name"] for row in rows] == NAMES
    by_name = {row["name"]: row for row in rows}
    for name in FOLDERS + (f"{ZIPPED}.zip",):
        row = by_name[name]
        assert (row["name"], row["verdict"], row["exit_code"], row["top_cause"], row["severity"]) == \
            expected_row(name)
        assert row["error"] is None and row["relationship"] and row["server"] and 0 < row["confidence"] < 1
    assert by_name["corrupt.zip"] == fleet.unknown_row("corrupt.zip", CORRUPT_ERROR)
    assert by_name["empty"] == fleet.unknown_row("empty", EMPTY_ERROR)
    assert by_name["port_647_blocked.zip"]["server"] == "dhcp-b.contoso.com"
    assert by_name["port_647_blocked.zip"]["relationship"] == "dhcp-a-dhcp-b"
    assert report["summary"] == {
        "bundles": 7,
        "verdicts": {"critical": 2, "warning": 2, "healthy": 1, "unknown": 2},
        "top_causes": {"benign_outdated_binding": 1, "clock_skew": 1, "config_drift": 1, "intermittent_path": 1,
                       "port_647_blocked": 1},
        "exit_code": 2,
    }
    assert report["skipped"] == [{"name": ".hidden", "reason": "hidden"},
                                 {"name": "notes.txt", "reason": "not a bundle (expected a folder, .zip or .tar.gz)"}]
    assert str(fleet_dir) not in out  # no absolute path: the same folder reads the same anywhere


def test_jobs_1_and_jobs_2_give_byte_identical_json_and_csv_has_the_same_rows(fleet_dir, capsys, tmp_path):
    code1, out1, err1 = run(capsys, "analyze", str(fleet_dir), "--format", "json", "--jobs", "1")
    target = tmp_path / "fleet.json"
    code2, out2, err2 = run(capsys, "analyze", str(fleet_dir), "--format", "json", "--jobs", "2", "-o", str(target))
    assert (code1, err1) == (code2, err2) == (2, WARNINGS)
    assert out2 == ""
    assert target.read_text(encoding="utf-8") == out1
    assert [p.name for p in tmp_path.iterdir()] == ["fleet.json"]  # no temporary file left beside it

    code3, out3, _ = run(capsys, "analyze", str(fleet_dir), "--format", "csv", "--jobs", "2")
    assert code3 == 2
    parsed = list(csv.reader(io.StringIO(out3)))
    assert parsed[0] == list(fleet.ROW_FIELDS)
    as_text = [["" if row[f] is None else str(row[f]) for f in fleet.ROW_FIELDS] for row in json.loads(out1)["bundles"]]
    assert parsed[1:] == as_text
    assert len(out3.splitlines()) == 1 + len(NAMES)  # the CSV is rows only


def test_text_is_one_line_per_bundle_then_the_summary(fleet_dir, capsys):
    code, out, err = run(capsys, "analyze", str(fleet_dir), "--jobs", "1")
    lines = out.splitlines()
    assert (code, err) == (2, WARNINGS)
    assert lines[0].split() == ["BUNDLE", "VERDICT", "EXIT", "TOP", "CAUSE", "RELATIONSHIP", "SERVER", "CONFIDENCE"]
    assert [line.split()[0] for line in lines[1:8]] == NAMES
    assert lines[1].split() == ["clock_skew", "critical", "2", "clock_skew", "dhcp-a-dhcp-b", "dhcp-b.contoso.com",
                                "0.99"]
    assert lines[3].split(None, 7) == ["corrupt.zip", "unknown", "3", "-", "-", "-", "-", CORRUPT_ERROR]
    assert lines[8:] == ["",
                         "7 bundles: 2 critical, 2 warning, 1 healthy, 2 unknown; 2 entries skipped",
                         "top causes: benign_outdated_binding 1, clock_skew 1, config_drift 1, intermittent_path 1, "
                         "port_647_blocked 1",
                         "exit code: 2"]


def test_reports_dir_holds_each_bundles_diagnose_json(fleet_dir, capsys, tmp_path):
    reports = tmp_path / "reports" / "december"
    code, _, _ = run(capsys, "analyze", str(fleet_dir), "--format", "csv", "--jobs", "2", "--reports-dir", str(reports))
    assert code == 2
    readable = sorted(set(NAMES) - {"corrupt.zip", "empty"})
    assert sorted(p.name for p in reports.iterdir()) == [f"{name}.json" for name in readable]
    for name in readable:
        dcode, dout, derr = run(capsys, "diagnose", str(fleet_dir / name), "--format", "json")
        assert derr == ""
        assert (reports / f"{name}.json").read_text(encoding="utf-8") == dout, name
        assert dcode == json.loads(dout)["exit_code"]


def test_reports_dir_is_refused_in_the_folder_of_bundles_or_inside_a_bundle(fleet_dir, capsys):
    code, out, err = run(capsys, "analyze", str(fleet_dir), "--reports-dir", str(fleet_dir))
    assert (code, out) == (3, "")
    assert err.endswith("--reports-dir is in the folder of bundles; its reports would be taken for a bundle next "
                        "time: give them a folder outside it (--reports-dir)\n")
    for inside in ("-o", "--reports-dir"):
        target = fleet_dir / ("fleet.json" if inside == "-o" else "reports")
        code, out, err = run(capsys, "analyze", str(fleet_dir), inside, str(target))
        assert (code, out) == (3, "") and err.startswith(f"fodoc: error: {target}: {inside} is in the folder of bundles")
        assert not target.exists()
    code, out, err = run(capsys, "analyze", str(fleet_dir), "-o", str(fleet_dir / "healthy" / "fleet.txt"))
    assert (code, out) == (3, "")
    assert "refusing to write inside the bundle" in err
    assert not (fleet_dir / "healthy" / "fleet.txt").exists()


def test_exit_code_is_the_worst_readable_bundle_and_3_only_when_none_is(tmp_path, capsys):
    healthy = tmp_path / "healthy-only"
    healthy.mkdir()
    shutil.copytree(EXAMPLES / "healthy", healthy / "customer-a")
    (healthy / "customer-b.zip").write_bytes(b"not a zip")
    code, out, err = run(capsys, "analyze", str(healthy), "--jobs", "1", "--format", "json")
    assert (code, err) == (0, "")  # an unreadable bundle beside a healthy one: its row, not the exit code
    assert json.loads(out)["summary"]["verdicts"] == {"critical": 0, "warning": 0, "healthy": 1, "unknown": 1}

    unreadable = tmp_path / "unreadable-only"
    unreadable.mkdir()
    (unreadable / "a.zip").write_bytes(b"not a zip")
    (unreadable / "b").mkdir()
    code, out, err = run(capsys, "analyze", str(unreadable), "--jobs", "1", "--format", "csv")
    assert (code, err) == (3, "")
    assert [row[:3] for row in csv.reader(io.StringIO(out))][1:] == [["a.zip", "unknown", "3"], ["b", "unknown", "3"]]

    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "readme.txt").write_text("x", encoding="utf-8")
    code, out, err = run(capsys, "analyze", str(nothing))
    assert (code, out) == (3, "")
    assert err == ("fodoc: warning: skipped readme.txt: not a bundle (expected a folder, .zip or .tar.gz)\n"
                   f"fodoc: error: {nothing}: holds no bundle (expected one folder, .zip or .tar.gz per customer "
                   "bundle)\n")

    rows = [{"verdict": v, "exit_code": c} for v, c in (("warning", 1), ("unknown", 3), ("healthy", 0))]
    assert fleet.fleet_exit_code(rows) == 1
    assert fleet.fleet_exit_code([{"verdict": "unknown", "exit_code": 3}]) == 3


def test_an_unexpected_exception_is_that_bundles_row_not_a_traceback(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "customers"
    folder.mkdir()
    for name in ("clock_skew", "healthy"):
        shutil.copytree(EXAMPLES / name, folder / name)
    original = Analyzer.analyze

    def analyze(self, path, require_artifacts=False):
        if str(path[0]).endswith("clock_skew"):
            raise KeyError("boom\nsecond line")
        return original(self, path, require_artifacts)

    monkeypatch.setattr(Analyzer, "analyze", analyze)
    code, out, err = run(capsys, "analyze", str(folder), "--jobs", "1", "--format", "json")
    rows = json.loads(out)["bundles"]
    assert (code, err) == (0, "")
    assert rows[0] == fleet.unknown_row("clock_skew", "internal error (KeyError): 'boom\\nsecond line'")
    assert rows[1]["verdict"] == "healthy"


def test_help_says_it_does_not_merge_as_diagnose_does(capsys):
    code, out, _ = run(capsys, "analyze", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "is ONE bundle (one customer's pair), diagnosed on its own. This is not 'fodoc diagnose DIR'" in text
    assert "3 when no bundle could be read" in text
