"""Test-NetConnection -Port 647 → tcp_probe."""
from __future__ import annotations

import pytest

from engine.errors import ArtifactError
from engine.facts import Source


def test_success_text_utf16(parse):
    facts, problems = parse("tnc/ok.txt", "dhcp-a/tnc-dhcp-b.contoso.com-647.txt")
    assert [f.fields for f in facts] == [{
        "source": "dhcp-a", "target": "dhcp-b.contoso.com", "target_address": "dhcp-b.contoso.com",
        "remote_address": "10.0.0.2", "port": 647, "ok": True}]
    assert facts[0].kind == "tcp_probe"
    assert facts[0].source == Source("dhcp-a/tnc-dhcp-b.contoso.com-647.txt", "line 3")
    assert len(problems) == 0


def test_failure_text_with_warnings_and_ping(parse):
    facts, problems = parse("tnc/failed.txt", "dhcp-a/tnc-10.0.0.2-647.txt")
    assert [f.fields for f in facts] == [{
        "source": "dhcp-a", "target": "10.0.0.2", "target_address": "10.0.0.2", "remote_address": "10.0.0.2",
        "port": 647, "ok": False, "ping_ok": False}]
    assert facts[0].source == Source("dhcp-a/tnc-10.0.0.2-647.txt", "line 5")
    assert len(problems) == 0


def test_failure_text_host_answers_ping(parse):
    facts, _ = parse("tnc/failed-ping-ok.txt", "dhcp-a/tnc-dhcp-b.contoso.com-647.txt")
    assert [f.fields for f in facts] == [{
        "source": "dhcp-a", "target": "dhcp-b.contoso.com", "target_address": "dhcp-b.contoso.com",
        "remote_address": "10.0.0.2", "port": 647, "ok": False, "ping_ok": True}]


def test_name_resolution_failure_has_no_tcp_line_but_is_a_failed_probe(parse):
    facts, _ = parse("tnc/nameres-failed.txt", "dhcp-a/tnc-dhcp-b.contoso.com-647.txt")
    assert [f.fields for f in facts] == [{
        "source": "dhcp-a", "target": "dhcp-b.contoso.com", "target_address": "dhcp-b.contoso.com",
        "port": 647, "ok": False, "ping_ok": False}]


def test_ps51_json_success_ignores_the_untried_ping(parse):
    facts, problems = parse("tnc/ok-51.json", "dhcp-a/tnc-dhcp-b.contoso.com-647.json")
    assert [f.fields for f in facts] == [{
        "source": "dhcp-a", "target": "dhcp-b.contoso.com", "target_address": "dhcp-b.contoso.com",
        "remote_address": "10.0.0.2", "port": 647, "ok": True}]
    assert facts[0].source == Source("dhcp-a/tnc-dhcp-b.contoso.com-647.json", "record 1")
    assert len(problems) == 0


def test_ps7_json_failure_address_object_without_string(parse):
    facts, _ = parse("tnc/failed-7.json", "dhcp-a/tnc-10.0.0.2-647.json")
    assert [f.fields for f in facts] == [{
        "source": "dhcp-a", "target": "10.0.0.2", "target_address": "10.0.0.2", "remote_address": "10.0.0.2",
        "port": 647, "ok": False, "ping_ok": True}]


def test_port_comes_from_the_file_name_when_not_printed(parse_bytes):
    facts, _ = parse_bytes(b'{"ComputerName": "dhcp-b", "TcpTestSucceeded": true}', "dhcp-a/tnc-dhcp-b-135.json")
    assert facts[0].fields == {"source": "dhcp-a", "target": "dhcp-b", "target_address": "dhcp-b", "port": 135,
                               "ok": True}


def test_no_port_anywhere(parse_bytes):
    with pytest.raises(ArtifactError, match=r"^dhcp-a/tnc-dhcp-b.json \(record 1\): names no port"):
        parse_bytes(b'{"ComputerName": "dhcp-b", "TcpTestSucceeded": true}', "dhcp-a/tnc-dhcp-b.json")


def test_ping_only_output_is_not_a_port_test(parse_bytes):
    text = b"ComputerName : dhcp-b\nRemoteAddress : 10.0.0.2\nPingSucceeded : True\n"
    with pytest.raises(ArtifactError) as caught:
        parse_bytes(text, "dhcp-a/tnc-dhcp-b-647.txt")
    assert str(caught.value) == ("dhcp-a/tnc-dhcp-b-647.txt (line 1): has no TcpTestSucceeded; expected "
                                 "Test-NetConnection run with -Port")


def test_empty_json(parse_bytes):
    with pytest.raises(ArtifactError) as caught:
        parse_bytes(b"", "dhcp-a/tnc-dhcp-b-647.json")
    assert str(caught.value) == ("dhcp-a/tnc-dhcp-b-647.json: holds no result; expected Test-NetConnection -Port "
                                 "| ConvertTo-Json output")


def test_text_without_a_record(parse_bytes):
    with pytest.raises(ArtifactError) as caught:
        parse_bytes(b"Test-NetConnection : Access is denied.\r\n", "dhcp-a/tnc-dhcp-b-647.txt")
    assert str(caught.value) == (
        "dhcp-a/tnc-dhcp-b-647.txt: has no records; expected Test-NetConnection Format-List output "
        "('TcpTestSucceeded : True' lines); line 1 reads 'Test-NetConnection : Access is denied.'")


def test_two_results_in_one_file_reads_the_first(parse_bytes):
    data = b'[{"ComputerName": "a", "RemotePort": 647, "TcpTestSucceeded": true},' \
           b' {"ComputerName": "b", "RemotePort": 647, "TcpTestSucceeded": false}]'
    facts, problems = parse_bytes(data, "dhcp-a/tnc-dhcp-b-647.json")
    assert [f["ok"] for f in facts] == [True]
    assert [str(p) for p in problems] == [
        "dhcp-a/tnc-dhcp-b-647.json: holds 2 results; only the first was read, expected one Test-NetConnection "
        "result per file"]
