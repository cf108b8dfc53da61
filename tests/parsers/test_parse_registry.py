"""recognise / parser_for / parse_artifact: which file is which artifact, and who reads it."""
from __future__ import annotations

import pytest

import engine.parsers as registry
from engine.errors import ArtifactError
from engine.parsers import Artifact, Problems, parse_artifact, parser_for, recognise


def found(server=None, family=None, fmt=None, target=None, port=None, log=None) -> dict:
    return {"server": server, "family": family, "fmt": fmt, "target": target, "port": port, "log": log}


@pytest.mark.parametrize("path, expected", [
    ("dhcp-a/tnc-dhcp-b.contoso.com-647.json",
     found("dhcp-a", "tnc", "json", target="dhcp-b.contoso.com", port=647)),
    ("dhcp-a/tnc-10.0.0.2-647.json", found("dhcp-a", "tnc", "json", target="10.0.0.2", port=647)),
    ("dhcp-a/TNC-DHCP-B-135.TXT", found("dhcp-a", "tnc", "txt", target="DHCP-B", port=135)),
    ("dhcp-a/tnc-dhcp-b.contoso.com.json", found("dhcp-a", "tnc", "json", target="dhcp-b.contoso.com")),
    ("dhcp-a/tnc-dhcp-b-99999.json", found("dhcp-a", "tnc", "json", target="dhcp-b-99999")),
    ("DHCP-B/events-Microsoft-Windows-Dhcp-Server-Operational.xml",
     found("DHCP-B", "events", "xml", log="Microsoft-Windows-Dhcp-Server/Operational")),
    ("dhcp-a/events-dhcpadminevents.json", found("dhcp-a", "events", "json", log="DhcpAdminEvents")),
    ("dhcp-a/events-SYSTEM.csv", found("dhcp-a", "events", "csv", log="System")),
    ("dhcp-a/events-Microsoft-Windows-Time-Service-Operational.evtx",
     found("dhcp-a", "events", "evtx", log="Microsoft-Windows-Time-Service/Operational")),
    ("dhcp-a/events-Microsoft-Windows-Dhcp-Server%4FilterNotifications.evtx",
     found("dhcp-a", "events", "evtx", log="Microsoft-Windows-Dhcp-Server/FilterNotifications")),
    ("dhcp-a/events-Application.json", found("dhcp-a", "events", "json", log="Application")),
    ("dhcp-a.contoso.com/w32tm-stripchart-dhcp-b.contoso.com.txt",
     found("dhcp-a.contoso.com", "w32tm-stripchart", "txt", target="dhcp-b.contoso.com")),
    ("dhcp-a/w32tm-stripchart-10.0.0.2.txt", found("dhcp-a", "w32tm-stripchart", "txt", target="10.0.0.2")),
    ("dhcp-a/W32TM-Status.txt", found("dhcp-a", "w32tm-status", "txt")),
    ("dhcp-a/dns-dhcp-b.contoso.com.json", found("dhcp-a", "dns", "json", target="dhcp-b.contoso.com")),
    ("dhcp-a/scope-stats.json", found("dhcp-a", "scope-stats", "json")),
    ("dhcp-a/scopes.txt", found("dhcp-a", "scopes", "txt")),
    ("dhcp-a/Options-Scope.json", found("dhcp-a", "options-scope", "json")),
    ("dhcp-a/options-server.txt", found("dhcp-a", "options-server", "txt")),
    ("dhcp-a/dhcp-settings.json", found("dhcp-a", "dhcp-settings", "json")),
    ("dhcp-a/ipaddresses.txt", found("dhcp-a", "ipaddresses", "txt")),
    ("dhcp-a/Failover.JSON", found("dhcp-a", "failover", "json")),
    ("./dhcp-a/services.txt", found("dhcp-a", "services", "txt")),
    ("dhcp-a/computer.json", found("dhcp-a", "computer", "json")),
    ("dhcp-a/firewall.txt", found("dhcp-a", "firewall", "txt")),
    ("failover.txt", found(None, "failover", "txt")),
])
def test_recognise(path, expected):
    assert recognise(path) == expected


