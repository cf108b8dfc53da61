"""One id per server, whether it is named by folder, short name, FQDN or IP."""
from __future__ import annotations

from engine.facts import Fact, Source
from engine.identity import build_identities

S = Source("x")


def test_folder_hostname_fqdn_and_ip_are_one_server():
    facts = [Fact("server", {"server": "DHCP-A", "hostname": "DHCP-A", "fqdn": "dhcp-a.contoso.com",
                             "ips": "10.0.0.1"}, S)]
    ids = build_identities(facts, ["DHCP-A"])
    assert {ids.canonical(n) for n in ("DHCP-A", "dhcp-a", "10.0.0.1", "DHCP-A.contoso.com.")} == \
        {"dhcp-a.contoso.com"}


def test_partner_ip_linked_through_relationship_addresses():
    facts = [Fact("relationship", {"server": "dhcp-b", "name": "r", "state": "Normal", "partner": "10.0.0.1",
                                   "primary_name": "dhcp-a.contoso.com", "primary_ip": "10.0.0.1",
                                   "secondary_name": "dhcp-b.contoso.com", "secondary_ip": "10.0.0.2",
                                   "server_type": "SecondaryServer"}, S)]
    ids = build_identities(facts, ["DHCP-A", "DHCP-B"])
    assert ids.canonical("10.0.0.1") == "dhcp-a.contoso.com"
    assert ids.canonical("DHCP-B") == "dhcp-b.contoso.com"
    assert ids.canonical("DHCP-A") == "dhcp-a.contoso.com"


def test_dns_answers_do_not_merge_servers():
    facts = [Fact("name_resolution", {"server": "a", "query": "dhcp-b", "ok": True, "addresses": "10.0.0.1"}, S)]
    ids = build_identities(facts, ["dhcp-a", "dhcp-b"])
    assert ids.canonical("10.0.0.1") == "10.0.0.1"
    assert ids.canonical("dhcp-b") == "dhcp-b"


def test_unknown_name_is_lower_cased():
    assert build_identities([], []).canonical("DHCP-Z.Example.COM") == "dhcp-z.example.com"


def test_same_short_name_in_two_domains_stays_two_servers():
    facts = [Fact("server", {"server": "dhcp.site-a.corp.local", "fqdn": "dhcp.site-a.corp.local",
                             "ips": "10.1.0.11"}, S),
             Fact("server", {"server": "dhcp.site-b.corp.local", "fqdn": "dhcp.site-b.corp.local",
                             "ips": "10.2.0.11"}, S)]
    ids = build_identities(facts, ["dhcp.site-a.corp.local", "dhcp.site-b.corp.local"])
    assert ids.canonical("dhcp.site-a.corp.local") != ids.canonical("dhcp.site-b.corp.local")
    assert ids.canonical("dhcp") == "dhcp"  # ambiguous: left alone rather than guessed
    assert ids.canonical("10.2.0.11") == "dhcp.site-b.corp.local"


def test_address_resolved_by_a_connection_test_does_not_merge_servers():
    """A stale DNS record makes Test-NetConnection to dhcp2 try dhcp1's address."""
    facts = [Fact("server", {"server": "dhcp1", "fqdn": "dhcp1.corp.local", "ips": "10.1.0.11"}, S),
             Fact("server", {"server": "dhcp2", "fqdn": "dhcp2.corp.local", "ips": "10.1.0.12"}, S),
             Fact("tcp_probe", {"source": "dhcp1", "target": "dhcp2.corp.local", "target_address":
                                "dhcp2.corp.local", "remote_address": "10.1.0.11", "port": 647, "ok": True}, S)]
    ids = build_identities(facts, ["dhcp1", "dhcp2"])
    assert ids.canonical("dhcp2.corp.local") == "dhcp2.corp.local"
    assert ids.canonical("10.1.0.11") == "dhcp1.corp.local"


def test_two_folders_are_never_merged_and_the_conflict_is_reported():
    facts = [Fact("server", {"server": "dhcp1", "fqdn": "dhcp1.corp.local", "ips": "10.1.0.11"}, S),
             Fact("server", {"server": "dhcp2", "fqdn": "dhcp2.corp.local", "ips": "10.1.0.11"}, S)]
    ids = build_identities(facts, ["dhcp1", "dhcp2"])
    assert ids.canonical("dhcp1") != ids.canonical("dhcp2")
    assert ids.conflicts == ["dhcp2 and 10.1.0.11 are linked, but they belong to different server "
                             "folders (dhcp1, dhcp2); kept apart"]


def _two_copies(stray_partner: str) -> list[Fact]:
    """dhcp-b was re-addressed (10.0.0.2 -> 10.0.0.12); its default Format-List copy names dhcp-a,
    dhcp-a's copy still names the address dhcp-b had (fodoc eval, seed 100357)."""
    return [
        Fact("server", {"server": "dhcp-a", "hostname": "DHCP-A", "fqdn": "dhcp-a.contoso.com", "ips": "10.0.0.1"}, S),
        Fact("server", {"server": "dhcp-b", "hostname": "DHCP-B", "fqdn": "dhcp-b.contoso.com", "ips": "10.0.0.12"}, S),
        Fact("relationship", {"server": "dhcp-b", "name": "Failover-Site1", "partner": "10.0.0.1"}, S),
        Fact("relationship", {"server": "dhcp-a", "name": "failover-site1", "partner": stray_partner}, S),
    ]


def test_an_address_no_server_has_is_the_other_holder_of_the_relationship():
    ids = build_identities(_two_copies("10.0.0.2"), ["dhcp-a", "dhcp-b"])
    assert ids.canonical("10.0.0.2") == "dhcp-b.contoso.com"
    assert ids.conflicts == []


def test_a_stored_node_name_is_the_clustered_holder_of_the_relationship():
    # the relationship was created against cluster node dhcp-b-n1; the role now runs elsewhere
    ids = build_identities(_two_copies("dhcp-b-n1.contoso.com"), ["dhcp-a", "dhcp-b"])
    assert ids.canonical("dhcp-b-n1.contoso.com") == ids.canonical("dhcp-b")


def test_a_partner_that_is_a_collected_server_is_never_relinked():
    facts = _two_copies("10.0.0.2") + [
        Fact("server", {"server": "dhcp-c", "hostname": "DHCP-C", "fqdn": "dhcp-c.contoso.com", "ips": "10.0.0.2"}, S)]
    ids = build_identities(facts, ["dhcp-a", "dhcp-b", "dhcp-c"])
    assert ids.canonical("10.0.0.2") == "dhcp-c.contoso.com"
    assert ids.conflicts == []
