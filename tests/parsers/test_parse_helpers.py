"""Shared readers: PowerShell JSON quirks, Format-List/Table text, dates, event templates, log names."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.parsers.base import is_ipv4, join_addresses
from engine.parsers.dates import parse_dotnet_date, parse_iso, utc_text
from engine.parsers.event_templates import FieldSpec, find_template, provider_key
from engine.parsers.logs import canonical_log
from engine.parsers.psjson import (bool_value, date_value, enum_value, int_value, ip_text, text_list, text_value,
                                   timespan_seconds)
from engine.parsers.pstext import list_items, parse_format_list, parse_tables

UTC = timezone.utc


# --- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("2026-11-30T08:59:12Z", datetime(2026, 11, 30, 8, 59, 12, tzinfo=UTC)),
    ("2026-11-30T08:59:12.123456789Z", datetime(2026, 11, 30, 8, 59, 12, tzinfo=UTC)),
    ("2026-11-30T09:59:12.1234567+01:00", datetime(2026, 11, 30, 8, 59, 12, tzinfo=UTC)),
    ("2026-11-30T01:59:12-0700", datetime(2026, 11, 30, 8, 59, 12, tzinfo=UTC)),
    ("2026-11-30 08:59", datetime(2026, 11, 30, 8, 59)),
    ("2026-11-30T08:59:12", datetime(2026, 11, 30, 8, 59, 12)),
    ("2026-13-30T08:59:12Z", None), ("2026-11-30T08:59:12+25:00", None), ("30/11/2026", None), ("", None),
])
def test_parse_iso(text, expected):
    assert parse_iso(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("/Date(1796029200000)/", datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
    ("/Date(1796029200000+0100)/", datetime(2026, 11, 30, 9, 0, tzinfo=UTC)),
    ("/Date(-1000)/", datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ("/Date(99999999999999999999)/", None), ("Date(1)", None),
])
def test_parse_dotnet_date(text, expected):
    assert parse_dotnet_date(text) == expected


def test_utc_text_drops_sub_seconds_and_converts():
    assert utc_text(parse_iso("2026-11-30T09:59:12.9+01:00")) == "2026-11-30T08:59:12Z"


# --- PowerShell JSON values ------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ({"Ticks": 36000000000, "TotalSeconds": 3600}, 3600.0), ({"ticks": 18000000000}, 1800.0),
    ("01:00:00", 3600.0), ("1.02:03:04", 93784.0), ("00:00:30.5000000", 30.5), ("-00:01:00", -60.0),
    ("PT1H30M", 5400.0), ("P1DT2S", 86402.0), ("00:10", 600.0),
    (3600, None), (None, None), ("", None), ("soon", None), ("PT", None), ({"Days": 1}, None),
])
def test_timespan_seconds(value, expected):
    assert timespan_seconds(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("10.0.0.2", "10.0.0.2"), (" 10.0.0.2 ", "10.0.0.2"), ({"IPAddressToString": "10.0.0.2"}, "10.0.0.2"),
    ({"Address": 33554442, "AddressFamily": 2}, "10.0.0.2"), ({"address": "655370"}, "10.0.10.0"),
    ({"AddressFamily": 23}, None), (7, None), ("", None),
])
def test_ip_text(value, expected):
    assert ip_text(value) == expected


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), ("True", True), ("false", False), (" TRUE ", True), (1, True), (0, False),
    ("1", True), (2, None), ("yes", None), (None, None),
])
def test_bool_value(value, expected):
    assert bool_value(value) is expected


@pytest.mark.parametrize("value, expected", [
    (5, 5), ("50", 50), (" 7 ", 7), ("-3", -3), (3600.0, 3600), ("3600.0", 3600), (1.5, None), ("1.5", None),
    (True, None), ("", None), (None, None), ([1], None),
])
def test_int_value(value, expected):
    assert int_value(value) == expected


def test_enum_value_accepts_numbers_and_names_in_any_case():
    names = {1: "Inbound", 2: "Outbound"}
    assert [enum_value(v, names) for v in (1, "2", "outbound", "INBOUND", 3, "Sideways", None)] == [
        "Inbound", "Outbound", "Outbound", "Inbound", None, None, None]


def test_text_value_and_text_list():
    assert [text_value(v) for v in (None, "", "  x ", 5, 2.5, False, {"IPAddressToString": "10.0.0.1"}, [1])] == [
        None, None, "x", "5", "2.5", "False", "10.0.0.1", None]
    assert text_list(["10.0.0.1", None, {"IPAddressToString": "10.0.0.2"}, ""]) == ["10.0.0.1", "10.0.0.2"]
    assert text_list("10.0.0.1") == ["10.0.0.1"]
    assert text_list(None) is None


def test_date_value_forms():
    assert date_value("/Date(1796029200000)/") == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert date_value({"value": "/Date(1796029200000)/", "DisplayHint": 2}) == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert date_value("2026-11-30T10:00:00+01:00") == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert date_value(1796029200000) is None


def test_join_addresses_orders_numerically_and_dedupes():
    assert join_addresses(["10.0.20.0", "10.0.3.0", " 10.0.3.0", "dhcp-b", "", "10.0.10.0"]) == \
        "10.0.3.0,10.0.10.0,10.0.20.0,dhcp-b"
    assert join_addresses([]) == ""
    assert [is_ipv4(v) for v in ("10.0.0.2", "fd00::2", "dhcp-b", "10.0.0.256")] == [True, False, False, False]


# --- Format-List / Format-Table --------------------------------------------------------------

def test_format_list_records_warnings_and_wrapped_values():
    text = ("WARNING: TCP connect to (10.0.0.2 : 647) failed\n"
            "\n"
            "ComputerName           : 10.0.0.2\n"
            "PingReplyDetails (RTT) : 0 ms\n"
            "Description            : a long value that\n"
            "                         wraps\n"
            "Empty                  :\n"
            "\n"
            "\n"
            "Name : second\n")
    listing = parse_format_list(text)
    assert [(r.line, r.fields) for r in listing.records] == [
        (3, {"computername": "10.0.0.2", "pingreplydetails (rtt)": "0 ms",
             "description": "a long value that wraps", "empty": ""}),
        (10, {"name": "second"}),
    ]
    assert listing.other == [(1, "WARNING: TCP connect to (10.0.0.2 : 647) failed")]
    assert listing.records[0].get("Empty") is None
    assert listing.records[0].get("ComputerName") == "10.0.0.2"


def test_format_list_error_records_are_not_properties():
    listing = parse_format_list("Get-Service : Cannot find any service\n    + CategoryInfo : ObjectNotFound\n")
    assert listing.records == []
    assert listing.other == [(1, "Get-Service : Cannot find any service"), (2, "+ CategoryInfo : ObjectNotFound")]


@pytest.mark.parametrize("value, expected", [
    ("{10.0.20.0, 10.0.10.0}", (["10.0.20.0", "10.0.10.0"], False)),
    ("{}", ([], False)), ("", ([], False)), (None, ([], False)), ("10.0.10.0", (["10.0.10.0"], False)),
    ("{a, b, c, d...}", (["a", "b", "c", "d"], True)), ("{a, b, c, d\u2026}", (["a", "b", "c", "d"], True)),
])
def test_list_items(value, expected):
    assert list_items(value) == expected


def test_format_table_right_aligned_numbers_reaching_left_of_the_underline():
    text = ("\n"
            "Name                Type    TTL Section IPAddress\n"
            "----                ----    --- ------- ---------\n"
            "dhcp-b.contoso.com  A     86400 Answer  10.0.0.2\n"
            "dhcp-b.contoso.com  AAAA     60 Answer  fd00::2\n"
            "\n"
            "Status   Name\n"
            "------   ----\n"
            "Running  W32Time\n")
    assert [(row.line, row.cells) for row in parse_tables(text)] == [
        (4, {"name": "dhcp-b.contoso.com", "type": "A", "ttl": "86400", "section": "Answer", "ipaddress": "10.0.0.2"}),
        (5, {"name": "dhcp-b.contoso.com", "type": "AAAA", "ttl": "60", "section": "Answer", "ipaddress": "fd00::2"}),
        (9, {"status": "Running", "name": "W32Time"}),
    ]


def test_format_table_short_rows():
    rows = parse_tables("Status   Name     DisplayName\n------   ----     -----------\nStopped  Dhcp\n")
    assert rows[0].cells == {"status": "Stopped", "name": "Dhcp", "displayname": ""}
    assert rows[0].get("DisplayName") is None


# --- event templates and log names -----------------------------------------------------------

def test_template_regex_tolerates_windows_spacing():
    template = find_template(20253, "Microsoft-Windows-DHCP-Server")
    message = ("The server detected that it is out of time synchronization with partner server: dhcp-b for "
               "failover relationship: dc1.contoso.com-10.0.0.2.\r\n The time is out of sync by: 95 seconds.")
    assert template.read(None, message) == {"partner": "dhcp-b", "relationship": "dc1.contoso.com-10.0.0.2",
                                            "skew_s": "95"}


def test_template_prefers_complete_insertion_strings_and_falls_back_to_the_message():
    template = find_template(20255, "DhcpServer")
    message = "Server has lost contact with failover partner server  10.0.0.2 for relationship r1 ."
    assert template.read(("dhcp-b", "r2"), message) == {"partner": "dhcp-b", "relationship": "r2"}
    assert template.read(("dhcp-b",), message) == {"partner": "10.0.0.2", "relationship": "r1"}
    assert template.read((), "Le serveur a perdu le contact") is None
    assert template.read(None, None) is None


def test_templates_are_matched_by_provider():
    assert find_template(7036, "Service Control Manager").provider == "Service Control Manager"
    assert find_template(7036, "Some-Other-Provider") is None
    assert find_template(6008, None).provider == "EventLog"
    assert find_template(1, "Microsoft-Windows-DHCP-Server") is None
    assert provider_key("Microsoft-Windows-DHCP-Server") == provider_key("DhcpServer") == "dhcpserver"


def test_every_listed_event_has_a_template():
    wanted = ([1004, 1008, 1046, 1063, 20165, 20242] + list(range(20251, 20289))
              + [20291, 20292, 20311, 20312, 20313])
    assert [n for n in wanted if find_template(n, "Microsoft-Windows-DHCP-Server") is None] == []
    assert [n for n in (7031, 7034, 7036) if find_template(n, "Service Control Manager") is None] == []
    assert [n for n in (6005, 6006, 6008) if find_template(n, "EventLog") is None] == []


@pytest.mark.parametrize("spec, raw, expected", [
    (FieldSpec("new_state", 4, "state"), "PARTNER DOWN", "PartnerDown"),
    (FieldSpec("skew_s", 3, "int"), "95", 95), (FieldSpec("skew_s", 3, "int"), "95,5", 95),
    (FieldSpec("skew_s", 3, "int"), "many", None),
    (FieldSpec("reject_reason", 3, "reason"), " (Outdated binding information ) ", "Outdated binding information"),
    (FieldSpec("scope", 1), "10.0.10.0", "10.0.10.0"),
])
def test_field_conversion(spec, raw, expected):
    assert spec.convert(raw) == expected


@pytest.mark.parametrize("name, expected", [
    ("DhcpAdminEvents", "DhcpAdminEvents"), ("dhcpadminevents", "DhcpAdminEvents"), ("SYSTEM", "System"),
    ("Microsoft-Windows-Dhcp-Server/Operational", "Microsoft-Windows-Dhcp-Server/Operational"),
    ("microsoft-windows-dhcp-server-operational", "Microsoft-Windows-Dhcp-Server/Operational"),
    ("Microsoft-Windows-Time-Service%4Operational", "Microsoft-Windows-Time-Service/Operational"),
    ("Microsoft-Windows-Dhcp-Server-FilterNotifications", "Microsoft-Windows-Dhcp-Server/FilterNotifications"),
    ("Application", "Application"),
])
def test_canonical_log(name, expected):
    assert canonical_log(name) == expected