@pytest.mark.parametrize("path", [
    "manifest.json", "README.md", "dhcp-a/README.txt", "dhcp-a/failover.json.bak", "dhcp-a/failover",
    "dhcp-a/tnc-.json", "dhcp-a/notes.txt", "dhcp-a/", "", "__MACOSX/dhcp-a/failover.json",
    "dhcp-a/.failover.json", "dhcp-a/events.json", "dhcp-a/computer.yaml",
])
def test_recognise_rejects_files_that_are_not_artifacts(path):
    assert recognise(path) is None


@pytest.mark.parametrize("family, fmt", [
    ("failover", "json"), ("failover", "txt"), ("tnc", "json"), ("tnc", "txt"), ("w32tm-status", "txt"),
    ("w32tm-stripchart", "txt"), ("services", "json"), ("services", "txt"), ("computer", "json"),
    ("firewall", "json"), ("firewall", "txt"), ("dns", "json"), ("dns", "txt"), ("events", "json"),
    ("events", "xml"), ("events", "XML"), ("scopes", "json"), ("scopes", "txt"), ("options-server", "json"),
    ("options-scope", "txt"), ("reservations", "json"), ("exclusions", "txt"), ("dhcp-settings", "json"),
    ("ipaddresses", "txt"), ("bindings", "json"), ("events", "csv"), ("events", "evtx"),
])
def test_parser_for_supported(family, fmt):
    assert callable(parser_for(family, fmt))


@pytest.mark.parametrize("family, fmt", [
    ("scopes", "xml"), ("services", "xml"), ("w32tm-status", "json"),
    ("computer", "txt"), ("nonsense", "json"),
])
def test_parser_for_unsupported(family, fmt):
    assert parser_for(family, fmt) is None


def test_parse_artifact_names_the_readable_formats_of_an_unsupported_one():
    artifact = Artifact(path="dhcp-a/w32tm-status.json", server="dhcp-a", family="w32tm-status", fmt="json")
    with pytest.raises(ArtifactError) as caught:
        parse_artifact(artifact, Problems())
    assert str(caught.value) == ("dhcp-a/w32tm-status.json: is a w32tm-status artifact in .json form, which fodoc "
                                 "cannot read; expected .txt")


def test_parse_artifact_says_when_no_reader_exists():
    """A family the bundle format names but no parser reads yet (every shipped family has one
    today, so this one is made up) gets its own wording rather than an empty list of forms."""
    artifact = Artifact(path="dhcp-a/policies.json", server="dhcp-a", family="policies", fmt="json")
    with pytest.raises(ArtifactError, match=r"^dhcp-a/policies.json: is a policies artifact in .json form, which "
                                            r"fodoc cannot read; no reader exists yet$"):
        parse_artifact(artifact, Problems())


def test_a_parser_slip_becomes_one_artifact_error(monkeypatch):
    def slip(artifact, problems):
        return {}["missing"]

    monkeypatch.setitem(registry._PARSERS, ("scopes", "json"), slip)
    artifact = Artifact(path="dhcp-a/scopes.json", server="dhcp-a", family="scopes", fmt="json")
    with pytest.raises(ArtifactError) as caught:
        parse_artifact(artifact, Problems())
    assert str(caught.value) == ("dhcp-a/scopes.json: could not be read as a scopes .json artifact "
                                 "(KeyError: 'missing')")


def test_invalid_utf8_is_reported_not_decoded(parse_bytes):
    with pytest.raises(ArtifactError) as caught:
        parse_bytes(b"Name : dhcp-a-dhcp-b\nState : Normal\nPartnerServer : dhcp-\xe9-b\n", "dhcp-a/failover.txt")
    assert str(caught.value) == ("dhcp-a/failover.txt: is not valid UTF-8 (byte 57); expected UTF-8 or UTF-16 "
                                 "with a byte-order mark")


def test_broken_utf16_is_reported(parse_bytes):
    with pytest.raises(ArtifactError, match=r"^dhcp-a/tnc-dhcp-b-647.txt: starts with a utf-16-le byte-order "
                                            r"mark but is not valid utf-16-le"):
        parse_bytes(b"\xff\xfe" + "TcpTestSucceeded : True".encode("utf-16-le") + b"\x00\xd8",
                    "dhcp-a/tnc-dhcp-b-647.txt")
