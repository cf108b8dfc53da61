"""Configuration drift: the two partners' copies of a relationship's scopes, compared field by field."""
from __future__ import annotations

from pathlib import Path

from engine.drift import derive_drift
from engine.facts import Fact, Source
from engine.pipeline import diagnose

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "bundles"
FAMILIES = ("scopes", "options-scope", "options-server", "reservations", "exclusions")
BOTH_READ = {(server, family): f"{server}/{family}.json" for server in ("dhcp-a", "dhcp-b") for family in FAMILIES}


def _fact(kind, server, artifact, **fields):
    return Fact(kind, {"server": server, **fields}, Source(f"{server}/{artifact}", "record 1"))


def _rel(server, partner, scopes="10.0.10.0,10.0.20.0"):
    return _fact("relationship", server, "failover.json", name="r1", partner=partner, state="Normal", scopes=scopes)


def _scope(server, scope_id="10.0.10.0", **extra):
    fields = {"scope_id": scope_id, "name": "Clients", "subnet_mask": "255.255.255.0", "start_range": "10.0.10.50",
              "end_range": "10.0.10.250", "lease_s": 691200, "state": "Active"}
    return _fact("scope", server, "scopes.json", **{**fields, **extra})


def _option(server, option_id, value, scope_id="10.0.10.0", name="DNS Servers", **extra):
    level = "scope" if scope_id else "server"
    fields = {"level": level, "option_id": option_id, "name": name, "value": value, **extra}
    if scope_id:
        fields["scope_id"] = scope_id
    return _fact("option_value", server, f"options-{level}.json", **fields)


def _diffs(facts, read=BOTH_READ):
    """The differences, with scope 10.0.10.0 held identically by both sides unless `facts` say otherwise."""
    if not any(f.kind == "scope" for f in facts):
        facts = [_scope("dhcp-a"), _scope("dhcp-b")] + facts
    found = derive_drift([_rel("dhcp-a", "dhcp-b"), _rel("dhcp-b", "dhcp-a")] + facts, read)
    return [f.fields for f in found if f.kind == "config_difference"]


def test_identical_copies_give_no_difference():
    facts = [_scope("dhcp-a"), _scope("dhcp-b"), _option("dhcp-a", 6, "10.0.0.10, 10.0.0.11"),
             _option("dhcp-b", 6, "10.0.0.10, 10.0.0.11")]
    assert _diffs(facts) == []


def test_option_value_differs_names_scope_option_and_both_values():
    facts = [_scope("dhcp-a"), _scope("dhcp-b"), _option("dhcp-a", 6, "10.0.0.10, 10.0.0.11"),
             _option("dhcp-b", 6, "10.0.0.10")]
    assert _diffs(facts) == [{"relationship": "r1", "server": "dhcp-a", "partner": "dhcp-b", "area": "scope_option",
                              "item": "option 6 DNS Servers", "value": "10.0.0.10, 10.0.0.11",
                              "partner_value": "10.0.0.10", "scope": "10.0.10.0"}]


def test_dns_server_order_is_a_difference():
    facts = [_option("dhcp-a", 6, "10.0.0.10, 10.0.0.11"), _option("dhcp-b", 6, "10.0.0.11, 10.0.0.10")]
    assert [d["item"] for d in _diffs(facts)] == ["option 6 DNS Servers"]


def test_option_set_on_one_side_only_and_class_specific_values_are_kept_apart():
    facts = [_option("dhcp-a", 15, "contoso.com", name="DNS Domain Name"),
             _option("dhcp-a", 6, "10.9.9.9", vendor_class="Microsoft Windows 2000 Options"),
             _option("dhcp-b", 6, "10.9.9.9", vendor_class="Microsoft Windows 2000 Options")]
    assert [(d["item"], d["value"], d["partner_value"]) for d in _diffs(facts)] == [
        ("option 15 DNS Domain Name", "contoso.com", "(not set)")]


def test_lease_duration_is_shown_as_windows_prints_it():
    facts = [_scope("dhcp-a"), _scope("dhcp-b", lease_s=86400, state="InActive")]
    assert [(d["item"], d["value"], d["partner_value"]) for d in _diffs(facts)] == [
        ("LeaseDuration", "8.00:00:00", "1.00:00:00"), ("State", "Active", "InActive")]


def test_option_51_mirrors_the_lease_duration_and_is_not_reported_twice():
    facts = [_option("dhcp-a", 51, "691200", name="Lease"), _option("dhcp-b", 51, "86400", name="Lease")]
    assert _diffs(facts) == []


def test_scope_missing_on_one_side_is_one_difference_told_from_the_side_that_lacks_it():
    facts = [_scope("dhcp-a"), _scope("dhcp-a", "10.0.20.0"), _scope("dhcp-b"),
             _option("dhcp-a", 3, "10.0.20.1", scope_id="10.0.20.0", name="Router")]
    assert _diffs(facts) == [{"relationship": "r1", "server": "dhcp-b", "partner": "dhcp-a", "area": "scope",
                              "item": "scope", "value": "(scope missing)", "partner_value": "present",
                              "scope": "10.0.20.0"}]


