"""The bundle-format guide's capture commands are real PowerShell with real cmdlets and parameters."""
from __future__ import annotations

import re
from pathlib import Path

from engine.parsers import recognise
from engine.pscheck import check_powershell

GUIDE = (Path(__file__).resolve().parent.parent / "docs" / "bundle-format.md").read_text(encoding="utf-8")
CAPTURE = re.search(r"```powershell\n(.*?)```", GUIDE, re.S).group(1)


def test_capture_commands_pass_the_checker():
    assert [str(problem) for problem in check_powershell(CAPTURE)] == []


def test_every_file_the_capture_writes_is_an_artifact_fodoc_recognises():
    written = re.findall(r'"\$d\\([^"]+)"', CAPTURE)
    assert "options-scope.json" in written and "bindings.json" in written
    for name in written:
        name = name.replace("$p", "dhcp-b.contoso.com")
        assert recognise(f"DHCP-A/{name}") is not None, name
