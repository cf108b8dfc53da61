"""Event logs (Get-WinEvent JSON 5.1/7, wevtutil XML with and without root) → event + state_change.

The DhcpAdminEvents fixtures hold one incident in four native formats: insertion strings from
Properties (5.1 JSON), from the message only (7 JSON with Properties cut to type names), from
Data with and without Name attributes (XML without root), and a mix of Data and message-only
records (UTF-16 XML with an <Events> root). All four must give exactly the same facts.
"""
from __future__ import annotations

import json

import pytest

from engine.errors import ArtifactError
from engine.parsers import Artifact, Problems, parse_artifact

ADMIN = "dhcp-a/events-DhcpAdminEvents"
COMMON = {"server": "dhcp-a", "log": "DhcpAdminEvents", "provider": "Microsoft-Windows-DHCP-Server"}
AB = {"relationship": "dhcp-a-dhcp-b"}
B = {"partner": "dhcp-b.contoso.com"}

# (fields, record of the latest occurrence, record of the first)
ADMIN_EVENTS = [
    ({"event_id": 20161, "count": 1, "first": "2026-11-30T09:25:00Z", "last": "2026-11-30T09:25:00Z"},
     1013, 1013),
    ({"event_id": 20251, "count": 1, "first": "2026-11-30T09:10:01Z", "last": "2026-11-30T09:10:01Z",
      "subject": "dhcp-a.contoso.com", **AB, "old_state": "CommunicationInterrupted", "new_state": "Normal"},
     1008, 1008),
    ({"event_id": 20252, "count": 1, "first": "2026-11-30T08:59:12Z", "last": "2026-11-30T08:59:12Z",
      "subject": "dhcp-a.contoso.com", **AB, "old_state": "Normal", "new_state": "CommunicationInterrupted"},
     1002, 1002),
    ({"event_id": 20253, "count": 3, "first": "2026-11-30T09:01:00Z", "last": "2026-11-30T09:05:00Z", **B, **AB,
      "skew_s": 97, "max_skew_s": 120}, 1005, 1003),
    ({"event_id": 20254, "count": 1, "first": "2026-11-30T09:10:00Z", "last": "2026-11-30T09:10:00Z", **B, **AB},
     1007, 1007),
    ({"event_id": 20255, "count": 1, "first": "2026-11-30T08:59:12Z", "last": "2026-11-30T08:59:12Z", **B, **AB},
     1001, 1001),
    ({"event_id": 20255, "count": 1, "first": "2026-11-30T09:15:00Z", "last": "2026-11-30T09:15:00Z",
      "partner": "10.0.0.3", "relationship": "dhcp-a-dhcp-c"}, 1010, 1010),
    ({"event_id": 20259, "count": 1, "first": "2026-11-30T09:12:00Z", "last": "2026-11-30T09:12:00Z",
      "subject": "dhcp-a.contoso.com", "relationship": "dhcp-a-dhcp-c", "new_state": "PartnerDown"}, 1009, 1009),
    ({"event_id": 20264, "count": 1, "first": "2026-11-30T09:20:00Z", "last": "2026-11-30T09:20:00Z", **B, **AB},
     1011, 1011),
    ({"event_id": 20287, "count": 1, "first": "2026-11-30T09:21:00Z", "last": "2026-11-30T09:21:00Z",
      "scope": "10.0.10.0"}, 1012, 1012),
    ({"event_id": 20291, "count": 1, "first": "2026-11-30T09:06:30Z", "last": "2026-11-30T09:06:30Z",
      "reject_reason": "Outdated binding information", **B, **AB}, 1006, 1006),
]
ADMIN_CHANGES = [
    ({"server": "dhcp-a", "relationship": "dhcp-a-dhcp-b", "subject": "dhcp-a.contoso.com", "old_state": "Normal",
      "new_state": "CommunicationInterrupted", "time": "2026-11-30T08:59:12Z", "event_id": 20252}, 1002),
    ({"server": "dhcp-a", "relationship": "dhcp-a-dhcp-b", "subject": "dhcp-a.contoso.com",
      "old_state": "CommunicationInterrupted", "new_state": "Normal", "time": "2026-11-30T09:10:01Z",
      "event_id": 20251}, 1008),
    ({"server": "dhcp-a", "relationship": "dhcp-a-dhcp-c", "subject": "dhcp-a.contoso.com",
      "new_state": "PartnerDown", "time": "2026-11-30T09:12:00Z", "event_id": 20259}, 1009),
]


