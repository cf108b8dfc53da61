"""Stored relationship addresses and names against the servers' current ones (RC6, RC7, RC15)."""
from __future__ import annotations

from pathlib import Path

from engine.addressing import derive_address_facts
from engine.facts import Fact, Source
from engine.pipeline import diagnose

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "bundles"
FOLDERS = {"dhcp-a": "dhcp-a.contoso.com", "dhcp-b": "dhcp-b.contoso.com"}


def _rel(server, partner, server_type, **extra):
    fields = {"server": server, "name": "r1", "partner": partner, "partner_address": f"{partner}.contoso.com",
              "state": "CommunicationInterrupted", "server_type": server_type,
              "primary_ip": "10.0.0.1", "secondary_ip": "10.0.0.2",
              "primary_name": "dhcp-a.contoso.com", "secondary_name": "dhcp-b.contoso.com", **extra}
    return Fact("relationship", fields, Source(f"{server}/failover.json", "record 1"))


def _host(server, hostname, ips):
    return Fact("server", {"server": server, "hostname": hostname, "ips": ips},
                Source(f"{FOLDERS.get(server, server)}/computer.json", "record 1"))


def _checks(facts, folders=FOLDERS):
    return {(f["reported_by"], f["server"]): f.fields for f in derive_address_facts(facts, folders)
            if f.kind == "address_check"}


def test_current_addresses_are_current():
    checks = _checks([_rel("dhcp-a", "dhcp-b", "PrimaryServer"), _host("dhcp-a", "DHCP-A", "10.0.0.1"),
                      _host("dhcp-b", "DHCP-B", "10.0.0.2")])
    assert checks[("dhcp-a", "dhcp-b")] == {
        "relationship": "r1", "server": "dhcp-b", "partner": "dhcp-a", "reported_by": "dhcp-a",
        "stored_ip": "10.0.0.2", "current_ips": "10.0.0.2", "ip_current": True, "node_named": False,
        "stored_name": "dhcp-b.contoso.com", "host_name": "DHCP-B", "collected_as": "dhcp-b.contoso.com"}
    assert checks[("dhcp-a", "dhcp-a")]["ip_current"] is True


def test_readdressed_partner_is_not_current():
    checks = _checks([_rel("dhcp-a", "dhcp-b", "PrimaryServer"), _host("dhcp-a", "DHCP-A", "10.0.0.1"),
                      _host("dhcp-b", "DHCP-B", "10.0.0.12")])
    assert (checks[("dhcp-a", "dhcp-b")]["ip_current"], checks[("dhcp-a", "dhcp-b")]["current_ips"]) == (
        False, "10.0.0.12")


def test_get_netipaddress_wins_over_computer_json_and_loopback_is_ignored():
    ips = [Fact("ip_address", {"server": "dhcp-b", "address": address, "address_state": "Preferred"},
                Source("dhcp-b.contoso.com/ipaddresses.json", f"record {n}"))
           for n, address in enumerate(("10.0.0.12", "127.0.0.1"), start=1)]
    checks = _checks([_rel("dhcp-a", "dhcp-b", "PrimaryServer"), _host("dhcp-b", "DHCP-B", "10.0.0.2")] + ips)
    assert checks[("dhcp-a", "dhcp-b")]["current_ips"] == "10.0.0.12"


def test_roles_come_from_the_addresses_when_server_type_is_not_shown():
    rel = _rel("dhcp-b", "dhcp-a", None)
    checks = _checks([rel, _host("dhcp-b", "DHCP-B", "10.0.0.2"), _host("dhcp-a", "DHCP-A", "10.0.0.5")])
    assert checks[("dhcp-b", "dhcp-a")]["stored_ip"] == "10.0.0.1"
    assert checks[("dhcp-b", "dhcp-a")]["ip_current"] is False


def test_binding_state_of_the_stored_address():
    binding = Fact("dhcp_binding", {"server": "dhcp-b", "interface_alias": "Backup", "address": "10.0.0.2",
                                    "bound": False}, Source("dhcp-b.contoso.com/bindings.txt", "line 3"))
    checks = _checks([_rel("dhcp-a", "dhcp-b", "PrimaryServer"), _host("dhcp-b", "DHCP-B", "10.0.0.2"), binding])
    assert checks[("dhcp-a", "dhcp-b")]["bound"] is False


def test_cluster_node_name_needs_the_role_name_as_corroboration():
    rel = _rel("dhcp-a", "clu", "PrimaryServer", secondary_name="node1.contoso.com", secondary_ip="10.0.0.21")
    clustered = _checks([rel, _host("clu", "NODE2", "10.0.0.20,10.0.0.22")], {"clu": "dhcp-clu.contoso.com"})
    assert clustered[("dhcp-a", "clu")]["node_named"] is True
    # the same stored name for a server collected under its own host name is not a node name
    plain = _checks([rel, _host("clu", "NODE1", "10.0.0.21")], {"clu": "node1.contoso.com"})
    assert plain[("dhcp-a", "clu")]["node_named"] is False


