"""A bad $FODOC_RULES_DIR or $FODOC_SITE_CONFIG is blamed on the variable, not on a flag the
user never passed."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "bundles"


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    captured = capsys.readouterr()
    return info.value.code, captured.out, captured.err


@pytest.mark.parametrize("command", [("diagnose", str(EXAMPLES / "healthy")), ("rules", "lint"),
                                     ("eval", "--scenarios", "1")])
def test_a_missing_rules_folder_from_the_environment_names_the_variable(command, tmp_path, capsys, monkeypatch):
    missing = tmp_path / "nonexist"
    monkeypatch.setenv("FODOC_RULES_DIR", str(missing))
    code, out, err = run(capsys, *command)
    assert (code, out) == (3, "")
    assert err == f"fodoc: error: $FODOC_RULES_DIR names the site rules folder '{missing}', which does not exist\n"


def test_a_file_in_the_rules_path_names_the_variable(tmp_path, capsys, monkeypatch):
    afile = tmp_path / "rules.yaml"
    afile.write_text("[]\n", encoding="utf-8")
    monkeypatch.setenv("FODOC_RULES_DIR", f"{tmp_path}:{afile}")
    code, _, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"))
    assert code == 3
    assert err == f"fodoc: error: $FODOC_RULES_DIR names '{afile}', which is a file; expected a site rules folder\n"


def test_a_missing_site_config_from_the_environment_names_the_variable(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "site.yaml"
    monkeypatch.setenv("FODOC_SITE_CONFIG", str(missing))
    code, out, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"))
    assert (code, out) == (3, "")
    assert err == f"fodoc: error: $FODOC_SITE_CONFIG names the site config '{missing}', which does not exist\n"


def test_the_flag_still_wins_over_the_environment_and_is_blamed_by_its_name(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FODOC_RULES_DIR", str(tmp_path / "nonexist"))
    code, _, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"), "--rules-dir", str(tmp_path / "other"))
    assert code == 3
    assert "Invalid value for '--rules-dir'" in err and "other" in err and "FODOC_RULES_DIR" not in err


def test_a_rules_folder_from_the_environment_is_read(tmp_path, capsys, monkeypatch):
    (tmp_path / "site.yaml").write_text("cause: clock_skew\n", encoding="utf-8")
    monkeypatch.setenv("FODOC_RULES_DIR", str(tmp_path))
    code, out, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"))
    assert (code, out) == (3, "")
    assert err.startswith(f"fodoc: error: {tmp_path / 'site.yaml'}:")


SITE_RULES = Path(__file__).resolve().parents[2] / "examples" / "site-rules"


@pytest.mark.parametrize("wrong, message", [
    ("-SampleInterval 10 -MaxSamples 3", "step update-counters: Get-Counter: unknown parameter -SampleIntervall (did you "
                                         "mean -SampleInterval?)"),
    ("Get-Counter -Counter", "step update-counters: unknown cmdlet 'Get-Countr'"),
])
def test_diagnose_refuses_a_site_runbook_with_a_command_that_does_not_exist(tmp_path, capsys, wrong, message):
    """What `fodoc rules lint` reports about a site runbook's PowerShell stops `diagnose` too:
    otherwise the made-up command is printed as the fix and written by --script."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(SITE_RULES, site)
    runbook = site / "runbooks" / "bndupd_queue_full.yaml"
    text = runbook.read_text(encoding="utf-8")
    broken = wrong.replace("SampleInterval", "SampleIntervall") if "Sample" in wrong else "Get-Countr -Counter"
    assert wrong in text
    runbook.write_text(text.replace(wrong, broken, 1), encoding="utf-8")
    line = next(n for n, row in enumerate(runbook.read_text(encoding="utf-8").splitlines(), 1) if broken in row)
    script = tmp_path / "fix.ps1"
    code, out, err = run(capsys, "diagnose", str(EXAMPLES / "healthy"), "--rules-dir", str(site),
                         "--script", str(script))
    assert (code, out) == (3, "")
    assert err.startswith(f"fodoc: error: {runbook}:{line}: {message}")
    assert err.endswith("(fodoc rules lint lists them all)\n") and err.count("\n") == 1
    assert not script.exists()