def test_reservations_and_exclusions():
    facts = [_fact("reservation", "dhcp-a", "reservations.json", scope_id="10.0.10.0", ip="10.0.10.20",
                   client_id="00-15-5d-01-02-03", name="printer1"),
             _fact("reservation", "dhcp-b", "reservations.txt", scope_id="10.0.10.0", ip="10.0.10.20",
                   client_id="00-15-5d-01-02-04", name="printer1"),
             _fact("reservation", "dhcp-b", "reservations.txt", scope_id="10.0.10.0", ip="10.0.10.21",
                   client_id="00-15-5d-0a-0b-0c"),
             _fact("exclusion", "dhcp-a", "exclusions.json", scope_id="10.0.10.0", start="10.0.10.50", end="10.0.10.59")]
    assert [(d["area"], d["item"], d["value"], d["partner_value"]) for d in _diffs(facts)] == [
        ("reservation", "reservation 10.0.10.20", "client 00-15-5d-01-02-03, name printer1",
         "client 00-15-5d-01-02-04, name printer1"),
        ("reservation", "reservation 10.0.10.21", "not reserved", "client 00-15-5d-0a-0b-0c"),
        ("exclusion", "exclusion range 10.0.10.50-10.0.10.59", "excluded", "not excluded")]


def test_scopes_outside_the_relationship_are_not_compared():
    facts = [_scope("dhcp-a", "192.168.1.0"), _scope("dhcp-b", "192.168.1.0"),_option("dhcp-a", 6, "10.0.0.10", scope_id="192.168.1.0"),
             _option("dhcp-b", 6, "10.0.0.99", scope_id="192.168.1.0")]
    assert _diffs(facts) == []


def test_server_level_options_are_compared_without_a_scope():
    facts = [_option("dhcp-a", 15, "contoso.com", scope_id=None, name="DNS Domain Name"),
             _option("dhcp-b", 15, "corp.contoso.com", scope_id=None, name="DNS Domain Name")]
    assert _diffs(facts) == [{"relationship": "r1", "server": "dhcp-a", "partner": "dhcp-b", "area": "server_option",
                              "item": "option 15 DNS Domain Name", "value": "contoso.com",
                              "partner_value": "corp.contoso.com"}]


def test_compared_areas_are_recorded_so_equal_copies_rule_the_cause_out():
    found = derive_drift([_rel("dhcp-a", "dhcp-b"), _rel("dhcp-b", "dhcp-a")],
                         {("dhcp-a", "scopes"): "dhcp-a/scopes.json", ("dhcp-b", "scopes"): "dhcp-b/scopes.txt",
                          ("dhcp-a", "reservations"): "dhcp-a/reservations.json"})
    assert [f.fields for f in found] == [
        {"relationship": "r1", "server": "dhcp-a", "partner": "dhcp-b", "area": "scope"}]
    assert (found[0].kind, found[0].all_sources()) == (
        "config_compared", (Source("dhcp-a/scopes.json"), Source("dhcp-b/scopes.txt")))


def test_an_area_is_compared_only_when_both_sides_were_read():
    facts = [_fact("reservation", "dhcp-a", "reservations.json", scope_id="10.0.10.0", ip="10.0.10.20",
                   client_id="00-15-5d-01-02-03")]
    assert _diffs(facts, {k: v for k, v in BOTH_READ.items() if k != ("dhcp-b", "reservations")}) == []
    assert len(_diffs(facts)) == 1


def test_the_config_drift_example_reports_each_difference_precisely():
    diagnosis = diagnose(EXAMPLES / "config_drift", engine="native")
    top = diagnosis.findings[0]
    assert (top.cause, top.severity, top.server, top.partner) == (
        "config_drift", "warning", "dhcp-a.contoso.com", "dhcp-b.contoso.com")
    assert sorted(top.explanations) == [
        "Scope 10.0.10.0 option 6 DNS Servers: dhcp-a.contoso.com 10.0.0.10, 10.0.0.11; dhcp-b.contoso.com 10.0.0.10.",
        "Scope 10.0.10.0 reservation 10.0.10.20: dhcp-a.contoso.com client 00-15-5d-01-02-03, name "
        "printer1.contoso.com, type Both, description Floor 2 printer; dhcp-b.contoso.com not reserved.",
        "Scope 10.0.20.0 LeaseDuration: dhcp-a.contoso.com 1.00:00:00; dhcp-b.contoso.com 8.00:00:00.",
        "Scope 10.0.20.0 exclusion range 10.0.20.10-10.0.20.19: dhcp-a.contoso.com not excluded; "
        "dhcp-b.contoso.com excluded.",
        "Server-level option 15 DNS Domain Name: dhcp-a.contoso.com contoso.com; dhcp-b.contoso.com "
        "corp.contoso.com (not replicated by failover: set it at scope level, or the same on both servers).",
    ]
    steps = {step.id: step.command for step in top.runbook.fix if step.target == "dhcp-a.contoso.com"}
    assert steps["replicate-scopes"].startswith("$answer = Read-Host -Prompt ('Replicate from ' + 'dhcp-a.contoso.com'")
    assert steps["replicate-scopes"].endswith("\nInvoke-DhcpServerv4FailoverReplication -ComputerName 'dhcp-a.contoso.com' "
                                              "-Name 'dhcp-a-dhcp-b' -Force")


def test_the_healthy_example_has_no_drift():
    diagnosis = diagnose(EXAMPLES / "healthy", engine="native")
    assert [f.cause for f in diagnosis.findings] == ["benign_outdated_binding"]  # info only
    assert diagnosis.verdict == "healthy"
