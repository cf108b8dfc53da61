"""Raw .evtx → the same event facts as the JSON and XML forms.

Fixtures are real Windows logs from the public sample set of the Rust `evtx` parser
(github.com/omerbenamram/evtx, MIT/Apache-2.0): the first three chunks of a System log, and an
Application log written without chunk checksums. Damage (a zeroed chunk header, a file cut off
in transfer) is made from them here, byte for byte what the damaged public sample shows.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from engine.errors import ArtifactError
from engine.parsers.evtxread import _record, event_params

from .conftest import FIXTURES

SYSTEM = "dhcp-a/events-System.evtx"
CHUNK = 65536
HEADER = 4096


def system_bytes() -> bytes:
    return (FIXTURES / "evtx/system-3chunks.evtx").read_bytes()


def by_event(facts):
    return {(f["provider"], f["event_id"]): f for f in facts if f.kind == "event"}


def test_system_log_time_service_and_service_control_manager(parse):
    facts, problems = parse("evtx/system-3chunks.evtx", SYSTEM)
    events = by_event(facts)
    assert len(events) == 66
    assert sum(f["count"] for f in events.values()) == 326  # records 1-326 of the three chunk headers
    jump = events[("Microsoft-Windows-Time-Service", 52)]
    assert jump.fields == {"server": "dhcp-a", "log": "System", "event_id": 52,
                           "provider": "Microsoft-Windows-Time-Service", "count": 1,
                           "first": "2017-07-12T07:18:24Z", "last": "2017-07-12T07:18:24Z"}
    assert jump.source.record == "event RecordId 219"
    installs = events[("Service Control Manager", 7045)]
    assert (installs["count"], installs["first"], installs["last"]) == (31, "2017-07-12T07:19:24Z",
                                                                       "2017-07-12T17:19:55Z")
    assert [s.record for s in installs.sources] == ["event RecordId 240"]
    assert installs.source.record == "event RecordId 297"
    assert len(problems) == 0


def test_file_without_chunk_checksums_is_read(parse):
    facts, problems = parse("evtx/application-no-crc32.evtx", "dhcp-a/events-Application.evtx")
    assert sum(f["count"] for f in facts) == 17
    assert {f["log"] for f in facts} == {"Application"}
    assert len(problems) == 0


def test_log_name_comes_from_the_channel_when_the_file_name_gives_none(parse_bytes):
    facts, _ = parse_bytes(system_bytes(), "dhcp-a/events-saved.evtx")
    assert {f["log"] for f in facts} == {"saved"}  # the file name wins, as for JSON and XML
    from engine.parsers import Problems
    from engine.parsers.base import Artifact
    from engine.parsers.events import parse_evtx
    loose = Artifact("dhcp-a/saved.evtx", "dhcp-a", "events", "evtx", reader=system_bytes)
    assert {f["log"] for f in parse_evtx(loose, Problems())} == {"System"}


def test_corrupt_chunk_is_skipped_and_the_loss_counted(parse_bytes):
    data = bytearray(system_bytes())
    data[HEADER + CHUNK:HEADER + CHUNK + 8] = bytes(8)  # the middle chunk's "ElfChnk" magic, zeroed
    facts, problems = parse_bytes(bytes(data), SYSTEM)
    kept = sum(f["count"] for f in facts if f.kind == "event")
    lines = [str(p) for p in problems]
    assert len(lines) == 1
    assert lines[0].startswith(f"{SYSTEM}: has a damaged chunk (Failed to parse chunk number 1: ")
    # The chunk headers say: records 1-108, 109-210 (the damaged one), 211-326.
    assert kept == 224
    assert lines[0].endswith("skipped, at least 102 record(s) lost (EventRecordIDs 1..326 are not all there); "
                             "the other 224 record(s) were read")


def damaged_like_the_public_sample(zero_from: int) -> bytes:
    """What sample_with_a_bad_chunk_magic.evtx shows: a chunk zeroed from inside one of its
    records to its end (that record comes back as an empty shell or not at all) and a later
    chunk whose header is zeroed."""
    data = bytearray(system_bytes())
    data[HEADER + zero_from:HEADER + CHUNK] = bytes(CHUNK - zero_from)
    data[HEADER + CHUNK:HEADER + CHUNK + 8] = bytes(8)
    return bytes(data)


RECORD_20 = 14040  # offset of record 20 (432 bytes) in the first chunk


def test_an_unusable_record_is_not_counted_as_read(parse_bytes):
    """The damaged public sample gave `fodoc inspect` "269 record(s)" and "the other 270 record(s)
    were read": the parser returned 270 records, one an empty shell (no Provider, no TimeCreated)
    that gives no event. Here: records 1-19 and 211-326 are read (135), 20 is the shell, 21-108
    are zeroed and 109-210 are in the chunk whose header is gone (190 lost)."""
    facts, problems = parse_bytes(damaged_like_the_public_sample(RECORD_20 + 40), SYSTEM)
    assert sum(f["count"] for f in facts if f.kind == "event") == 135
    lines = [str(p) for p in problems]
    assert lines[0] == (f"{SYSTEM} (event RecordId 20): is damaged: its System element has neither Provider nor "
                        "TimeCreated")
    assert lines[1].startswith(f"{SYSTEM}: has a damaged chunk (Failed to parse chunk number 1: ")
    assert lines[1].endswith("skipped, at least 190 record(s) lost (EventRecordIDs 1..326 are not all there), and "
                             "1 more returned unusable (named by RecordId); the other 135 record(s) were read")
    assert len(lines) == 2


def test_damaged_chunks_are_counted_as_chunks(parse_bytes):
    """Two chunks whose header is zeroed are two errors of the parser, two damaged chunks (the
    line said "2 damaged stretches of chunks"; an all-zero chunk gives no error at all)."""
    data = bytearray(system_bytes())
    for chunk in (1, 2):
        data[HEADER + chunk * CHUNK:HEADER + chunk * CHUNK + 8] = bytes(8)
    facts, problems = parse_bytes(bytes(data), SYSTEM)
    assert sum(f["count"] for f in facts if f.kind == "event") == 108
    [line] = [str(p) for p in problems]
    assert line.startswith(f"{SYSTEM}: has 2 damaged chunks (Failed to parse chunk number 1: ")
    # ids 109-326 lie after the highest id read (108), so no gap can show them
    assert line.endswith("skipped, an unknown number of records lost; the other 108 record(s) were read")


def test_a_record_the_parser_cannot_decode_is_not_called_a_chunk(parse_bytes):
    facts, problems = parse_bytes(damaged_like_the_public_sample(RECORD_20 + 272), SYSTEM)
    assert sum(f["count"] for f in facts if f.kind == "event") == 135
    [line] = [str(p) for p in problems]
    assert line.startswith(f"{SYSTEM}: has a damaged chunk and a record that could not be decoded (Failed to parse "
                           "record number 20: ")
    assert line.endswith("skipped, at least 191 record(s) lost (EventRecordIDs 1..326 are not all there); the other "
                         "135 record(s) were read")


def test_file_cut_off_in_transfer_keeps_what_came_before(parse_bytes):
    facts, problems = parse_bytes(system_bytes()[:HEADER + CHUNK + 5000], SYSTEM)
    assert sum(f["count"] for f in facts if f.kind == "event") > 0
    assert [str(p) for p in problems] == [
        f"{SYSTEM}: is cut off: {HEADER + CHUNK + 5000} bytes hold 1 complete chunk(s) of 64 KiB of the 3 its "
        "header announces; the records after the cut are lost, those before it were read"]


def test_a_file_on_disk_is_streamed_and_checked_the_same(tmp_path):
    from engine.parsers import Problems
    from engine.parsers.base import Artifact
    from engine.parsers.events import parse_evtx
    cut = tmp_path / "events-System.evtx"
    cut.write_bytes(system_bytes()[:HEADER + CHUNK + 5000])

    def unused() -> bytes:
        raise AssertionError("a file on disk is not read into memory")
    problems = Problems()
    artifact = Artifact(SYSTEM, "dhcp-a", "events", "evtx", log="System", reader=unused, local_path=str(cut))
    facts = parse_evtx(artifact, problems)
    assert sum(f["count"] for f in facts) == 108  # the first chunk: records 1-108
    assert [p.message for p in problems] == [
        f"is cut off: {HEADER + CHUNK + 5000} bytes hold 1 complete chunk(s) of 64 KiB of the 3 its header "
        "announces; the records after the cut are lost, those before it were read"]


@pytest.mark.parametrize("data, message", [
    (b"Level,Date and Time\r\n", "is not an .evtx file (no 'ElfFile' signature)"),
    (b"ElfFile\x00" + bytes(20), "is cut off inside its file header"),
])
def test_not_an_evtx_is_one_clear_line(parse_bytes, data, message):
    with pytest.raises(ArtifactError) as caught:
        parse_bytes(data, SYSTEM)
    assert str(caught.value).startswith(f"{SYSTEM}: {message}")


# --- Record mapping: the JSON the Rust parser renders → EventRecord ------------------------------

def rendered(system: str, body: str) -> dict:
    return {"event_record_id": 5003, "timestamp": "2026-11-30T09:09:30.1234567Z UTC",
            "data": '{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},'
                    f'"System":{system},{body}}}}}'}


SCM = ('{"Provider":{"#attributes":{"Name":"Service Control Manager","Guid":"{555908d1-a6d7-4695-8e1e-26931d2012f4}",'
       '"EventSourceName":"Service Control Manager"}},"EventID":{"#attributes":{"Qualifiers":16384},"#text":7036},'
       '"Version":0,"Level":4,"TimeCreated":{"#attributes":{"SystemTime":"2026-11-30T09:09:30.1234567Z"}},'
       '"EventRecordID":5003,"Channel":"System","Computer":"dhcp-a.contoso.com","Security":null}')


def test_named_event_data_gives_the_insertion_strings_in_order():
    raw = rendered(SCM, '"EventData":{"param1":"DHCP Server","param2":"running","Binary":"4400480043000000"}')
    record = _record(7, raw)
    assert (record.number, record.event_id, record.provider, record.log, record.record_id) == (
        7, 7036, "Service Control Manager", "System", 5003)
    assert record.time == datetime(2026, 11, 30, 9, 9, 30, tzinfo=timezone.utc)
    assert record.params == ("DHCP Server", "running")
    assert record.message is None


def test_events_without_a_template_are_not_decoded():
    raw = rendered(SCM.replace('"#text":7036', '"#text":7045'), '"EventData":{"ServiceName":"x"}')
    assert _record(1, raw).params is None  # 7045 has no insertion-string template


@pytest.mark.parametrize("event, params", [
    ({"EventData": {"Data": {"#text": ["dhcp-b.contoso.com", "dhcp-a-dhcp-b", "95"]}, "Binary": None}},
     ("dhcp-b.contoso.com", "dhcp-a-dhcp-b", "95")),
    ({"EventData": {"Data": {"#text": "dhcp-a-dhcp-b"}}}, ("dhcp-a-dhcp-b",)),
    ({"EventData": {"#attributes": {"Name": "TMP_EVENT_TIME_JUMP_AUDIT"}, "TimeOffsetSeconds": 35999}},
     ("35999",)),
    ({"EventData": {"param1": None, "param2": " NORMAL "}}, ("", "NORMAL")),
    ({"UserData": {"EventXML": {"#attributes": {"xmlns": "x"}, "Relationship": "r1", "State": "NORMAL"}}},
     ("r1", "NORMAL")),
    ({"System": {}}, None),
])
def test_event_data_shapes(event, params):
    assert event_params(event) == params


def test_a_record_with_an_empty_system_element_is_reported():
    raw = {"event_record_id": None, "timestamp": "2018-08-08T03:47:41.0Z UTC",
           "data": json.dumps({"Event": {"System": {"Provider": None, "EventID": 0, "TimeCreated": None}}})}
    with pytest.raises(Exception, match="neither Provider nor TimeCreated"):
        _record(1, raw)
