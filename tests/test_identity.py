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
