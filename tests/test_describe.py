"""Evidence and ruled-out reasons read as sentences, never as raw records or rule syntax."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.catalog import load_catalog
from engine.describe import describe_pattern, summarise
from engine.facts import Fact, Source
from engine.kb import shipped_dir
from engine.knowledge import load_knowledge_base
from engine.pairs import NO_RECOVERY
from engine.pipeline import Analyzer
from engine.report import render_report

CATALOG = load_catalog(shipped_dir("facts"))
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "bundles"
SAMPLE = {"str": "x1", "server": "dhcp-a", "int": 7, "float": 1.5, "bool": False,
          "datetime": "2026-11-30T09:00:00Z"}


def _fact(kind: str, **fields) -> Fact:
    return Fact(kind, fields, Source("test"))


def _required_only(kind: str) -> Fact:
    spec = CATALOG.kinds[kind]
    fields = {name: (f.enum[0] if f.enum else SAMPLE[f.type]) for name, f in spec.fields.items() if f.required}
    return _fact(kind, **fields)


@pytest.mark.parametrize("kind", sorted(CATALOG.kinds))
def test_every_fact_kind_has_a_sentence(kind):
    text = summarise(_required_only(kind))
    assert not text.startswith(f"{kind}: "), text     # the raw-record fallback
    assert "=" not in text.replace("event_id", ""), text


def test_config_difference_names_both_values():
    fact = _fact("config_difference", relationship="r1", server="dhcp-a", partner="dhcp-b", area="scope_option",
                 scope="10.0.0.0", item="option 6 DNS Servers", value="10.0.0.53", partner_value="10.0.0.54")
    assert summarise(fact) == ("option 6 DNS Servers in scope 10.0.0.0 differs between the partners of r1: "
                               "10.0.0.53 on dhcp-a, 10.0.0.54 on dhcp-b")


def test_address_check_says_whether_the_stored_address_is_current():
    fact = _fact("address_check", relationship="r1", server="dhcp-b", partner="dhcp-a", reported_by="dhcp-a",
                 stored_name="dhcp-b.contoso.com", stored_ip="10.0.0.2", current_ips="10.0.0.12",
                 ip_current=False, node_named=False)
    assert summarise(fact) == ("dhcp-a's record of r1 stores dhcp-b.contoso.com / 10.0.0.2 for dhcp-b: "
                               "NOT one of its current addresses (10.0.0.12)")


def _ruled_out(bundle: str) -> dict[str, str]:
    d = Analyzer("native").analyze(EXAMPLES / bundle)
    return {r.rule: r.reason for r in d.ruled_out}


def test_ruled_out_reasons_read_as_sentences_without_the_no_recovery_sentinel():
    reasons = _ruled_out("partner_down_waiting_mclt")
    assert reasons["binding-update-backlog"] == ("no event 20286 on dhcp-b.contoso.com for dhcp-a-dhcp-b at any "
                                                 "time (dhcp-b.contoso.com never logged a return to Normal)")
    assert reasons["partner-service-stopped"] == ("no service DHCPServer on dhcp-a.contoso.com with status "
                                                  "Stopped or StopPending")
    assert not [r for r in reasons.values() if NO_RECOVERY in r or " = " in r or "=" in r.split("; found")[0]]


def test_a_real_return_to_normal_is_named_as_such():
    reasons = _ruled_out("binding_update_backlog")
    assert reasons["database-init-failed"].startswith(
        "no event 1004 on dhcp-a.contoso.com with last logged after 2026-11-28T10:21:52Z "
        "(dhcp-a.contoso.com's last return to Normal)")


def test_markdown_ruled_out_shows_no_raw_records():
    markdown = render_report(Analyzer("native").analyze(EXAMPLES / "binding_update_backlog"), "markdown")
    ruled_out = markdown.split("## Ruled out")[1].split("\n## ")[0]
    assert "address_check:" not in ruled_out and "config_compared:" not in ruled_out
    assert "stored_ip=" not in ruled_out and NO_RECOVERY not in ruled_out


def test_describe_pattern_resolves_a_join_to_its_value():
    [rule] = [r for r in load_knowledge_base().rules if r.id == "intermittent-path-contact-events"]
    side = _fact("pair", relationship="r1", server="dhcp-a", partner="dhcp-b", state="Normal",
                 partner_collected=True, normal_since=NO_RECOVERY)
    event = next(p for p in rule.patterns if p.kind == "event")
    assert describe_pattern(event, {"side": side}) == "event 20255 on dhcp-a for r1 at least 3 times"


def test_markdown_says_a_reason_shared_by_several_rules_once():
    markdown = render_report(Analyzer("native").analyze(EXAMPLES / "binding_update_backlog"), "markdown")
    ruled_out = markdown.split("## Ruled out")[1].split("\n## ")[0]
    [line] = [l for l in ruled_out.splitlines() if l.startswith("- cluster\\_node\\_naming")]
    assert line.startswith("- cluster\\_node\\_naming (cluster-node-naming, cluster-node-naming-latent): "
                           "no stored server address with node named: yes; found ")
