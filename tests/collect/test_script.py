"""The probe catalog and the collector script generated from it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.collect.probes import layout, load_probes
from engine.collect.script import generate_script
from engine.pscheck import check_powershell

from .conftest import run

DOC = Path(__file__).resolve().parents[2] / "docs" / "bundle-format.md"


def documented_artifacts() -> set[str]:
    """The per-server file stems listed in the layout block of docs/bundle-format.md."""
    block = DOC.read_text(encoding="utf-8").split("```", 2)[1]
    stems = set()
    for line in block.splitlines():
        match = re.match(r"^  ([a-z0-9<>-]+)\.(json|txt)", line)
        if match:
            stems.add(match.group(1))
    return stems


def test_catalog_covers_every_artifact_of_the_bundle_format():
    stems = {re.sub(r"\{partner\}", "<target>", p.file.rsplit(".", 1)[0]) for p in load_probes()}
    documented = documented_artifacts()
    # the doc names the target and port generically; events are one entry for all logs
    documented = {d.replace("<name>", "<target>").replace("<port>", "647") for d in documented}
    events = {s for s in stems if s.startswith("events-")}
    assert stems - events == documented - {"events-<log>"}
    assert {e.removeprefix("events-") for e in events} == {
        "DhcpAdminEvents", "Microsoft-Windows-Dhcp-Server-Operational", "System",
        "Microsoft-Windows-Time-Service-Operational"}


@pytest.mark.parametrize("probe", load_probes(), ids=lambda p: p.artifact)
def test_every_probe_uses_only_catalogued_commands(probe):
    script = probe.script if probe.runs == "server" else f"$Partner = 'dhcp-b.contoso.com'\n{probe.script}"
    assert check_powershell(script) == []


def test_event_probes_keep_insertion_strings():
    for probe in load_probes():
        if probe.artifact.startswith("events-"):
            assert "ConvertTo-Json -Depth 3" in probe.script


def test_layout_names_the_partner_in_partner_probes():
    assert "tnc-dhcp-b.contoso.com-647.json" in layout("dhcp-b.contoso.com")
    assert "w32tm-stripchart-dhcp-b.contoso.com.txt" in layout("dhcp-b.contoso.com")
    assert not any("dhcp-b" in name for name in layout(None))


def test_generated_script_parses_and_uses_only_catalogued_commands():
    assert check_powershell(generate_script()) == []


def test_generated_script_saves_every_artifact_of_the_layout_inside_its_own_try():
    script = generate_script()
    saved = re.findall(r'Save-Artifact -Name "([^"]+)"', script)
    assert sorted(name.replace("$($Partner)", "P") for name in saved) == layout("P")
    for block in script.split("# --- ")[1:]:
        assert "try {" in block and "} catch {" in block and "Add-CollectorError" in block


def test_script_runs_on_51_and_7_and_zips_the_bundle():
    script = generate_script()
    for seven_only in (" ?? ", "?.", " && ", " || ", "-Parallel", "-AsHashtable", "-EnumsAsStrings"):
        assert seven_only not in script, seven_only  # PowerShell 7 only: Windows PowerShell 5.1 fails
    assert "Compress-Archive -Path $OutputPath" in script
    assert "'failover-bundle/1'" in script


def test_collector_script_command_writes_the_file(tmp_path, capsys):
    target = tmp_path / "Collect-FailoverFacts.ps1"
    code, out, err = run(capsys, "collector-script", "--output", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8") == generate_script()
    assert err.strip() == f"fodoc: wrote {target}"
    code, out, _ = run(capsys, "collector-script")
    assert out == generate_script()


def test_a_relative_output_path_is_made_absolute_before_any_file_is_written():
    """[System.IO.File]::WriteAllText resolves a relative path against the process's folder
    (System32 under Windows PowerShell 5.1), not the current location: `-OutputPath .\\bundle`
    must be resolved the way PowerShell resolves it before the first use."""
    lines = generate_script().splitlines()
    resolved = lines.index("$OutputPath = $ExecutionContext.SessionState.Path."
                           "GetUnresolvedProviderPathFromPSPath($OutputPath)")
    first_use = next(n for n, line in enumerate(lines) if "-Path $OutputPath" in line)
    assert resolved < first_use
