"""The cmdlet catalog: the shipped commands, and a site's cmdlets.yaml merged into them."""
from __future__ import annotations

import pytest

from engine.cmdletcatalog import CmdletCatalogError, catalog_with, shipped_catalog, site_catalog_files
from engine.pscheck import check_powershell


def test_a_site_file_adds_commands_and_parameters_and_keeps_the_shipped_ones(tmp_path):
    path = tmp_path / "cmdlets.yaml"
    path.write_text("cmdlets:\n  Get-ContosoLease: {valued: [ComputerName, ScopeId], switches: [All]}\n"
                    "  Get-Date: {switches: [AsUTC]}\n"
                    "natives:\n  dhcpdiag: {switches: [/verbose], valued: [/server]}\n", encoding="utf-8")
    catalog = catalog_with(site_catalog_files([tmp_path, tmp_path / "missing"]))
    assert catalog.sources == ("engine/data/cmdlets.yaml", str(path))
    assert catalog.cmdlets["get-date"].names[-1] == "AsUTC" and "format" in catalog.cmdlets["get-date"].valued
    source = "Get-ContosoLease -ComputerName 'a' -All\nGet-Date -AsUTC\ndhcpdiag /verbose /server:a"
    assert check_powershell(source, catalog) == []
    assert len(check_powershell(source)) == 3  # the shipped catalog alone does not know them
    assert "get-contosolease" not in shipped_catalog().cmdlets


def test_an_empty_site_file_changes_nothing(tmp_path):
    (tmp_path / "cmdlets.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert catalog_with([tmp_path / "cmdlets.yaml"]) == shipped_catalog()


@pytest.mark.parametrize("text,message", [
    ("natives:\n  w32tm: {valued: [syncfromflags]}\n",
     ":2: natives.w32tm.valued: 'syncfromflags' is not an option name such as /query"),
    ("natives:\n  contoso-probe: {}\n",
     ":2: natives.contoso-probe: 'contoso-probe' is written like a cmdlet (Verb-Noun); list it under 'cmdlets'"),
    ("cmdlets: [Get-Thing]\n", ":1: cmdlets: must map each command's name to {valued: [...], switches: [...]}"),
    ("cmdlets:\n  Get-Thing: {values: [Name]}\n",
     ":2: cmdlets.Get-Thing.values: unknown key 'values': expected valued (parameters that take a value) and "
     "switches"),
])
def test_a_bad_site_file_is_one_error_naming_file_and_line(tmp_path, text, message):
    path = tmp_path / "cmdlets.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CmdletCatalogError) as info:
        catalog_with([path])
    assert str(info.value) == f"{path}{message}"
