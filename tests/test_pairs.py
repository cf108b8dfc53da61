"""The pair model compares the two sides of each relationship."""
from __future__ import annotations

from engine.facts import Fact, Source
from engine.pairs import derive_pairs


def _rel(server, partner, **extra):
    fields = {"server": server, "name": "r1", "partner": partner, "state": "Normal", "mode": "LoadBalance",
              "mclt_s": 3600, "lb_percent": 50, "auth_enabled": True, "scopes": "10.0.10.0,10.0.20.0"}
    fields.update(extra)
    return Fact("relationship", fields, Source(f"{server}/failover.json", "record 1"))


def _by_kind(facts, kind):
    return [f.fields for f in facts if f.kind == kind]


def test_matching_sides_agree():
    facts = derive_pairs([_rel("a", "b"), _rel("b", "a")], {"a", "b"})
    assert _by_kind(facts, "pair") == [
        {"relationship": "r1", "server": "a", "partner": "b", "state": "Normal", "partner_collected": True,
         "mclt_s": 3600, "normal_since": "1970-01-01T00:00:00Z", "partner_has_relationship": True, "partner_state": "Normal", "states_agree": True,
         "settings_differ": False, "differing_settings": "", "auth_differs": False},
        {"relationship": "r1", "server": "b", "partner": "a", "state": "Normal", "partner_collected": True,
         "mclt_s": 3600, "normal_since": "1970-01-01T00:00:00Z", "partner_has_relationship": True, "partner_state": "Normal", "states_agree": True,
         "settings_differ": False, "differing_settings": "", "auth_differs": False}]
    assert _by_kind(facts, "setting_mismatch") == []


def test_precise_setting_diff():
    facts = derive_pairs([_rel("a", "b", scopes="10.0.10.0", lb_percent=70),
                          _rel("b", "a", lb_percent=50, auth_enabled=False)], {"a", "b"})
    assert _by_kind(facts, "setting_mismatch")[:3] == [
        {"relationship": "r1", "server": "a", "partner": "b", "setting": "auth_enabled", "value": "True",
         "partner_value": "False"},
        {"relationship": "r1", "server": "a", "partner": "b", "setting": "scopes", "value": "10.0.10.0",
         "partner_value": "10.0.10.0,10.0.20.0"},
        {"relationship": "r1", "server": "a", "partner": "b", "setting": "lb_percent", "value": "70",
         "partner_value": "50"}]
    assert _by_kind(facts, "pair")[0]["differing_settings"] == "auth_enabled,scopes,lb_percent"


def test_complementary_load_balance_split_is_not_a_difference():
    facts = derive_pairs([_rel("a", "b", lb_percent=70), _rel("b", "a", lb_percent=30)], {"a", "b"})
    assert _by_kind(facts, "setting_mismatch") == []


def test_partner_collected_without_the_relationship():
    pair = _by_kind(derive_pairs([_rel("a", "b", state="CommunicationInterrupted")], {"a", "b"}), "pair")[0]
    assert pair["partner_has_relationship"] is False and "partner_state" not in pair


def test_partner_not_collected_leaves_it_unknown():
    pair = _by_kind(derive_pairs([_rel("a", "b")], {"a"}), "pair")[0]
    assert pair["partner_collected"] is False and "partner_has_relationship" not in pair


def test_same_pair_under_two_names_is_a_name_mismatch_not_a_missing_relationship():
    facts = derive_pairs([_rel("a", "b"), _rel("b", "a", name="corp-failover")], {"a", "b"})
    pairs = _by_kind(facts, "pair")
    assert [p["partner_has_relationship"] for p in pairs] == [True, True]
    assert [m for m in _by_kind(facts, "setting_mismatch") if m["server"] == "a"] == [{
        "relationship": "r1", "server": "a", "partner": "b", "setting": "name", "value": "r1",
        "partner_value": "corp-failover"}]


def test_last_return_to_normal_is_taken_from_the_servers_own_state_changes():
    changes = [Fact("state_change", {"server": "a", "relationship": "R1", "subject": "a", "new_state": "Normal",
                                     "time": "2026-11-20T11:20:00Z", "event_id": 20251}, Source("x")),
               Fact("state_change", {"server": "a", "relationship": "r1", "subject": "b", "new_state": "Normal",
                                     "time": "2026-11-25T11:20:00Z", "event_id": 20251}, Source("x"))]
    pair = _by_kind(derive_pairs([_rel("a", "b"), _rel("b", "a")], {"a", "b"}, changes), "pair")
    assert [p["normal_since"] for p in pair] == ["2026-11-20T11:20:00Z", "1970-01-01T00:00:00Z"]
