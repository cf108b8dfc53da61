"""Every fact any parser emits from the fixtures matches the fact catalog (facts/*.yaml):
known kind, declared field names, declared types and enums, required fields present."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

FACTS = Path(__file__).parents[2] / "facts"
CATALOG = {spec["kind"]: spec for spec in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in FACTS.glob("*.yaml"))}
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
TYPES = {"str": str, "server": str, "int": int, "float": float, "bool": bool, "datetime": str}

FIXTURES = [
    ("failover/ps51.json", "dhcp-a/failover.json"), ("failover/ps7.json", "dhcp-b/failover.json"),
    ("failover/collector.json", "dhcp-a/failover.json"), ("failover/api-ints.json", "dhcp-a/failover.json"),
    ("failover/list.txt", "dhcp-a/failover.txt"), ("failover/list-star.txt", "dhcp-b/failover.txt"),
    ("tnc/ok.txt", "dhcp-a/tnc-dhcp-b.contoso.com-647.txt"), ("tnc/failed.txt", "dhcp-a/tnc-10.0.0.2-647.txt"),
    ("tnc/ok-51.json", "dhcp-a/tnc-dhcp-b.contoso.com-647.json"), ("tnc/failed-7.json", "dhcp-a/tnc-10.0.0.2-647.json"),
    ("tnc/nameres-failed.txt", "dhcp-a/tnc-dhcp-b.contoso.com-647.txt"),
    ("w32tm/status-domain.txt", "dhcp-a/w32tm-status.txt"), ("w32tm/status-cmos.txt", "dhcp-b/w32tm-status.txt"),
    ("w32tm/status-vmic.txt", "dhcp-b/w32tm-status.txt"),
    ("w32tm/stripchart-errors.txt", "dhcp-a/w32tm-stripchart-dhcp-b.contoso.com.txt"),
    ("w32tm/stripchart-allfailed.txt", "dhcp-a/w32tm-stripchart-dhcp-b.contoso.com.txt"),
    ("services/ps51.json", "dhcp-a/services.json"), ("services/ps7.json", "dhcp-b/services.json"),
    ("services/table.txt", "dhcp-a/services.txt"), ("services/list.txt", "dhcp-b/services.txt"),
    ("computer/computer.json", "dhcp-a/computer.json"), ("computer/computer-51.json", "DHCP-B/computer.json"),
    ("firewall/ps51.json", "dhcp-a/firewall.json"), ("firewall/strings-7.json", "dhcp-b/firewall.json"),
    ("firewall/list.txt", "dhcp-b/firewall.txt"),
    ("dns/ps51.json", "dhcp-a/dns-dhcp2.contoso.com.json"), ("dns/failed.txt", "dhcp-a/dns-dhcp-b.contoso.com.txt"),
    ("events/admin-51.json", "dhcp-a/events-DhcpAdminEvents.json"),
    ("events/admin-root.xml", "dhcp-a/events-DhcpAdminEvents.xml"), ("events/system.xml", "dhcp-a/events-System.xml"),
]


@pytest.mark.parametrize("fixture, bundle_path", FIXTURES)
def test_facts_match_the_catalog(parse, fixture, bundle_path):
    facts, _ = parse(fixture, bundle_path)
    assert facts
    for fact in facts:
        spec = CATALOG[fact.kind]
        declared = spec["fields"]
        assert set(fact.fields) <= set(declared), f"{fact.kind}: undeclared {set(fact.fields) - set(declared)}"
        missing = {name for name, field in declared.items() if field.get("required") and name not in fact.fields}
        assert not missing, f"{fact.kind} from {fixture}: required {missing} missing"
        for name, value in fact.fields.items():
            field = declared[name]
            wanted = TYPES[field["type"]]
            assert type(value) is wanted, f"{fact.kind}.{name} = {value!r} is not {field['type']}"
            if field["type"] == "datetime":
                assert DATETIME.fullmatch(value), f"{fact.kind}.{name} = {value!r}"
            if "enum" in field:
                assert value in field["enum"], f"{fact.kind}.{name} = {value!r} not in {field['enum']}"
