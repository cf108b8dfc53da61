"""Localised output: German and French w32tm labels, OEM code page text, dates and decimal commas.

status-de-de-oem850.txt and status-fr-fr.txt are the real de-DE and fr-FR `w32tm /query /status
/verbose` outputs published in Checkmk's w32time_status tests, laid out as w32tm prints them: the
German one as cmd.exe redirection writes it (code page 850, CRLF), the French one as Windows
PowerShell's `>` writes it (UTF-16 LE with BOM).
"""
from __future__ import annotations

from datetime import datetime

import pytest

from engine.parsers.localdates import (DAY_FIRST, MONTH_FIRST, YEAR_FIRST, decimal, parse_stamp,
                                       settle_order)
from engine.parsers.w32tm import parse_sync_time

STATUS = "dhcp-a/w32tm-status.txt"


def test_german_status_in_oem_code_page(parse):
    facts, problems = parse("w32tm/status-de-de-oem850.txt", STATUS)
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "source": "de.pool.ntp.org", "source_kind": "domain_or_ntp", "stratum": 3, "leap": 0,
        "synchronized": True, "last_sync": "2025-09-15T13:12:56Z", "last_sync_text": "15.09.2025 13:12:56"}]
    assert [str(p) for p in problems] == [
        f"{STATUS}: is not UTF-8 or UTF-16 (is not valid UTF-8 (byte 53); expected UTF-8 or UTF-16 with a "
        "byte-order mark); read as OEM code page 850, what cmd.exe redirection writes on Western European systems",
        f"{STATUS} (line 7): Last Successful Sync Time '15.09.2025 13:12:56' is local time without a time zone "
        "(w32tm) and computer.json gives no UtcOffsetMinutes; it was read as UTC, so compare it with other times "
        "with care"]


def test_french_status(parse):
    facts, problems = parse("w32tm/status-fr-fr.txt", STATUS)
    assert [f.fields for f in facts] == [{
        "server": "dhcp-a", "source": "VM IC Time Synchronization Provider", "source_kind": "vm_ic", "stratum": 4,
        "leap": 0, "synchronized": True, "last_sync": "2025-09-15T01:11:10Z", "last_sync_text": "15/09/2025 01:11:10"}]
    assert [p.record for p in problems] == ["line 7"]  # read as UTC: there is no computer.json beside it


def test_localised_elapsed_lines_settle_a_two_way_sync_time():
    """The de-DE and fr-FR verbose outputs name "Time since Last Good Sync Time" in their language."""
    from datetime import timezone

    from engine.parsers import Artifact, Problems, parse_artifact
    lines = {"de": ("Letzte erfolgr. Synchronisierungszeit: 03/04/2023 10:00:00\r\n"
                    "Zeit seit der letzten erfolgr. Synchronisierungszeit: 1800.5000000s\r\n"),
             "fr": ("Heure de la dernière synchronisation réussie : 03/04/2023 10:00:00\r\n"
                    "Durée écoulée depuis l’heure de la dernière synchronisation réussie : 1800.5000000s\r\n")}
    for text in lines.values():
        problems = Problems()
        artifact = Artifact(STATUS, "dhcp-a", "w32tm-status", "txt", reader=lambda t=text: t.encode("utf-8-sig"),
                            utc_offset_minutes=120, collected_at=datetime(2023, 4, 3, 8, 30, tzinfo=timezone.utc))
        assert [f.get("last_sync") for f in parse_artifact(artifact, problems)] == ["2023-04-03T08:00:00Z"]
        assert len(problems) == 0


def test_german_unsynchronised_local_clock(parse_bytes):
    text = ("Sprungindikator: 3(nicht synchronisiert)\r\nStratum: 0 (nicht angegeben)\r\n"
            "Letzte erfolgr. Synchronisierungszeit: nicht angegeben\r\nQuelle: Lokale CMOS-Uhr\r\n")
    facts, _ = parse_bytes(text.encode("utf-8-sig"), STATUS)
    assert (facts[0]["source_kind"], facts[0]["synchronized"]) == ("local_cmos", False)


@pytest.mark.parametrize("text, expected", [
    ("15.09.2025 13:12:56", datetime(2025, 9, 15, 13, 12, 56)),     # de-DE: dotted is day first
    ("03.04.2025 13:12:56", datetime(2025, 4, 3, 13, 12, 56)),
    ("30/05/2023 20:21:27", datetime(2023, 5, 30, 20, 21, 27)),
    ("03/04/2023 10:00:00", None),                                   # either order: not guessed
])
def test_sync_time_is_read_only_when_unambiguous(text, expected):
    assert parse_sync_time(text) == expected


@pytest.mark.parametrize("text, order", [
    ("5/23/2023 7:51:39 PM", MONTH_FIRST), ("30/05/2023 20:21:27", DAY_FIRST), ("27.10.2021 12:28:26", DAY_FIRST),
    ("2023-05-30 20:21:27", YEAR_FIRST), ("03/04/2023 10:00:00", None), ("10/7/2016 06:38:24 PM", None),
])
def test_what_a_date_settles_by_itself(text, order):
    assert parse_stamp(text).natural_order() == order


def test_pm_and_hours():
    stamp = parse_stamp("10/7/2016 12:38:24 AM")
    assert stamp.to_datetime(MONTH_FIRST) == datetime(2016, 10, 7, 0, 38, 24)
    assert stamp.to_datetime(DAY_FIRST) == datetime(2016, 7, 10, 0, 38, 24)
    assert parse_stamp("10/7/2016 13:38:24 PM").to_datetime(MONTH_FIRST) is None
    assert parse_stamp("yesterday") is None


def test_file_order_from_its_dates():
    stamps = [parse_stamp(t) for t in ("3/4/2026 9:00:00", "3/14/2026 9:00:00")]
    assert settle_order(stamps).order == MONTH_FIRST
    unsettled = settle_order([parse_stamp("3/4/2026 9:00:00")])
    assert unsettled.order is None and "no date above the 12th" in unsettled.problem


@pytest.mark.parametrize("text, value", [("+00,0123456", 0.0123456), ("-312.5000000", -312.5), ("95,01", 95.01),
                                         ("1,234,5", None), ("abc", None)])
def test_decimal_comma(text, value):
    assert decimal(text) == value