def summary(facts):
    """(kind, fields, source record, extra source records) of each fact, in order."""
    return [(f.kind, f.fields, f.source.record, tuple(s.record for s in f.sources)) for f in facts]


def expected_admin(path: str):
    events = [("event", {**COMMON, **fields}, f"event RecordId {last}", (f"event RecordId {first}",))
              for fields, last, first in ADMIN_EVENTS]
    changes = [("state_change", fields, f"event RecordId {record}", ()) for fields, record in ADMIN_CHANGES]
    return events + changes


@pytest.mark.parametrize("fixture, suffix", [
    ("events/admin-51.json", "json"),      # \/Date(ms)\/, Properties [{"Value": ...}], newest first, CRLF
    ("events/admin-7.json", "json"),       # ISO +01:00, Properties truncated -> from Message
    ("events/admin-noroot.xml", "xml"),    # wevtutil /f:xml, no root, Data with and without Name
    ("events/admin-root.xml", "xml"),      # UTF-16 LE BOM, <?xml?> declaration, <Events> root, RenderingInfo
])
def test_admin_log_in_every_format(parse, fixture, suffix):
    path = f"{ADMIN}.{suffix}"
    facts, problems = parse(fixture, path)
    assert summary(facts) == expected_admin(path)
    assert {f.source.artifact for f in facts} == {path}
    assert [str(p) for p in problems] == []


def test_system_log_services_and_shutdowns(parse):
    facts, problems = parse("events/system.xml", "dhcp-a/events-System.xml")
    system = {"server": "dhcp-a", "log": "System"}
    scm = {**system, "provider": "Service Control Manager"}
    assert summary(facts) == [
        ("event", {**system, "provider": "EventLog", "event_id": 6005, "count": 1, "first": "2026-11-30T09:35:11Z",
                   "last": "2026-11-30T09:35:11Z"}, "event RecordId 5007", ("event RecordId 5007",)),
        ("event", {**system, "provider": "EventLog", "event_id": 6008, "count": 1, "first": "2026-11-30T09:35:10Z",
                   "last": "2026-11-30T09:35:10Z"}, "event RecordId 5006", ("event RecordId 5006",)),
        ("event", {**system, "provider": "Microsoft-Windows-DHCP-Server", "event_id": 1063, "count": 1,
                   "first": "2026-11-30T09:40:00Z", "last": "2026-11-30T09:40:00Z", "scope": "10.0.20.0"},
         "event RecordId 5008", ("event RecordId 5008",)),
        ("event", {**scm, "event_id": 7034, "count": 1, "first": "2026-11-30T09:29:59Z", "last": "2026-11-30T09:29:59Z",
                   "service_name": "DHCP Server"}, "event RecordId 5004", ("event RecordId 5004",)),
        ("event", {**scm, "event_id": 7036, "count": 1, "first": "2026-11-30T09:09:30Z", "last": "2026-11-30T09:09:30Z",
                   "service_name": "DHCP Server", "service_state": "running"},
         "event RecordId 5003", ("event RecordId 5003",)),
        ("event", {**scm, "event_id": 7036, "count": 2, "first": "2026-11-30T08:58:00Z", "last": "2026-11-30T09:30:00Z",
                   "service_name": "DHCP Server", "service_state": "stopped"},
         "event RecordId 5005", ("event RecordId 5001",)),
        ("event", {**scm, "event_id": 7036, "count": 1, "first": "2026-11-30T08:58:05Z", "last": "2026-11-30T08:58:05Z",
                   "service_name": "Windows Time", "service_state": "running"},
         "event RecordId 5002", ("event RecordId 5002",)),
    ]
    assert len(problems) == 0


def test_truncated_xml_keeps_the_events_before_the_break(parse):
    facts, problems = parse("events/system-truncated.xml", "dhcp-a/events-System.xml")
    assert [(f["event_id"], f["service_name"], f["service_state"]) for f in facts] == [
        (7036, "DHCP Server", "stopped"), (7036, "Windows Time", "running")]
    assert [str(p) for p in problems] == [
        "dhcp-a/events-System.xml: is cut off or broken at line 3 column 300 (the file ends inside an element); "
        "the 2 event(s) before it were read"]


