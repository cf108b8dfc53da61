"""Recognising artifacts by content and placing loose files on their server (engine/sniff.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.sniff import head_text, place_files, sniff

EXAMPLE = Path(__file__).parent.parent / "examples" / "bundles" / "port_647_blocked"
FIXTURES = Path(__file__).parent / "parsers" / "fixtures"
EXAMPLES = Path(__file__).parent.parent / "examples" / "bundles"
LOOSE = Path(__file__).parent / "loose_folders"


@pytest.mark.parametrize("path, family, fmt, names, target", [
    ("DHCP-A/computer.json", "computer", "json", ["dhcp-a.contoso.com", "DHCP-A", "10.0.0.1"], None),
    ("DHCP-A/failover.json", "failover", "json", ["dhcp-a.contoso.com", "10.0.0.1"], "dhcp-b.contoso.com"),
    ("DHCP-B/failover.txt", "failover", "txt", ["dhcp-b.contoso.com", "10.0.0.2"], "10.0.0.1"),
    ("DHCP-A/events-DhcpAdminEvents.json", "events", "json", ["dhcp-a.contoso.com"], None),
    ("DHCP-B/events-System.xml", "events", "xml", ["dhcp-b.contoso.com"], None),
    ("DHCP-A/tnc-dhcp-b.contoso.com-647.txt", "tnc", "txt", ["10.0.0.1"], "dhcp-b.contoso.com"),
    ("DHCP-A/w32tm-status.txt", "w32tm-status", "txt", [], None),
    ("DHCP-A/w32tm-stripchart-dhcp-b.contoso.com.txt", "w32tm-stripchart", "txt", [], "dhcp-b.contoso.com"),
    ("DHCP-A/services.txt", "services", "txt", [], None),
    ("DHCP-A/firewall.txt", "firewall", "txt", [], None),
    ("DHCP-A/dns-dhcp-b.contoso.com.txt", "dns", "txt", [], "dhcp-b.contoso.com"),
    ("DHCP-B/dns-dhcp-a.contoso.com.json", "dns", "json", [], "dhcp-a.contoso.com"),
])
def test_every_artifact_is_recognised_by_its_content(path, family, fmt, names, target):
    found = sniff((EXAMPLE / path).read_bytes())
    assert (found.family, found.fmt, found.names, found.target) == (family, fmt, names, target)


@pytest.mark.parametrize("fixture, family, fmt, names, log, port", [
    ("evtx/system-3chunks.evtx", "events", "evtx", ["WIN-P4SIAA0SQCO"], "System", None),
    ("events/admin-en-us.csv", "events", "csv", [], None, None),
    ("events/admin-de-de.csv", "events", "csv", [], None, None),
    ("tnc/ok-51.json", "tnc", "json", ["10.0.0.1"], None, 647),
    ("w32tm/status-de-de-oem850.txt", "w32tm-status", "txt", [], None, None),
    ("w32tm/status-fr-fr.txt", "w32tm-status", "txt", [], None, None),
    ("services/ps51.json", "services", "json", [], None, None),
    ("failover/ps51.json", "failover", "json", ["dhcp-a.contoso.com", "10.0.0.1"], None, None),
    ("failover/ps7.json", "failover", "json", ["dhcp-b.contoso.com", "10.0.0.2"], None, None),
    ("failover/api-ints.json", "failover", "json", [], None, None),
    ("failover/table.txt", "failover", "txt", [], None, None),
    ("failover/list.txt", "failover", "txt", [], None, None),  # ServerType 1, but no names to go with it
])
def test_other_forms(fixture, family, fmt, names, log, port):
    found = sniff((FIXTURES / fixture).read_bytes())
    assert (found.family, found.fmt, found.names, found.log, found.port) == (family, fmt, names, log, port)


CONFIG = Path(__file__).parent.parent / "examples" / "bundles" / "config_drift"


@pytest.mark.parametrize("path, family, fmt", [
    (side + name, family, fmt)
    for side, ext in (("dhcp-a.contoso.com/", "json"), ("dhcp-b.contoso.com/", "txt"))
    for name, family, fmt in (
        (f"scopes.{ext}", "scopes", ext), (f"options-scope.{ext}", "options-scope", ext),
        (f"options-server.{ext}", "options-server", ext), (f"reservations.{ext}", "reservations", ext),
        (f"exclusions.{ext}", "exclusions", ext), (f"dhcp-settings.{ext}", "dhcp-settings", ext),
        (f"ipaddresses.{ext}", "ipaddresses", ext), (f"bindings.{ext}", "bindings", ext))
])
def test_configuration_outputs_are_recognised_by_their_content(path, family, fmt):
    found = sniff((CONFIG / path).read_bytes())
    assert (found.family, found.fmt) == (family, fmt)


@pytest.mark.parametrize("fixture, fmt", [("scope-stats/ps51.json", "json"), ("scope-stats/ps7.json", "json"),
                                          ("scope-stats/list.txt", "txt")])
def test_scope_statistics_are_not_taken_for_scopes(fixture, fmt):
    found = sniff((FIXTURES / fixture).read_bytes())
    assert (found.family, found.fmt) == ("scope-stats", fmt)


@pytest.mark.parametrize("data", [b"", b"Name,Price\r\nwidget,3\r\n", b"hello\n", b"<html><body/></html>",
                                  b'{"just": "json"}', b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_what_is_no_artifact_is_not_recognised(data):
    assert sniff(data) is None


def test_head_text_reads_every_windows_encoding():
    assert head_text("Quelle: x".encode("utf-16")) == "Quelle: x"
    assert head_text(b"\xef\xbb\xbfSource: x") == "Source: x"
    assert head_text("Präzision: -23".encode("cp850")) == "Präzision: -23"


def files(*paths: str) -> dict[str, bytes]:
    return {Path(p).name.replace("-", "_"): (EXAMPLE / p).read_bytes() for p in paths}


def placed(placements):
    return {p.path: (p.server, p.how.split("; ", 1)[-1]) for p in placements}


def test_files_are_placed_by_what_they_name_or_test():
    result = placed(place_files({
        "a.json": (EXAMPLE / "DHCP-A/computer.json").read_bytes(),
        "b.json": (EXAMPLE / "DHCP-B/computer.json").read_bytes(),
        "tnc from a.txt": (EXAMPLE / "DHCP-A/tnc-dhcp-b.contoso.com-647.txt").read_bytes(),
        "strip.txt": (EXAMPLE / "DHCP-B/w32tm-stripchart-dhcp-a.contoso.com.txt").read_bytes(),
        "time DHCP-B.txt": (EXAMPLE / "DHCP-B/w32tm-status.txt").read_bytes(),
        "time.txt": (EXAMPLE / "DHCP-A/w32tm-status.txt").read_bytes(),
        "notes.csv": b"a,b\n1,2\n",
    }))
    assert result == {
        "a.json": ("dhcp-a.contoso.com", "on dhcp-a.contoso.com, which its content names"),
        "b.json": ("dhcp-b.contoso.com", "on dhcp-b.contoso.com, which its content names"),
        "tnc from a.txt": ("dhcp-a.contoso.com", "on dhcp-a.contoso.com, which its content names"),
        "strip.txt": ("dhcp-b.contoso.com", "on dhcp-b.contoso.com, as it tests the partner dhcp-a.contoso.com"),
        "time DHCP-B.txt": ("dhcp-b.contoso.com", "on dhcp-b.contoso.com, named in the file name"),
        "time.txt": (None, "not placed: its content names no server and 2 servers are in the folder; put it in a "
                           "folder named after its server"),
        "notes.csv": (None, "its content is no artifact fodoc knows"),
    }


def test_one_server_takes_every_file_that_names_none():
    result = placed(place_files(files("DHCP-A/events-DhcpAdminEvents.json", "DHCP-A/services.txt")))
    assert result["services.txt"] == ("dhcp-a.contoso.com", "on dhcp-a.contoso.com, the only server in the folder")


def test_a_short_name_and_its_fqdn_are_one_server():
    xml = (EXAMPLE / "DHCP-B/events-System.xml").read_bytes()
    short = xml.replace(b"dhcp-b.contoso.com", b"DHCP-B")
    result = placed(place_files({"x.xml": xml, "y.xml": short}))
    assert {server for server, _ in result.values()} == {"dhcp-b.contoso.com"}


def test_a_loose_file_joins_the_server_folder_of_the_machine_it_names():
    result = place_files({"extra.json": (EXAMPLE / "DHCP-A/events-System.json").read_bytes()},
                         folders=["dhcp-a.contoso.com", "DHCP-B"])
    assert [(p.server, p.recognised()["family"], p.recognised()["log"]) for p in result] == [
        ("dhcp-a.contoso.com", "events", "System")]


def folder(path: Path) -> dict[str, bytes]:
    return {item.name: item.read_bytes() for item in sorted(path.iterdir())}


def test_a_loose_clock_skew_folder_puts_each_output_on_the_server_it_came_from():
    # Both failover outputs name only their partner (dhcp-a's by name, dhcp-b's by address), and
    # dhcp-b's stripchart tracks dhcp-a by its short name: each goes on the other server.
    result = placed(place_files(folder(LOOSE / "clock_skew")))
    assert result == {
        "fo1.txt": ("dhcp-a.contoso.com", "on dhcp-a.contoso.com, as its PartnerServer is dhcp-b.contoso.com"),
        "fo2.txt": ("dhcp-b.contoso.com", "on dhcp-b.contoso.com, as its PartnerServer is dhcp-a.contoso.com"),
        "info (1).json": ("dhcp-a.contoso.com", "on dhcp-a.contoso.com, which its content names"),
        "info (2).json": ("dhcp-b.contoso.com", "on dhcp-b.contoso.com, which its content names"),
        "sync1.txt": ("dhcp-a.contoso.com", "on dhcp-a.contoso.com, as it tests the partner dhcp-b.contoso.com"),
        "sync2.txt": ("dhcp-b.contoso.com", "on dhcp-b.contoso.com, as it tests the partner dhcp-a.contoso.com"),
    }


def test_a_stripchart_of_a_partner_alias_is_placed_by_the_address_it_tracks():
    files = folder(LOOSE / "clock_skew")
    files["sync2.txt"] = files["sync2.txt"].replace(b"Tracking dhcp-a [", b"Tracking time.contoso.com [")
    assert sniff(files["sync2.txt"]).target_aliases == ["10.0.0.1"]
    assert placed(place_files(files))["sync2.txt"] == (
        "dhcp-b.contoso.com", "on dhcp-b.contoso.com, as it tests the partner dhcp-a.contoso.com")


def test_an_output_about_the_only_server_is_not_placed_on_it():
    # Only dhcp-a's computer.json came: dhcp-b's stripchart (tracking dhcp-a) and failover output
    # (PartnerServer 10.0.0.1) are about dhcp-a, so they cannot be dhcp-a's own outputs.
    files = folder(LOOSE / "clock_skew")
    del files["info (2).json"]
    result = placed(place_files(files))
    why = ("not placed: it is about dhcp-a.contoso.com, so it comes from dhcp-a.contoso.com's partner, which "
           "no file in the folder names; put it in a folder named after its server")
    assert (result["sync2.txt"], result["fo2.txt"]) == ((None, why), (None, why))
    assert result["sync1.txt"] == ("dhcp-a.contoso.com", "on dhcp-a.contoso.com, the only server in the folder")


def test_a_file_name_that_names_the_tested_partner_does_not_place_it_there():
    # The stripchart tracks dhcp-a by a name and an address no file has (another DNS suffix, a
    # second interface), so only the file name is left: it names the tracked partner, which is
    # the one server the stripchart cannot have been taken on.
    files = folder(LOOSE / "clock_skew")
    files["w32tm dhcp-a.txt"] = files.pop("sync2.txt").replace(b"Tracking dhcp-a [10.0.0.1:123]",
                                                               b"Tracking dhcp-a.corp.contoso.com [10.9.9.9:123]")
    assert placed(place_files(files))["w32tm dhcp-a.txt"] == (
        None, "not placed: its content names no server and 2 servers are in the folder; put it in a folder "
              "named after its server")


def test_an_output_that_names_its_partner_as_two_servers_is_not_placed():
    files = folder(LOOSE / "clock_skew")
    files["sync2.txt"] = files["sync2.txt"].replace(b"Tracking dhcp-a [10.0.0.1:123]",
                                                    b"Tracking dhcp-a [10.0.0.2:123]")
    assert placed(place_files(files))["sync2.txt"] == (
        None, "not placed: it names its partner by names of two servers (dhcp-a.contoso.com, dhcp-b.contoso.com); "
              "put it in a folder named after its server")


def test_an_output_that_tests_its_own_server_is_not_placed():
    # A Test-NetConnection whose SourceAddress (10.0.0.1) is dhcp-a's and whose ComputerName and
    # RemoteAddress are dhcp-a's too contradicts itself: it is reported, not put on dhcp-a.
    files = folder(LOOSE / "clock_skew")
    tnc = (EXAMPLE / "DHCP-A/tnc-dhcp-b.contoso.com-647.txt").read_bytes()
    files["port.txt"] = tnc.replace(b"dhcp-b.contoso.com", b"dhcp-a.contoso.com").replace(b"10.0.0.2", b"10.0.0.1")
    assert placed(place_files(files))["port.txt"] == (
        None, "not placed: it names dhcp-a.contoso.com both as its own server and as the partner it is about")


def test_a_lone_carriage_return_on_the_first_line_is_no_artifact_and_no_crash():
    """A PDF (lines ending in a lone \\r) once reached the csv module's header check unsplit."""
    assert sniff(b"%PDF-1.4\r%\xe2\r1 0 obj\r") is None
    assert head_text(b"Leap Indicator: 0\rStratum: 3\r\n") == "Leap Indicator: 0\nStratum: 3\n"
    found = sniff(b"Level,Date and Time,Source,Event ID,Task Category\rInformation,11/30/2026 9:58:00 AM,x,1,None,m\r")
    assert (found.family, found.fmt) == ("events", "csv")


def test_a_file_whose_sniffing_raises_is_one_placement_and_the_others_are_placed(monkeypatch):
    import engine.sniff as sniffing
    real = sniffing.sniff

    def sniff_or_fail(data):
        if data == b"boom":
            raise LookupError("no such codec")
        return real(data)
    monkeypatch.setattr(sniffing, "sniff", sniff_or_fail)
    computer = (EXAMPLES / "port_647_blocked" / "DHCP-B" / "computer.json").read_bytes()
    placements = {p.path: p for p in place_files({"odd.bin": b"boom", "info.json": computer})}
    assert placements["odd.bin"].failed and placements["odd.bin"].server is None
    assert placements["odd.bin"].how == ("could not be recognised by content: unexpected LookupError (no such codec); "
                                         "the file was left out (please report this with the file)")
    assert placements["info.json"].server is not None
