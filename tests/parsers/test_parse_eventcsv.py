"""Event Viewer "Save All Events As… CSV" → the same event facts as JSON, XML and .evtx.

admin-en-us.csv and admin-de-de.csv hold the incident of the admin-*.json/xml fixtures as Event
Viewer exports it: newest first, the five-name header plus the unnamed message column, CRLF,
messages with commas quoted. en-US: UTF-8 with BOM, `11/30/2026 9:25:00 AM`; de-DE: UTF-16 LE
with BOM, German header and level names (`Informationen`, `Fehler`), `30.11.2026 09:25:00`.
The message text stays en-US in both (a server installed in English with German regional and
display settings for the admin), which is what the templates read.
"""
from __future__ import annotations

import pytest

from engine.errors import ArtifactError
from engine.parsers.eventcsv import level_name, looks_like_event_csv

from .test_parse_events import ADMIN, expected_admin

HEADER = "Level,Date and Time,Source,Event ID,Task Category\r\n"
UTC_NOTE = ("{path}: holds local times without a time zone (Event Viewer CSV); they were read as UTC "
            "({order} dates), so compare them with other files with care")


def relabel(expected):
    """CSV keeps no RecordId: evidence names the record by position (newest first)."""
    position = {1013: 1, 1012: 2, 1011: 3, 1010: 4, 1009: 5, 1008: 6, 1007: 7, 1006: 8, 1005: 9, 1004: 10,
                1003: 11, 1002: 12, 1001: 13}

    def label(text):
        return f"record {position[int(text.rsplit(' ', 1)[1])]}"
    return [(kind, fields, label(record), tuple(label(r) for r in extra)) for kind, fields, record, extra in expected]


def summary(facts):
    return [(f.kind, f.fields, f.source.record, tuple(s.record for s in f.sources)) for f in facts]


@pytest.mark.parametrize("fixture, order", [("events/admin-en-us.csv", "month-first"),
                                            ("events/admin-de-de.csv", "day-first")])
def test_admin_log_csv_gives_the_same_facts(parse, fixture, order):
    path = f"{ADMIN}.csv"
    facts, problems = parse(fixture, path)
    assert summary(facts) == relabel(expected_admin(path))
    assert [str(p) for p in problems] == [UTC_NOTE.format(path=path, order=order)]


def test_ambiguous_dates_are_not_guessed(parse_bytes):
    data = (HEADER + "Information,3/4/2026 9:10:00 AM,Service Control Manager,7036,None,"
                     "The DHCP Server service entered the running state.\r\n"
                     "Information,3/4/2026 9:00:00 AM,Service Control Manager,7036,None,"
                     "The DHCP Server service entered the stopped state.\r\n").encode()
    facts, problems = parse_bytes(data, "dhcp-a/events-System.csv")
    assert facts == []
    assert [str(p) for p in problems] == [
        "dhcp-a/events-System.csv: has only dates like '3/4/2026 9:10:00 AM' that read as day-first and as "
        "month-first, and no date above the 12th settles which; the times were not read; 2 record(s) skipped"]


def test_one_date_settles_the_order_for_the_whole_file(parse_bytes):
    data = (HEADER + "Information,3/4/2026 21:10:00,Service Control Manager,7036,None,"
                     "The DHCP Server service entered the running state.\r\n"
                     "Information,28/3/2026 21:00:00,Service Control Manager,7036,None,"
                     "The DHCP Server service entered the stopped state.\r\n").encode()
    facts, problems = parse_bytes(data, "dhcp-a/events-System.csv")
    assert [(f["service_state"], f["first"]) for f in facts] == [("running", "2026-04-03T21:10:00Z"),
                                                                ("stopped", "2026-03-28T21:00:00Z")]
    assert [str(p) for p in problems] == [UTC_NOTE.format(path="dhcp-a/events-System.csv", order="day-first")]


def test_contradicting_dates_are_reported(parse_bytes):
    data = (HEADER + "Information,13/4/2026 21:10:00,EventLog,6005,None,The Event log service was started.\r\n"
                     "Information,4/13/2026 21:00:00,EventLog,6005,None,The Event log service was started.\r\n").encode()
    facts, problems = parse_bytes(data, "dhcp-a/events-System.csv")
    assert facts == []
    assert [str(p) for p in problems] == [
        "dhcp-a/events-System.csv: mixes day-first (13/4/2026) and month-first (4/13/2026) dates; expected one "
        "culture per file; 2 record(s) skipped"]


