"""Watch texts of expected-behaviour rules follow what the bundle shows about the partner."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.diagnosis import _explain
from engine.facts import Fact, Source
from engine.knowledge import load_knowledge_base
from engine.pipeline import Analyzer

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "bundles"
TIMER = {"server": "dhcp-b", "relationship": "r1", "state": "PartnerDown", "since": "2026-11-30T08:35:02Z",
         "mclt_ends": "2026-11-30T09:35:02Z", "mclt_left_s": 2160, "mclt_s": 3600}


def _watch(**partner) -> str:
    [rule] = [r for r in load_knowledge_base().rules if r.id == "partner-down-waiting-mclt"]
    side = Fact("pair", {"relationship": "r1", "server": "dhcp-b", "partner": "dhcp-a", "state": "PartnerDown",
                         "partner_collected": bool(partner), "normal_since": "1970-01-01T00:00:00Z", **partner}, Source("test"))
    return _explain(rule, {"side": side, "timer": Fact("state_timer", TIMER, Source("test"))}, rule.watch)


def test_a_partner_that_answers_in_recover_is_not_called_down():
    watch = Analyzer("native").analyze(EXAMPLES / "partner_down_waiting_mclt").findings[0].watch
    assert watch == [
        "Watch the free addresses of dhcp-b.contoso.com until 2026-11-30T09:35:02Z "
        "(Get-DhcpServerv4ScopeStatistics -Failover, AddressesFreeOnThisServer). dhcp-a.contoso.com is back: "
        "it answers and reports Recover, so it is catching up with dhcp-b.contoso.com's leases. Let it finish: "
        "it passes through RecoverWait (up to one MCLT) and RecoverDone, then both return to Normal; change "
        "nothing on either server meanwhile."]


def test_an_unseen_partner_must_be_confirmed_down():
    watch = _watch()
    assert "The bundle does not show dhcp-a's state: make sure it really is down or isolated" in watch
    assert "is back" not in watch


@pytest.mark.parametrize("state", ["PartnerDown", "Normal", "CommunicationInterrupted"])
def test_a_partner_that_answers_in_another_state_is_not_down(state):
    watch = _watch(partner_state=state)
    assert f"dhcp-a is not down: it answers and reports {state}. Do not keep dhcp-b in PartnerDown" in watch
    assert "really is down" not in watch
