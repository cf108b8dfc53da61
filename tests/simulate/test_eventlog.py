"""Event messages come from Windows' own templates, so the parsers' message fallback meets the
real text (reference/windows-events/*.tsv)."""
from __future__ import annotations

from engine.parsers.event_templates import find_template
from engine.simulate.eventlog import DHCP, SCM, render_message


def test_messages_fill_the_windows_templates():
    assert render_message(DHCP, 20255, ("dhcp-b.contoso.com", "rel")) == \
        "Server has lost contact with failover partner server  dhcp-b.contoso.com for relationship rel ."
    assert render_message(DHCP, 20253, ("10.0.0.2", "rel", "95")).endswith("The time is out of sync by: 95 seconds .")
    assert render_message(SCM, 7036, ("DHCP Server", "stopped")) == "The DHCP Server service entered the stopped state."


def test_the_parsers_read_the_insertion_strings_back_from_the_message():
    params = ("dhcp-a.contoso.com", "dhcp-a-dhcp-b", "NORMAL", "COMMUNICATION-INTERRUPTED")
    template = find_template(20252, DHCP)
    assert template.read(None, render_message(DHCP, 20252, params)) == {
        "subject": "dhcp-a.contoso.com", "relationship": "dhcp-a-dhcp-b", "old_state": "NORMAL",
        "new_state": "COMMUNICATION-INTERRUPTED"}