def test_bad_rows_are_reported_and_the_rest_read(parse_bytes):
    data = (HEADER + "Information,11/30/2026 9:10:00 AM,EventLog,6005,None,The Event log service was started.\r\n"
                     "Information,11/30/2026 9:11:00 AM,EventLog,sixty,None,x\r\n"
                     "Information,11/30/2026\r\n").encode()
    facts, problems = parse_bytes(data, "dhcp-a/events-System.csv")
    assert [(f["event_id"], f["count"]) for f in facts] == [(6005, 1)]
    assert [str(p) for p in problems][1:] == [
        "dhcp-a/events-System.csv (line 3): Event ID 'sixty' is not a number",
        "dhcp-a/events-System.csv (line 4): has 2 column(s) and Date and Time '11/30/2026' is not a date; expected "
        "5 columns and the message (Event Viewer 'Save All Events As' CSV (header Level,Date and Time,Source,Event "
        "ID,Task Category)), with a date and time like '11/30/2026 9:10:00 AM' as in the file's other rows"]


def test_a_short_row_with_a_date_is_named_by_its_columns(parse_bytes):
    data = (HEADER + "Information,11/30/2026 9:10:00 AM,EventLog,6005,None,The Event log service was started.\r\n"
                     "Information,11/30/2026 9:11:00 AM,EventLog\r\n").encode()
    _, problems = parse_bytes(data, "dhcp-a/events-System.csv")
    assert [str(p) for p in problems][1:] == [
        "dhcp-a/events-System.csv (line 3): has 3 column(s); expected 5 and the message (Event Viewer 'Save All "
        "Events As' CSV (header Level,Date and Time,Source,Event ID,Task Category))"]


def test_a_garbage_row_is_named_with_what_it_holds_not_called_ambiguous(parse_bytes):
    """`foo,bar` under a valid header has no date at all: it was reported as "only dates like
    03/04/2023 ... read both ways", an example date that is nowhere in the file."""
    facts, problems = parse_bytes((HEADER + "foo,bar\r\n").encode(), "dhcp-a/events-System.csv")
    assert facts == []
    assert [str(p) for p in problems] == [
        "dhcp-a/events-System.csv (line 2): has 2 column(s) and Date and Time 'bar' is not a date; expected 5 "
        "columns and the message (Event Viewer 'Save All Events As' CSV (header Level,Date and Time,Source,Event "
        "ID,Task Category)), with a date and time as Event Viewer writes it (M/d/yyyy h:mm:ss AM in en-US, "
        "dd.MM.yyyy HH:mm:ss in de-DE)"]


def test_a_row_whose_date_does_not_parse_is_named_and_the_rest_read(parse_bytes):
    data = (HEADER + "Information,yesterday,EventLog,6005,None,The Event log service was started.\r\n"
                     "Information,11/30/2026 9:10:00 AM,EventLog,6005,None,The Event log service was started.\r\n"
                     ).encode()
    facts, problems = parse_bytes(data, "dhcp-a/events-System.csv")
    assert [(f["event_id"], f["count"], f["first"]) for f in facts] == [(6005, 1, "2026-11-30T09:10:00Z")]
    assert [str(p) for p in problems][1:] == [
        "dhcp-a/events-System.csv (line 2): Date and Time 'yesterday' is not a date; expected a date and time like "
        "'11/30/2026 9:10:00 AM' as in the file's other rows"]


def test_a_garbage_row_beside_two_way_dates_keeps_its_own_message(parse_bytes):
    data = (HEADER + "foo,bar\r\n"
                     "Information,3/4/2026 9:10:00 AM,EventLog,6005,None,The Event log service was started.\r\n"
            ).encode()
    facts, problems = parse_bytes(data, "dhcp-a/events-System.csv")
    assert facts == []
    assert [str(p) for p in problems] == [
        "dhcp-a/events-System.csv: has only dates like '3/4/2026 9:10:00 AM' that read as day-first and as "
        "month-first, and no date above the 12th settles which; the times were not read; 1 record(s) skipped",
        "dhcp-a/events-System.csv (line 2): has 2 column(s) and Date and Time 'bar' is not a date; expected 5 "
        "columns and the message (Event Viewer 'Save All Events As' CSV (header Level,Date and Time,Source,Event "
        "ID,Task Category)), with a date and time like '3/4/2026 9:10:00 AM' as in the file's other rows"]


def test_a_random_csv_is_one_clear_line(parse_bytes):
    with pytest.raises(ArtifactError) as caught:
        parse_bytes(b"Name,Price\r\nwidget,3\r\n", "dhcp-a/events-System.csv")
    assert str(caught.value) == (
        "dhcp-a/events-System.csv: is not an Event Viewer CSV export: its header reads 'Name,Price'; expected "
        "Event Viewer 'Save All Events As' CSV (header Level,Date and Time,Source,Event ID,Task Category)")