def test_partner_lookup_compares_the_answer_with_the_partner_itself():
    lookup = Fact("name_resolution", {"server": "dhcp-a", "query": "dhcp-b.contoso.com", "target": "dhcp-b", "ok": True,
                                      "addresses": "10.0.0.99"}, Source("dhcp-a.contoso.com/dns-dhcp-b.contoso.com.txt"))
    found = [f.fields for f in derive_address_facts([lookup, _host("dhcp-b", "DHCP-B", "10.0.0.2")], FOLDERS)
             if f.kind == "partner_lookup"]
    assert found == [{"server": "dhcp-a", "partner": "dhcp-b", "query": "dhcp-b.contoso.com", "ok": True,
                      "via": "Resolve-DnsName", "addresses": "10.0.0.99", "partner_ips": "10.0.0.2",
                      "points_to_partner": False}]


def test_test_netconnection_by_name_is_a_second_lookup_and_by_address_none():
    probes = [Fact("tcp_probe", {"source": "dhcp-a", "target": "dhcp-b", "target_address": target, "remote_address": tried,
                                 "port": 647, "ok": False}, Source(f"dhcp-a.contoso.com/tnc-{target}-647.json"))
              for target, tried in (("dhcp-b.contoso.com", "10.0.0.99"), ("10.0.0.2", "10.0.0.2"))]
    found = [f.fields for f in derive_address_facts(probes + [_host("dhcp-b", "DHCP-B", "10.0.0.2")], FOLDERS)
             if f.kind == "partner_lookup"]
    assert found == [{"server": "dhcp-a", "partner": "dhcp-b", "query": "dhcp-b.contoso.com", "ok": True,
                      "via": "Test-NetConnection", "addresses": "10.0.0.99", "partner_ips": "10.0.0.2",
                      "points_to_partner": False}]


def test_partner_ip_changed_example():
    top = diagnose(EXAMPLES / "partner_ip_changed", engine="native").findings[0]
    assert (top.cause, top.server, top.partner) == ("partner_ip_changed", "dhcp-b.contoso.com", "dhcp-a.contoso.com")
    assert top.explanations == [
        "Relationship dhcp-a-dhcp-b (as dhcp-a.contoso.com holds it) stores 10.0.0.2 for dhcp-b.contoso.com, but "
        "dhcp-b.contoso.com now has 10.0.0.12; dhcp-a.contoso.com reports CommunicationInterrupted."]


def test_partner_name_resolution_example():
    top = diagnose(EXAMPLES / "partner_name_resolution", engine="native").findings[0]
    assert (top.cause, top.severity, top.rules) == ("partner_name_resolution", "warning", ["partner-name-stale"])
    assert top.explanations == [
        "Resolve-DnsName on dhcp-a.contoso.com resolved dhcp-b.contoso.com to 10.0.0.99, but dhcp-b.contoso.com "
        "has 10.0.0.2: the DNS record is stale.",
        "Test-NetConnection on dhcp-a.contoso.com resolved dhcp-b.contoso.com to 10.0.0.99, but dhcp-b.contoso.com "
        "has 10.0.0.2: the DNS record is stale."]


def test_cluster_node_naming_example_rebuilds_from_the_unclustered_side_against_a_typed_name():
    diagnosis = diagnose(EXAMPLES / "cluster_node_naming", engine="native")
    top = diagnosis.findings[0]
    assert (top.cause, top.server, top.partner) == ("cluster_node_naming", "dhcp-a.contoso.com", "dhcp-clu.contoso.com")
    assert "partner_ip_changed" not in [f.cause for f in diagnosis.findings]
    recreate = next(step.command for step in top.runbook.fix if step.id == "recreate-relationship")
    assert "-PartnerServer $role " in recreate
    assert "Read-Host -Prompt 'Network name of the clustered DHCP role (not a node name)'" in recreate


def _list_view(server, partner_address, partner):
    """Get-DhcpServerv4Failover | Format-List: PartnerServer only, no ServerType or ServerIP columns."""
    return Fact("relationship", {"server": server, "name": "r1", "partner": partner, "partner_address": partner_address,
                                 "state": "CommunicationInterrupted"}, Source(f"{server}/failover.txt", "record 1"))


def test_a_partner_server_given_as_an_address_is_checked_without_the_ip_columns():
    checks = _checks([_list_view("dhcp-a", "10.0.0.2", "dhcp-b"), _host("dhcp-a", "DHCP-A", "10.0.0.1"),
                      _host("dhcp-b", "DHCP-B", "10.0.0.12")])
    assert list(checks) == [("dhcp-a", "dhcp-b")]
    assert (checks[("dhcp-a", "dhcp-b")]["stored_ip"], checks[("dhcp-a", "dhcp-b")]["ip_current"]) == ("10.0.0.2", False)


def test_a_partner_server_given_as_a_node_name_is_node_naming_without_any_address():
    folders = {"dhcp-a": "dhcp-a.contoso.com", "dhcp-clu": "dhcp-clu.contoso.com"}
    checks = _checks([_list_view("dhcp-a", "node1.contoso.com", "dhcp-clu"), _host("dhcp-a", "DHCP-A", "10.0.0.1"),
                      _host("dhcp-clu", "NODE2", "10.0.0.20,10.0.0.22")], folders)
    assert checks[("dhcp-a", "dhcp-clu")] == {
        "relationship": "r1", "server": "dhcp-clu", "partner": "dhcp-a", "reported_by": "dhcp-a",
        "current_ips": "10.0.0.20,10.0.0.22", "node_named": True, "stored_name": "node1.contoso.com",
        "host_name": "NODE2", "collected_as": "dhcp-clu.contoso.com"}
