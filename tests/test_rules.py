"""Rule validation: every mistake a rule author makes is one precise error naming file, line and field."""
from __future__ import annotations

import textwrap

import pytest

from engine.catalog import load_catalog
from engine.errors import RuleLoadError
from engine.kb import shipped_dir
from engine.rules import AnyOf, Compare, Ref, load_rule, load_rules

CATALOG = load_catalog(shipped_dir("facts"))

GOOD = """\
id: test-rule
cause: port_647_blocked
title: t
severity: critical
status: stable
confidence: 0.8
match:
  side:
    kind: pair
    where:
      state: CommunicationInterrupted
  probe:
    kind: tcp_probe
    where:
      source: {ref: side.server}
      port: 647
      ok: false
subject: {server: side.partner}
explain: "{{ probe.source }}"
"""


def _load(tmp_path, text):
    path = tmp_path / "rule.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_rule(path, CATALOG)


def _error(tmp_path, text) -> str:
    with pytest.raises(RuleLoadError) as info:
        _load(tmp_path, text)
    return str(info.value).replace(str(tmp_path) + "/", "")


def test_good_rule_compiles_to_patterns_and_joins(tmp_path):
    rule = _load(tmp_path, GOOD)
    assert [p.alias for p in rule.patterns] == ["side", "probe"]
    assert rule.patterns[1].conditions == (Compare("source", "eq", Ref("side", "server")),
                                           Compare("port", "eq", 647), Compare("ok", "eq", False))
    assert rule.subject == {"server": Ref("side", "partner")}


def test_unknown_field_gets_did_you_mean_with_line(tmp_path):
    text = GOOD.replace("      port: 647", "      prot: 647")
    assert _error(tmp_path, text) == ("rule.yaml:16: test-rule: probe.prot: fact kind 'tcp_probe' has "
                                      "no field 'prot' (did you mean 'port'?)")


def test_string_where_number_expected(tmp_path):
    text = GOOD.replace("port: 647", 'port: "647"')
    assert _error(tmp_path, text) == ("rule.yaml:16: test-rule: probe.port: tcp_probe.port is int, "
                                      "but the value '647' is str")


def test_enum_value_typo(tmp_path):
    text = GOOD.replace("state: CommunicationInterrupted", "state: CommunicationsInterrupted")
    assert "did you mean 'CommunicationInterrupted'?" in _error(tmp_path, text)


def test_undefined_alias_in_ref(tmp_path):
    text = GOOD.replace("{ref: side.server}", "{ref: sdie.server}")
    assert _error(tmp_path, text) == ("rule.yaml:15: test-rule: probe.source: ref 'sdie.server' names "
                                      "alias 'sdie', which is not defined before this pattern "
                                      "(did you mean 'side'?)")


def test_unknown_kind(tmp_path):
    text = GOOD.replace("kind: tcp_probe", "kind: tcp_prob")
    assert _error(tmp_path, text).endswith("unknown fact kind 'tcp_prob' (did you mean 'tcp_probe'?)")


def test_bad_regex(tmp_path):
    text = GOOD.replace("      port: 647", "      target: {regex: '(unclosed'}")
    assert "regex '(unclosed' does not compile" in _error(tmp_path, text)


def test_ordering_operator_on_text_field(tmp_path):
    text = GOOD.replace("      port: 647", "      target: {gt: dhcp-a}")
    assert "'gt' needs a number or datetime field; target is server" in _error(tmp_path, text)


def test_explain_template_must_use_aliases(tmp_path):
    text = GOOD.replace('explain: "{{ probe.source }}"', 'explain: "{{ prob.source }}"')
    assert "template uses 'prob', which is not a 'match' alias (did you mean 'probe'?)" in _error(tmp_path, text)



def test_explain_fields_are_checked_against_the_alias_kind(tmp_path):
    text = GOOD.replace('explain: "{{ probe.source }}"', 'explain: "{{ probe.sorce }} {{ side[\'state\'] }}"')
    assert _error(tmp_path, text) == ("rule.yaml:19: test-rule: explain: template reads 'probe.sorce', but fact "
                                      "kind 'tcp_probe' has no field 'sorce' (did you mean 'source'?)")


def test_watch_is_checked_too_and_named_at_its_own_line(tmp_path):
    text = GOOD.replace("severity: critical", "severity: info") + 'watch: "{{ side.stat }}"\n'
    assert _error(tmp_path, text) == ("rule.yaml:20: test-rule: watch: template reads 'side.stat', but fact "
                                      "kind 'pair' has no field 'stat' (did you mean 'state'?)")