def test_headers_and_levels_by_display_language():
    assert looks_like_event_csv("Level,Date and Time,Source,Event ID,Task Category")
    assert looks_like_event_csv("\ufeffEbene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie")
    assert not looks_like_event_csv("Name,Price")
    assert [level_name(x) for x in ("Informationen", "Warnung", "Fehler", "Kritisch", "Ausführlich",
                                    "Critical", "Verbose", "Niveau")] == [
        "Information", "Warning", "Error", "Critical", "Verbose", "Critical", "Verbose", None]


def test_local_times_are_converted_with_the_servers_offset():
    from engine.parsers import Problems
    from engine.parsers.base import Artifact
    from engine.parsers.events import parse_csv
    data = (HEADER + "Information,11/30/2026 10:10:00 AM,Service Control Manager,7036,None,"
                     "The DHCP Server service entered the stopped state.\r\n").encode()
    problems = Problems()
    artifact = Artifact("dhcp-a/events-System.csv", "dhcp-a", "events", "csv", log="System", reader=lambda: data,
                        utc_offset_minutes=60)
    assert [(f["service_state"], f["first"]) for f in parse_csv(artifact, problems)] == [
        ("stopped", "2026-11-30T09:10:00Z")]
    assert [p.message for p in problems] == [
        "holds local times without a time zone (Event Viewer CSV); they were read with the server's UTC offset at "
        "collection (UTC+01:00, from computer.json; month-first dates), so times from the other side of a "
        "daylight-saving change are an hour off"]


def test_messages_in_another_language_are_counted_but_their_fields_not_read(parse_bytes):
    data = ("Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie\r\n"
            'Informationen,30.11.2026 09:10:00,Service Control Manager,7036,Keine,"Der Dienst ""DHCP-Server"" '
            'befindet sich jetzt im Status ""Wird ausgeführt""."\r\n').encode("utf-16")
    facts, problems = parse_bytes(data, "dhcp-a/events-System.csv")
    assert [(f["event_id"], f["count"], f.get("service_name")) for f in facts] == [(7036, 1, None)]
    assert [str(p) for p in problems][1:] == [
        "dhcp-a/events-System.csv (record 1): 1 record(s) of event 7036 carry no insertion strings and their message "
        "does not match the en-US template; service_name, service_state not read"]


def _system_csv(rows: str, collected_at, offset=60):
    from engine.parsers import Problems
    from engine.parsers.base import Artifact
    from engine.parsers.events import parse_csv
    data = (HEADER + rows).encode()
    problems = Problems()
    artifact = Artifact("dhcp-a/events-System.csv", "dhcp-a", "events", "csv", log="System", reader=lambda: data,
                        utc_offset_minutes=offset, collected_at=collected_at)
    return [(f["service_state"], f["first"]) for f in parse_csv(artifact, problems)], [p.message for p in problems]


TWO_WAY = ("Information,12/3/2026 10:10:00 AM,Service Control Manager,7036,None,"
           "The DHCP Server service entered the running state.\r\n"
           "Information,12/2/2026 11:00:00 PM,Service Control Manager,7036,None,"
           "The DHCP Server service entered the stopped state.\r\n")


def test_the_collection_time_settles_dates_that_read_both_ways():
    """12/3 and 12/2 are December 3rd and 2nd, or March 12th and February 12th; a log saved on
    December 3rd holds the first reading (the other would be nine months stale)."""
    from datetime import datetime, timezone
    facts, notes = _system_csv(TWO_WAY, datetime(2026, 12, 3, 9, 30, tzinfo=timezone.utc))
    assert facts == [("running", "2026-12-03T09:10:00Z"), ("stopped", "2026-12-02T22:00:00Z")]
    assert notes == [
        "holds local times without a time zone (Event Viewer CSV); they were read with the server's UTC offset at "
        "collection (UTC+01:00, from computer.json; month-first dates, settled by the collection time in "
        "computer.json), so times from the other side of a daylight-saving change are an hour off"]


def test_a_collection_time_far_from_both_readings_settles_nothing():
    from datetime import datetime, timezone
    facts, notes = _system_csv(TWO_WAY, datetime(2026, 7, 1, 9, 30, tzinfo=timezone.utc))
    assert facts == []
    assert notes == ["has only dates like '12/3/2026 10:10:00 AM' that read as day-first and as month-first, and no "
                     "date above the 12th settles which; the times were not read; 2 record(s) skipped"]


def test_dates_with_day_equal_to_month_need_no_order(parse_bytes):
    data = (HEADER + "Information,12/12/2026 6:43:09 PM,Service Control Manager,7036,None,"
                     "The DHCP Server service entered the stopped state.\r\n").encode()
    facts, problems = parse_bytes(data, "dhcp-a/events-System.csv")
    assert [(f["service_state"], f["first"]) for f in facts] == [("stopped", "2026-12-12T18:43:09Z")]
    assert [str(p) for p in problems] == [UTC_NOTE.format(path="dhcp-a/events-System.csv", order="month-first")]
