"""`fodoc diagnose` and `fodoc why` never write over their bundle, and write errors name the
user's path."""
from __future__ import annotations

import io
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from engine.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bundles"


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


def _zip(tmp_path: Path) -> Path:
    archive = tmp_path / "g2.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((EXAMPLES / "healthy").rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(EXAMPLES / "healthy"))
    return archive


def _tar(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(EXAMPLES / "healthy", arcname="healthy")
    target = tmp_path / "g3.tar.gz"
    target.write_bytes(buffer.getvalue())
    return target


@pytest.mark.parametrize("make, flag", [(_zip, "-o"), (_zip, "--script"), (_tar, "--script"), (_tar, "-o")])
def test_output_aimed_at_the_bundle_archive_is_refused_and_the_archive_untouched(make, flag, tmp_path, capsys):
    bundle = make(tmp_path)
    before = bundle.read_bytes()
    code, out, err = run(capsys, "diagnose", str(bundle), flag, str(bundle))
    assert (code, out) == (3, "")
    what = "the report (-o" if flag == "-o" else "the runbook script (--script"
    assert err == (f"fodoc: error: {bundle}: refusing to overwrite the bundle {bundle} with {what}; "
                   "bundles are never modified)\n")
    assert bundle.read_bytes() == before


def test_the_bundle_under_another_name_is_refused_too(tmp_path, capsys):
    bundle = _zip(tmp_path)
    hard_link = tmp_path / "same.zip"
    hard_link.hardlink_to(bundle)
    before = bundle.read_bytes()
    code, _, err = run(capsys, "diagnose", str(bundle), "-o", str(hard_link))
    assert code == 3 and "refusing to overwrite the bundle" in err
    code, _, err = run(capsys, "diagnose", str(bundle), "-o", f"{tmp_path}/./sub/../g2.zip")
    assert code == 3 and "refusing to overwrite the bundle" in err
    link = tmp_path / "link.zip"  # -o writes through a link, so a link to the bundle is the bundle
    link.symlink_to(bundle)
    code, _, err = run(capsys, "diagnose", str(bundle), "--script", str(link))
    assert code == 3 and "refusing to overwrite the bundle" in err
    assert bundle.read_bytes() == before


def test_report_and_script_into_one_file_is_refused(tmp_path, capsys):
    target = tmp_path / "out.txt"
    code, out, err = run(capsys, "diagnose", str(EXAMPLES / "clock_skew"), "-o", str(target), "--script", str(target))
    assert (code, out) == (3, "")
    assert err == f"fodoc: error: {target}: -o and --script name the same file; give each its own\n"
    assert not target.exists()


def test_why_refuses_a_report_over_the_bundle_it_keeps_before_collecting(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FODOC_PASSWORD", "unused")
    kept = tmp_path / "kept.zip"
    code, out, err = run(capsys, "why", "--server", "127.0.0.1", "--port", "1", "--user", "x",
                         "--keep-bundle", str(kept), "-o", str(kept))
    assert (code, out) == (3, "")
    assert err == (f"fodoc: error: {kept}: refusing to overwrite the bundle {kept} with the report "
                   "(-o; bundles are never modified)\n")
    assert list(tmp_path.iterdir()) == []


def test_why_refuses_a_report_inside_the_folder_it_is_about_to_keep(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FODOC_PASSWORD", "unused")
    kept = tmp_path / "kept"
    code, _, err = run(capsys, "why", "--server", "127.0.0.1", "--port", "1", "--user", "x",
                       "--keep-bundle", str(kept), "--script", str(kept / "fix.ps1"))
    assert code == 3
    assert err == (f"fodoc: error: {kept / 'fix.ps1'}: refusing to write inside the bundle {kept}: --script "
                   "names a file in it (bundles are never modified)\n")
    assert list(tmp_path.iterdir()) == []


def test_a_full_device_names_the_users_path(capsys):
    code, out, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"), "-o", "/dev/full")
    assert (code, out, err) == (3, "", "fodoc: error: /dev/full: No space left on device\n")


def test_a_refused_temporary_file_names_the_users_path_not_the_temporary_one(tmp_path, capsys, monkeypatch):
    real_open = os.open

    def refused(name, flags, mode=0o777):
        if str(name).endswith(".tmp"):  # what /sys/kernel answers
            raise PermissionError(13, "Permission denied", name)
        return real_open(name, flags, mode)
    monkeypatch.setattr("engine.fileio.os.open", refused)
    target = tmp_path / "foo.txt"
    code, out, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"), "-o", str(target))
    assert (code, out, err) == (3, "", f"fodoc: error: {target}: Permission denied\n")


def test_a_folder_bundle_still_takes_a_report_beside_it(tmp_path, capsys):
    bundle = tmp_path / "b"
    shutil.copytree(EXAMPLES / "healthy", bundle)
    code, _, err = run(capsys, "diagnose", str(bundle), "-o", str(tmp_path / "b.txt"))
    assert (code, err) == (0, "")
    assert "healthy" in (tmp_path / "b.txt").read_text(encoding="utf-8").lower()


@pytest.mark.parametrize("option", ["-o", "--script"])
def test_an_output_that_cannot_be_written_is_one_line_before_any_report(tmp_path, capsys, option):
    """The write used to fail after the report was printed, so the admin read a full report whose
    exit code (3) was the write's, not the diagnosis's."""
    target = tmp_path / "no such folder" / "out.txt"
    with pytest.raises(SystemExit) as info:
        main(["diagnose", str(EXAMPLES / "port_647_blocked"), option, str(target)])
    captured = capsys.readouterr()
    assert (info.value.code, captured.out) == (3, "")
    assert captured.err == f"fodoc: error: {target}: {option}: the folder {target.parent} does not exist\n"