def test_a_misspelt_filter_in_explain_is_a_load_error(tmp_path):
    text = GOOD.replace('explain: "{{ probe.source }}"', 'explain: "{{ probe.source | uper }}"')
    assert _error(tmp_path, text) == ("rule.yaml:19: test-rule: explain: template error: no filter named 'uper' "
                                      "(did you mean 'upper'?)")


def test_times_are_brought_to_the_form_facts_carry(tmp_path):
    text = GOOD.replace("      ok: false", "      ok: false\n  ev: {kind: event, where: {last: {gt: 2026-11-29T23:30:00+01:00}, "
                                            "first: {in: ['2026-11-29T08:00:00.5Z', 2026-11-29 08:00:01Z]}}}")
    text += textwrap.dedent("""\
        fixtures:
          - name: x
            expect: fires
            facts:
              - {kind: event, server: a, log: System, event_id: 1, count: 1, first: 2026-11-29T09:00:00+01:00, last: "2026-11-29T08:00:00Z"}
        """)
    rule = _load(tmp_path, text)
    assert rule.patterns[2].conditions == (
        Compare("last", "gt", "2026-11-29T22:30:00Z"),
        Compare("first", "in", ("2026-11-29T08:00:00Z", "2026-11-29T08:00:01Z")))
    fact = rule.fixtures[0].facts[0]
    assert (fact["first"], fact["last"]) == ("2026-11-29T08:00:00Z", "2026-11-29T08:00:00Z")


@pytest.mark.parametrize("value,problem", [
    ('"yesterday"', "'yesterday' is not a time: expected an ISO-8601 time such as 2026-11-29T23:00:00Z"),
    ("2026-11-29", "2026-11-29 is a date without a time: expected an ISO-8601 time such as 2026-11-29T23:00:00Z"),
    ('"2026-11-29T23:00:00"', "'2026-11-29T23:00:00' has no time zone: add a time zone, e.g. Z for UTC "
                              "(2026-11-29T23:00:00Z)"),
    ("2026-11-29T23:00:00", "2026-11-29T23:00:00 has no time zone: add a time zone, e.g. Z for UTC "
                            "(2026-11-29T23:00:00Z)"),
    ("5", "the value 5 is int: expected an ISO-8601 time such as 2026-11-29T23:00:00Z"),
])
def test_a_time_that_is_not_one_is_refused(tmp_path, value, problem):
    text = GOOD.replace("      ok: false", f"      ok: false\n  ev: {{kind: event, where: {{last: {{gt: {value}}}}}}}")
    assert _error(tmp_path, text) == f"rule.yaml:18: test-rule: ev.last: event.last is datetime, but {problem}"


def test_severity_typo(tmp_path):
    assert "(did you mean 'critical'?)" in _error(tmp_path, GOOD.replace("critical", "critcal"))


def test_yaml_syntax_error_names_the_line(tmp_path):
    message = _error(tmp_path, GOOD.replace("title: t", "title: [t"))
    assert message.startswith("rule.yaml:") and "is not valid YAML" in message


def test_yaml_is_loaded_safely(tmp_path):
    text = GOOD + "description: !!python/object/apply:os.system ['echo pwned']\n"
    assert "is not valid YAML" in _error(tmp_path, text)


def test_fixture_facts_are_type_checked(tmp_path):
    text = GOOD + textwrap.dedent("""\
        fixtures:
          - name: x
            expect: fires
            facts:
              - {kind: tcp_probe, source: a, target: b, port: "647", ok: false}
        """)
    assert "tcp_probe.port is int, but the value '647' is str" in _error(tmp_path, text)


def test_any_nesting_compiles(tmp_path):
    text = GOOD.replace("      ok: false", "      any:\n        - {ok: false}\n        - {ping_ok: false}")
    rule = _load(tmp_path, text)
    assert rule.patterns[1].conditions[-1] == AnyOf((Compare("ok", "eq", False),
                                                     Compare("ping_ok", "eq", False)))


def test_duplicate_rule_ids_in_one_directory(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(RuleLoadError, match="rule id 'test-rule' is already used by"):
        load_rules([tmp_path], CATALOG)


def test_site_directory_overrides_shipped_rule_by_id(tmp_path):
    override = GOOD.replace("id: test-rule", "id: port-647-blocked").replace("confidence: 0.8",
                                                                         "confidence: 0.5")
    (tmp_path / "mine.yaml").write_text(override, encoding="utf-8")
    rules = {r.id: r for r in load_rules([shipped_dir("rules"), tmp_path], CATALOG)}
    assert rules["port-647-blocked"].confidence == 0.5


def test_every_shipped_rule_loads():
    rules = load_rules([shipped_dir("rules")], CATALOG)
    assert len(rules) == len(list(shipped_dir("rules").glob("*.yaml")))