def test_broken_xml_records_are_reported_and_skipped(parse):
    facts, problems = parse("events/broken-record.xml", f"{ADMIN}.xml")
    assert summary(facts) == [
        ("event", {**COMMON, "event_id": 20254, "count": 1, "first": "2026-11-30T09:00:04Z",
                   "last": "2026-11-30T09:00:04Z", **B, **AB}, "event RecordId 3004", ("event RecordId 3004",))]
    assert [str(p) for p in problems] == [
        f"{ADMIN}.xml (record 1): has no usable <EventID> (found 'twenty'); expected an integer",
        f"{ADMIN}.xml (record 2): has no TimeCreated; expected /Date(ms)/ or ISO-8601 with an offset",
        f"{ADMIN}.xml (record 3): has no <System> element; expected an event as wevtutil writes it",
    ]


def test_bad_json_records_are_reported_and_skipped(parse):
    facts, problems = parse("events/bad-records.json", f"{ADMIN}.json")
    assert summary(facts) == [
        ("event", {**COMMON, "event_id": 20251, "count": 1, "first": "2026-11-30T08:59:58Z",
                   "last": "2026-11-30T08:59:58Z", "subject": "dhcp-a.contoso.com", **AB, "old_state": "Normal"},
         "event RecordId 1998", ("event RecordId 1998",)),
        ("event", {**COMMON, "event_id": 20252, "count": 1, "first": "2026-11-30T08:59:59Z",
                   "last": "2026-11-30T08:59:59Z"}, "event RecordId 1999", ("event RecordId 1999",)),
        ("event", {**COMMON, "event_id": 20255, "count": 1, "first": "2026-11-30T09:00:03Z",
                   "last": "2026-11-30T09:00:03Z", **B, **AB}, "event RecordId 2003", ("event RecordId 2003",)),
    ]
    assert [str(p) for p in problems] == [
        f"{ADMIN}.json (record 2): has no event Id (found None); expected an integer",
        f"{ADMIN}.json (record 3): TimeCreated 'yesterday' is not a date; expected /Date(ms)/ or ISO-8601 with an "
        "offset",
        f"{ADMIN}.json (record 4): TimeCreated '2026-11-30T09:00:00' has no UTC offset; expected ISO-8601 with Z "
        "or +hh:mm",
        f"{ADMIN}.json (event RecordId 1998): 1 record(s) of event 20251 name a failover state fodoc does not know "
        "('HALF_AWAKE'); expected e.g. NORMAL, COMMUNICATION_INT, PARTNER DOWN",
        f"{ADMIN}.json (event RecordId 1999): 1 record(s) of event 20252 carry no insertion strings and their "
        "message does not match the en-US template; subject, relationship, old_state, new_state not read",
    ]


def test_not_json_at_all(parse):
    with pytest.raises(ArtifactError) as caught:
        parse("events/not-json.json", "dhcp-a/events-System.json")
    assert str(caught.value) == ("dhcp-a/events-System.json: is not valid JSON: Expecting value at line 1 column 1; "
                                 "expected Get-WinEvent | ConvertTo-Json output")


def test_not_xml_at_all(parse):
    with pytest.raises(ArtifactError) as caught:
        parse("events/not-xml.xml", "dhcp-a/events-System.xml")
    assert str(caught.value) == (
        "dhcp-a/events-System.xml: is not XML: expected wevtutil qe <log> /f:xml output (<Event> elements); it "
        "begins with 'wevtutil : Failed to read events. The specified channel could not be found.'")


def test_xml_broken_before_the_first_event(parse_bytes):
    with pytest.raises(ArtifactError) as caught:
        parse_bytes(b"<Event><System><EventID>1</EventID></Syst></Event>", "dhcp-a/events-System.xml")
    assert str(caught.value) == ("dhcp-a/events-System.xml: is not valid XML: mismatched tag at line 1 column 38; "
                                 "expected wevtutil qe <log> /f:xml output (<Event> elements)")


def test_xml_with_a_root_cut_off_mid_record(parse_bytes):
    event = ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
             "<Provider Name='Microsoft-Windows-DHCP-Server'/><EventID>20254</EventID>"
             "<TimeCreated SystemTime='2026-11-30T09:00:04.0000000Z'/><EventRecordID>{}</EventRecordID></System>"
             "<EventData><Data>dhcp-b.contoso.com</Data><Data>dhcp-a-dhcp-b</Data></EventData></Event>")
    data = "<Events>\r\n" + event.format(1) + "\r\n" + event.format(2)[:150]
    facts, problems = parse_bytes(data.encode(), f"{ADMIN}.xml")
    assert [(f["event_id"], f["count"]) for f in facts] == [(20254, 1)]
    assert [str(p) for p in problems] == [
        f"{ADMIN}.xml: is cut off or broken at line 3 column 150 (unclosed token); the 1 event(s) before it "
        "were read"]


