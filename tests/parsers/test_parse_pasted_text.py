"""Text forms as admins paste them: Format-Table views (cut cells, dropped columns) and console
output with the prompt and command line still in it."""
from __future__ import annotations

from engine.parsers import Problems
from engine.parsers.pstext import table_rows

TABLE_NOTE = ("dhcp-a/failover.txt: is a Format-Table view that may hide data: 3 value(s) cut short with '...' (the "
              "first: name on line 5) were not read; collect it with Format-List or ConvertTo-Json for every value")


def test_failover_as_a_table(parse):
    facts, problems = parse("failover/table.txt", "dhcp-a/failover.txt")
    assert [(f["name"], f["state"], f["mode"], f["mclt_s"], f.get("scopes"), f.source.record) for f in facts] == [
        ("dhcp-a-dhcp-b", "CommunicationInterrupted", "LoadBalance", 3600, "10.0.10.0,10.0.20.0", "line 4"),
        ("dhcp-a-dhcp-c", "PartnerDown", "HotStandby", 1800, None, "line 6"),  # cut ScopeId: not compared
    ]
    assert [str(p) for p in problems] == [
        TABLE_NOTE, "dhcp-a/failover.txt (line 5): has no Name; expected a failover relationship record"]


def test_services_table_with_cut_cells_and_removed_columns(parse):
    facts, problems = parse("services/table-cut.txt", "dhcp-a/services.txt")
    assert [(f["name"], f["status"]) for f in facts] == [("DHCPServer", "Running"), ("W32Time", "Stopped")]
    assert [str(p) for p in problems] == [
        "dhcp-a/services.txt: is a Format-Table view that may hide data: 1 value(s) cut short with '...' (the "
        "first: displayname on line 7) were not read; 2 column(s) did not fit the console and were removed; "
        "collect it with Format-List or ConvertTo-Json for every value"]


def test_powershell_7_ellipsis_is_a_cut_too():
    problems = Problems()
    rows = table_rows("Name  State\n----  -----\nr1    Communicat…\n", "x.txt", problems)
    assert [row.cells for row in rows] == [{"name": "r1"}]
    assert len(problems) == 1


def test_a_complete_table_says_nothing():
    problems = Problems()
    rows = table_rows("Name  State\n----  -----\nr1    Normal\n", "x.txt", problems)
    assert [row.cells for row in rows] == [{"name": "r1", "state": "Normal"}]
    assert len(problems) == 0


def test_test_netconnection_pasted_with_its_prompt(parse_bytes):
    text = ("PS C:\\Users\\admin> Test-NetConnection -ComputerName dhcp-b.contoso.com -Port 647\r\n"
            "WARNING: TCP connect to (10.0.0.2 : 647) failed\r\n\r\n\r\n"
            "ComputerName           : dhcp-b.contoso.com\r\nRemoteAddress          : 10.0.0.2\r\n"
            "RemotePort             : 647\r\nInterfaceAlias         : Ethernet\r\n"
            "SourceAddress          : 10.0.0.1\r\nPingSucceeded          : True\r\n"
            "PingReplyDetails (RTT) : 0 ms\r\nTcpTestSucceeded       : False\r\n\r\n\r\nPS C:\\Users\\admin>\r\n")
    facts, problems = parse_bytes(text.encode("utf-8"), "dhcp-a/tnc-dhcp-b.contoso.com-647.txt")
    assert [(f["target"], f["port"], f["ok"], f["ping_ok"]) for f in facts] == [
        ("dhcp-b.contoso.com", 647, False, True)]
    assert len(problems) == 0


def test_w32tm_pasted_from_cmd_with_its_prompt(parse_bytes):
    text = ("C:\\Windows\\system32>w32tm /query /status\r\nLeap Indicator: 0(no warning)\r\n"
            "Stratum: 4 (secondary reference - syncd by (S)NTP)\r\nPrecision: -23 (119.209ns per tick)\r\n"
            "Last Successful Sync Time: 9/15/2025 12:01:31 AM\r\nSource: dc1.contoso.com\r\n"
            "Poll Interval: 6 (64s)\r\n\r\nC:\\Windows\\system32>w32tm /stripchart /computer:dhcp-b /dataonly\r\n")
    facts, _ = parse_bytes(text.encode("utf-8"), "dhcp-a/w32tm-status.txt")
    assert [(f["source"], f["stratum"], f["leap"], f["synchronized"]) for f in facts] == [
        ("dc1.contoso.com", 4, 0, True)]
