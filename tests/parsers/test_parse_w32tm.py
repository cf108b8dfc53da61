"""w32tm /query /status → time_source; w32tm /stripchart → clock_offset."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.errors import ArtifactError
from engine.facts import Source
from engine.parsers import Artifact, Problems, parse_artifact
from engine.parsers.w32tm import parse_sync_time, source_kind

STRIPCHART = "dhcp-a/w32tm-stripchart-dhcp-b.contoso.com.txt"


def test_status_domain_source_verbose_utf16(parse):
    facts, problems = parse("w32tm/status-domain.txt", "dhcp-a/w32tm-status.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "source": "dc1.contoso.com", "source_kind": "domain_or_ntp", "stratum": 4, "leap": 0,
        "synchronized": True, "last_sync_text": "5/23/2023 7:51:39 PM"}]
    assert facts[0].kind == "time_source"
    assert facts[0].source == Source("dhcp-a/w32tm-status.txt")
    assert len(problems) == 0


def test_status_ntp_source_with_flags_day_first_date(parse):
    facts, _ = parse("w32tm/status-ntp-dayfirst.txt", "dhcp-a/w32tm-status.txt")
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "source": "time.windows.com", "source_kind": "domain_or_ntp", "stratum": 2, "leap": 0,
        "synchronized": True, "last_sync_text": "30/05/2023 20:21:27"}]


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
    ("12/1/2023 12:05:00 AM", datetime(2023, 12, 1, 0, 5, 0)),
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