def test_xml_with_a_dtd_is_refused(parse):
    with pytest.raises(ArtifactError, match=r"^dhcp-a/events-System.xml: declares a DTD or entities"):
        parse("events/dtd.xml", "dhcp-a/events-System.xml")


def test_no_events_is_no_facts(parse):
    facts, problems = parse("events/empty.json", "dhcp-a/events-System.json")
    assert (facts, len(problems)) == ([], 0)


def test_log_name_from_the_records_when_the_file_name_has_none():
    data = (b'{"Id": 20242, "ProviderName": "Microsoft-Windows-DHCP-Server", "RecordId": 7, '
            b'"LogName": "Microsoft-Windows-Dhcp-Server/Operational", "TimeCreated": "\\/Date(1796029200000)\\/", '
            b'"Properties": [{"Value": "dhcp-a-dhcp-b"}, {"Value": "dhcp-a"}, {"Value": "dhcp-b"}]}')
    artifact = Artifact(path="loose.json", server="dhcp-a", family="events", fmt="json", reader=lambda: data)
    facts = parse_artifact(artifact, Problems())
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "log": "Microsoft-Windows-Dhcp-Server/Operational", "event_id": 20242,
        "provider": "Microsoft-Windows-DHCP-Server", "count": 1, "first": "2026-11-30T09:00:00Z",
        "last": "2026-11-30T09:00:00Z", "relationship": "dhcp-a-dhcp-b"}]


def test_ps51_datetime_object_as_time_created(parse_bytes):
    data = (b'[{"Id": 6005, "ProviderName": "EventLog", "RecordId": 9, "TimeCreated": {"value": '
            b'"\\/Date(1796029200000)\\/", "DisplayHint": 2, "DateTime": "Monday, November 30, 2026 9:00:00 AM"}}]')
    facts, problems = parse_bytes(data, "dhcp-a/events-System.json")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "log": "System", "event_id": 6005, "provider": "EventLog", "count": 1,
        "first": "2026-11-30T09:00:00Z", "last": "2026-11-30T09:00:00Z"}]
    assert len(problems) == 0


def test_a_large_log_is_folded(parse_bytes):
    records = [{"Id": 20255, "RecordId": n, "ProviderName": "Microsoft-Windows-DHCP-Server",
                "TimeCreated": f"/Date({1796029200000 + n * 1000})/",
                "Message": f"Server has lost contact with failover partner server  dhcp-b.contoso.com for "
                           f"relationship dhcp-a-dhcp-{'b' if n % 2 else 'c'} ."}
               for n in range(1, 5001)]
    facts, problems = parse_bytes(json.dumps(records).encode(), f"{ADMIN}.json")
    assert [(f["relationship"], f["count"], f["first"], f["last"]) for f in facts] == [
        ("dhcp-a-dhcp-b", 2500, "2026-11-30T09:00:01Z", "2026-11-30T10:23:19Z"),
        ("dhcp-a-dhcp-c", 2500, "2026-11-30T09:00:02Z", "2026-11-30T10:23:20Z"),
    ]
    assert len(problems) == 0


@pytest.mark.parametrize("skew", ["1e308", "inf", "nan", "-99999999999"])
def test_a_skew_no_clock_can_have_is_left_unread_with_one_line(parse_bytes, skew):
    records = [{"Id": 20253, "RecordId": 1, "ProviderName": "Microsoft-Windows-DHCP-Server",
                "TimeCreated": "/Date(1796029200000)/", "Properties": [
                    {"Value": "dhcp-b.contoso.com"}, {"Value": "dhcp-a-dhcp-b"}, {"Value": skew}]}]
    facts, problems = parse_bytes(json.dumps(records).encode(), f"{ADMIN}.json")
    assert [f.get("max_skew_s") for f in facts] == [None] and facts[0]["relationship"] == "dhcp-a-dhcp-b"
    assert [str(p) for p in problems] == [
        f"{ADMIN}.json (event RecordId 1): 1 record(s) of event 20253 give skew_s {skew!r}, which is not a finite "
        "number of seconds of at most 316224000 (ten years) either way; skew_s left unread"]
