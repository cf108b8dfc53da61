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
