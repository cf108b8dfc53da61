"""w32tm /query /status → time_source; w32tm /stripchart → clock_offset."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from engine.errors import ArtifactError
from engine.facts import Source
from engine.parsers import Artifact, Problems, parse_artifact
from engine.parsers.w32tm import parse_sync_time, source_kind

STRIPCHART = "dhcp-a/w32tm-stripchart-dhcp-b.contoso.com.txt"
STATUS = "dhcp-a/w32tm-status.txt"
READ_AS_UTC = ("{path} (line {line}): Last Successful Sync Time {text!r} is local time without a time zone (w32tm) "
               "and computer.json gives no UtcOffsetMinutes; it was read as UTC, so compare it with other times with "
               "care")


def test_status_domain_source_verbose_utf16(parse):
    facts, problems = parse("w32tm/status-domain.txt", "dhcp-a/w32tm-status.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "source": "dc1.contoso.com", "source_kind": "domain_or_ntp", "stratum": 4, "leap": 0,
        "synchronized": True, "last_sync": "2023-05-23T19:51:39Z", "last_sync_text": "5/23/2023 7:51:39 PM"}]
    assert facts[0].kind == "time_source"
    assert facts[0].source == Source("dhcp-a/w32tm-status.txt")
    # no computer.json beside it: the local time is read as UTC, and the report says so
    assert [str(p) for p in problems] == [READ_AS_UTC.format(path=STATUS, line=7, text="5/23/2023 7:51:39 PM")]


def test_status_ntp_source_with_flags_day_first_date(parse):
    facts, _ = parse("w32tm/status-ntp-dayfirst.txt", "dhcp-a/w32tm-status.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "source": "time.windows.com", "source_kind": "domain_or_ntp", "stratum": 2, "leap": 0,
        "synchronized": True, "last_sync": "2023-05-30T20:21:27Z", "last_sync_text": "30/05/2023 20:21:27"}]


def test_status_local_cmos_clock_unsynchronised(parse):
    facts, _ = parse("w32tm/status-cmos.txt", "dhcp-b/w32tm-status.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-b", "source": "Local CMOS Clock", "source_kind": "local_cmos", "stratum": 0, "leap": 3,
        "synchronized": False, "last_sync_text": "unspecified"}]


def test_status_free_running_clock_is_never_synchronised(parse):
    facts, _ = parse("w32tm/status-free-running.txt", "dhcp-b/w32tm-status.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-b", "source": "Free-running System Clock", "source_kind": "free_running", "stratum": 1,
        "leap": 0, "synchronized": False, "last_sync_text": "03/04/2026 10:00:00"}]


def test_status_hyperv_source_with_utc_sync_time(parse):
    facts, _ = parse("w32tm/status-vmic.txt", "dhcp-b/w32tm-status.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-b", "source": "VM IC Time Synchronization Provider", "source_kind": "vm_ic", "stratum": 2,
        "leap": 0, "synchronized": True, "last_sync": "2026-11-30T08:58:01Z",
        "last_sync_text": "2026-11-30T08:58:01Z"}]


def test_status_error_is_quoted(parse):
    with pytest.raises(ArtifactError) as caught:
        parse("w32tm/status-stopped.txt", "dhcp-b/w32tm-status.txt")
    assert str(caught.value) == (
        "dhcp-b/w32tm-status.txt: has no status lines; expected w32tm /query /status output ('Leap Indicator:', "
        "'Stratum:', 'Source:' lines); it reads 'The following error occurred: The service has not been started. "
        "(0x80070426)'")


def test_status_without_leap_or_stratum_leaves_synchronized_open(parse_bytes):
    facts, _ = parse_bytes(b"Source: dc1.contoso.com\n", "dhcp-a/w32tm-status.txt")
    assert facts[0].fields == {"server": "dhcp-a", "source": "dc1.contoso.com", "source_kind": "domain_or_ntp"}


@pytest.mark.parametrize("source, kind", [
    ("dc1.contoso.com", "domain_or_ntp"), ("10.0.0.10", "domain_or_ntp"), ("DC1", "domain_or_ntp"),
    ("local cmos clock", "local_cmos"), ("Free-running System Clock", "free_running"),
    ("VM IC Time Synchronization Provider", "vm_ic"), ("Some Other Provider", "unknown"),
])
def test_source_kind(source, kind):
    assert source_kind(source) == kind


@pytest.mark.parametrize("text, expected", [
    ("5/23/2023 7:51:39 PM", datetime(2023, 5, 23, 19, 51, 39)),
    ("12/1/2023 12:05:00 AM", None),  # AM/PM settles nothing: en-AU writes 12 January so, day first
    ("13/1/2023 12:05:00 AM", datetime(2023, 1, 13, 0, 5, 0)),
    ("15.09.2025 13:12:56", datetime(2025, 9, 15, 13, 12, 56)),
    ("2025-09-15 13:12:56", datetime(2025, 9, 15, 13, 12, 56)),
    ("30/05/2023 20:21:27", datetime(2023, 5, 30, 20, 21, 27)),
    ("05/30/2023 20:21:27", datetime(2023, 5, 30, 20, 21, 27)),
    ("2026-11-30T08:58:01Z", datetime(2026, 11, 30, 8, 58, 1, tzinfo=timezone.utc)),
    ("2026-11-30 09:58:01+01:00", datetime(2026, 11, 30, 8, 58, 1, tzinfo=timezone.utc)),
    ("03/04/2026 10:00:00", None),
    ("unspecified", None),
    ("31/02/2023 10:00:00", None),
    ("5/23/2023 13:51:39 PM", None),
])
def test_parse_sync_time_only_when_unambiguous(text, expected):
    assert parse_sync_time(text) == expected


def _status(text: str, offset=None, collected=None) -> tuple[list, list[str]]:
    """Parse a w32tm status as the bundle hands it over: with the server's UtcOffsetMinutes and
    CollectedAtUtc from its computer.json (None when the bundle has none)."""
    problems = Problems()
    artifact = Artifact(STATUS, "dhcp-a", "w32tm-status", "txt", reader=lambda: text.encode(),
                        utc_offset_minutes=offset, collected_at=collected)
    facts = parse_artifact(artifact, problems)
    return [f.get("last_sync") for f in facts], [str(p) for p in problems]


TWO_WAY = ("Leap Indicator: 0(no warning)\nStratum: 2 (secondary reference - syncd by (S)NTP)\n"
           "Last Successful Sync Time: 03/04/2023 10:00:00\nSource: time.windows.com,0x9\n")
APRIL_3RD = datetime(2023, 4, 3, 9, 30, tzinfo=timezone.utc)  # 10:30 on a UTC+01:00 server


def test_a_sync_time_that_reads_both_ways_is_reported_and_left_unread():
    """03/04/2023 is the 3rd of April or the 4th of March: without the verbose line that says how
    long ago the sync was, even the collection time cannot tell (a broken time service keeps an
    old sync time), so it is named and not read."""
    assert _status(TWO_WAY, offset=60, collected=APRIL_3RD) == ([None], [
        f"{STATUS} (line 3): Last Successful Sync Time '03/04/2023 10:00:00' reads both ways, 2023-04-03 day-first "
        "and 2023-03-04 month-first; no day above the 12th settles which and there is no 'Time since Last Good "
        "Sync Time' line (w32tm /query /status /verbose) to count back from the collection time, so it was left "
        "unread"])
    assert _status(TWO_WAY) == ([None], [
        f"{STATUS} (line 3): Last Successful Sync Time '03/04/2023 10:00:00' reads both ways, 2023-04-03 day-first "
        "and 2023-03-04 month-first; no day above the 12th settles which and computer.json gives no CollectedAtUtc "
        "to compare it with, so it was left unread"])


@pytest.mark.parametrize("collected, last_sync", [
    (APRIL_3RD, "2023-04-03T09:00:00Z"),                                       # day-first
    (datetime(2023, 3, 4, 9, 30, tzinfo=timezone.utc), "2023-03-04T09:00:00Z"),  # month-first
])
def test_the_verbose_elapsed_time_and_the_collection_time_settle_a_two_way_sync_time(collected, last_sync):
    """Collected at 10:30 local, synchronised 1,800 s before: 10:00 on the day the collection
    names. The other reading is four weeks away, so this is no guess."""
    verbose = TWO_WAY + "Time since Last Good Sync Time: 1800.5000000s\n"
    assert _status(verbose, offset=60, collected=collected) == ([last_sync], [])


def test_an_elapsed_time_that_fits_neither_reading_settles_nothing():
    verbose = TWO_WAY + "Time since Last Good Sync Time: 15552000.0000000s\n"  # 180 days
    assert _status(verbose, offset=60, collected=APRIL_3RD) == ([None], [
        f"{STATUS} (line 3): Last Successful Sync Time '03/04/2023 10:00:00' reads both ways, 2023-04-03 day-first "
        "and 2023-03-04 month-first; no day above the 12th settles which and neither reading lies within a day of "
        "the collection time less 'Time since Last Good Sync Time', so it was left unread"])


@pytest.mark.parametrize("line, offset, last_sync", [
    ("Last Successful Sync Time: 5/23/2023 7:51:39 PM", -300, "2023-05-24T00:51:39Z"),  # en-US, UTC-05:00
    ("Last Successful Sync Time: 30/05/2023 20:21:27", 120, "2023-05-30T18:21:27Z"),   # en-GB, UTC+02:00
    ("Letzte erfolgr. Synchronisierungszeit: 15.09.2025 13:12:56", 120, "2025-09-15T11:12:56Z"),
    ("Last Successful Sync Time: 2026-11-30 09:58:01", 60, "2026-11-30T08:58:01Z"),
    ("Last Successful Sync Time: 2026-11-30T08:58:01Z", 60, "2026-11-30T08:58:01Z"),  # already UTC
])
def test_a_local_sync_time_is_converted_with_the_servers_utc_offset(line, offset, last_sync):
    assert _status(f"Stratum: 2\n{line}\n", offset=offset) == ([last_sync], [])


def test_a_local_sync_time_without_the_servers_offset_is_read_as_utc_and_said_so():
    assert _status("Stratum: 2\nLast Successful Sync Time: 30/05/2023 20:21:27\n") == (["2023-05-30T20:21:27Z"], [
        READ_AS_UTC.format(path=STATUS, line=2, text="30/05/2023 20:21:27")])


@pytest.mark.parametrize("value, message", [
    ("31/02/2023 10:00:00", "Last Successful Sync Time '31/02/2023 10:00:00' is not a valid day-first date and "
                            "time; left unread"),
    ("2023/99 10:00", "Last Successful Sync Time '2023/99 10:00' is not a date and time; expected one as w32tm "
                      "prints it (e.g. 30/05/2023 20:21:27, 15.09.2025 13:12:56); left unread"),
])
def test_a_sync_time_that_is_no_date_is_named(value, message):
    assert _status(f"Stratum: 2\nLast Successful Sync Time: {value}\n", offset=0) == (
        [None], [f"{STATUS} (line 2): {message}"])


def test_never_synchronised_is_no_problem():
    assert _status("Stratum: 0\nLast Successful Sync Time: unspecified\n", offset=0) == ([None], [])


def test_a_two_way_sync_time_is_a_problem_of_the_bundle_in_inspect_and_diagnose(tmp_path, capsys):
    """The issue's report: `fodoc inspect` showed no problem and the JSON report's problems were []."""
    from engine.cli import main
    server = tmp_path / "bundle" / "dhcp-a"
    server.mkdir(parents=True)
    (server / "w32tm-status.txt").write_text(TWO_WAY)
    (server / "computer.json").write_text(json.dumps({"HostName": "dhcp-a", "UtcOffsetMinutes": 60,
                                                      "CollectedAtUtc": "2023-04-03T09:30:00Z"}))
    line = (f"{STATUS} (line 3): Last Successful Sync Time '03/04/2023 10:00:00' reads both ways, 2023-04-03 "
            "day-first and 2023-03-04 month-first; no day above the 12th settles which and there is no 'Time since "
            "Last Good Sync Time' line (w32tm /query /status /verbose) to count back from the collection time, so "
            "it was left unread")
    for command in (["inspect"], ["diagnose", "--engine", "native"]):
        with pytest.raises(SystemExit):
            main(command + [str(tmp_path / "bundle"), "--format", "json"])
        report = json.loads(capsys.readouterr().out)
        if command == ["inspect"]:
            files = {f["path"]: f for f in report["files"]}
            assert files[STATUS]["problems"] == [line]
        else:
            assert line in report["problems"]


def test_stripchart_dataonly_utf16(parse):
    facts, problems = parse("w32tm/stripchart-ok.txt", STRIPCHART)
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "reference": "dhcp-b.contoso.com", "offset_s": 0.0019, "abs_offset_s": 0.0019,
        "samples": 5, "failed_samples": 0}]
    assert facts[0].kind == "clock_offset"
    assert facts[0].source == Source(STRIPCHART, "line 4")
    assert len(problems) == 0


def test_stripchart_with_error_lines_and_large_negative_offset(parse):
    facts, _ = parse("w32tm/stripchart-errors.txt", STRIPCHART)
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "reference": "dhcp-b.contoso.com", "offset_s": -312.5, "abs_offset_s": 312.5,
        "samples": 3, "failed_samples": 2}]


def test_stripchart_decimal_comma_localised_headers(parse):
    facts, _ = parse("w32tm/stripchart-comma.txt", STRIPCHART)
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "reference": "dhcp-b.contoso.com", "offset_s": 95.0020825, "abs_offset_s": 95.0020825,
        "samples": 4, "failed_samples": 0}]


def test_stripchart_without_dataonly(parse):
    facts, _ = parse("w32tm/stripchart-full.txt", STRIPCHART)
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "reference": "dhcp-b.contoso.com", "offset_s": -0.6887759, "abs_offset_s": 0.6887759,
        "samples": 3, "failed_samples": 1}]


def test_stripchart_all_samples_failed_has_no_offset(parse):
    facts, _ = parse("w32tm/stripchart-allfailed.txt", STRIPCHART)
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "reference": "dhcp-b.contoso.com", "samples": 0, "failed_samples": 3}]


def test_stripchart_that_never_ran_quotes_the_error(parse):
    with pytest.raises(ArtifactError) as caught:
        parse("w32tm/stripchart-unresolved.txt", "dhcp-a/w32tm-stripchart-dhcp-x.contoso.com.txt")
    assert str(caught.value) == (
        "dhcp-a/w32tm-stripchart-dhcp-x.contoso.com.txt: has no samples; expected w32tm /stripchart /dataonly "
        "output (lines like '08:23:44, +00.0022650s'); w32tm printed 'The following error occurred: No such host "
        "is known. (0x80072AF9)'")


def test_stripchart_reference_from_tracking_line_for_a_loose_file():
    data = b"Tracking 10.0.0.2 [10.0.0.2:123].\nCollecting 1 samples.\n08:00:00, +01.5000000s\n"
    artifact = Artifact(path="stripchart.txt", server=None, family="w32tm-stripchart", fmt="txt",
                        reader=lambda: data)
    facts = parse_artifact(artifact, Problems())
    assert facts[0].fields == {"reference": "10.0.0.2", "offset_s": 1.5, "abs_offset_s": 1.5, "samples": 1,
                               "failed_samples": 0}


def test_a_stripchart_sample_that_is_no_offset_is_said_and_left_out_of_the_median(parse_bytes):
    text = ("Tracking dhcp-b.contoso.com [10.0.0.2:123].\r\nThe current time is 11/30/2026 9:00:00 AM.\r\n"
            "09:00:00, +00.0012345s\r\n09:00:02, NaNs\r\n09:00:04, +1e29s\r\n09:00:06, +00.0012355s\r\n")
    facts, problems = parse_bytes(text.encode("utf-8"), "dhcp-a/w32tm-stripchart-dhcp-b.contoso.com.txt")
    [offset] = facts
    assert (offset["samples"], offset["offset_s"]) == (2, 0.001235)
    assert [str(p) for p in problems.items] == [
        "dhcp-a/w32tm-stripchart-dhcp-b.contoso.com.txt (line 4): sample '09:00:02, NaNs' is not an offset such as "
        "14:28:01, +00.0123456s or an error; left out of the median",
        "dhcp-a/w32tm-stripchart-dhcp-b.contoso.com.txt (line 5): sample '09:00:04, +1e29s' is not an offset such as "
        "14:28:01, +00.0123456s or an error; left out of the median"]
