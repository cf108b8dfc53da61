"""The JSON Schemas in engine/schemas: valid, in step with the loaders, and used by them."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from engine import catalog as catalog_module
from engine import rules as rules_module
from engine import runbooks as runbooks_module
from engine.docschema import DOCUMENTS, schema, schema_path, validate
from engine.errors import CatalogError, RuleLoadError, RunbookError
from engine.kb import shipped_dir
from engine.catalog import load_catalog
from engine.rules import load_rule
from engine.runbooks import load_runbook
from engine.yamlio import load_yaml

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ([("rule", p) for p in sorted(shipped_dir("rules").glob("*.yaml"))]
           + [("runbook", p) for p in sorted(shipped_dir("runbooks").glob("*.yaml"))]
           + [("fact", p) for p in sorted(shipped_dir("facts").glob("*.yaml"))]
           + [("rule", p) for p in sorted((REPO / "examples" / "site-rules").glob("*.yaml"))]
           + [("runbook", p) for p in sorted((REPO / "examples" / "site-rules" / "runbooks").glob("*.yaml"))])


@pytest.mark.parametrize("document", DOCUMENTS)
def test_schema_is_a_valid_json_schema(document):
    body = json.loads(schema_path(document).read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(body).check_schema(body)


@pytest.mark.parametrize("document,path", SHIPPED, ids=[f"{d}:{p.name}" for d, p in SHIPPED])
def test_every_shipped_file_validates(document, path):
    assert validate(document, load_yaml(path)) == []


def test_rule_schema_knows_exactly_the_keys_the_compiler_accepts():
    body = schema("rule")
    assert set(body["properties"]) == set(rules_module.RULE_KEYS)
    assert body["properties"]["severity"]["enum"] == list(rules_module.SEVERITIES)
    assert body["properties"]["status"]["enum"] == list(rules_module.STATUSES)
    assert set(body["properties"]["subject"]["properties"]) == set(rules_module.SUBJECT_ROLES)


def test_runbook_schema_knows_exactly_the_keys_the_loader_accepts():
    body = schema("runbook")
    assert set(body["properties"]) == set(runbooks_module._TOP_KEYS)
    assert set(body["$defs"]["step"]["properties"]) == set(runbooks_module._STEP_KEYS)
    assert body["$defs"]["step"]["properties"]["on"]["enum"] == list(runbooks_module.TARGETS)


def test_fact_schema_knows_the_catalog_types():
    fields = schema("fact")["properties"]["fields"]["additionalProperties"]["properties"]
    assert fields["type"]["enum"] == list(catalog_module.FIELD_TYPES)
    assert schema("fact")["properties"]["fields"]["propertyNames"]["not"]["enum"] == \
        list(catalog_module.RESERVED_FIELDS)


RULE = """\
id: test-rule
cause: port_647_blocked
title: t
severity: warning
status: stable
confidence: 0.5
match:
  side: {kind: pair, where: {state: Normal}}
subject: {server: side.server}
explain: x
"""


def test_rule_loader_reports_schema_errors_with_line_field_and_suggestion(tmp_path):
    path = tmp_path / "rule.yaml"
    path.write_text(RULE.replace("title: t\n", "title: t\nrefrences: []\n"), encoding="utf-8")
    with pytest.raises(RuleLoadError) as info:
        load_rule(path, load_catalog(shipped_dir("facts")))
    assert str(info.value) == (f"{path}:4: test-rule: refrences: unknown key 'refrences' "
                               "(did you mean 'references'?)")


def test_rule_loader_reports_a_wrong_type_at_its_line(tmp_path):
    path = tmp_path / "rule.yaml"
    path.write_text(RULE.replace("confidence: 0.5", "confidence: high"), encoding="utf-8")
    with pytest.raises(RuleLoadError) as info:
        load_rule(path, load_catalog(shipped_dir("facts")))
    assert str(info.value) == f"{path}:6: test-rule: confidence: must be a number, not a string"


def test_fixture_errors_name_the_fixture_by_number(tmp_path):
    path = tmp_path / "rule.yaml"
    path.write_text(RULE + "fixtures:\n  - {name: a, expect: fires, facts: []}\n"
                           "  - {name: b, expect: maybe, facts: []}\n", encoding="utf-8")
    with pytest.raises(RuleLoadError) as info:
        load_rule(path, load_catalog(shipped_dir("facts")))
    assert info.value.path == f"{path}:13" and info.value.field == "fixtures[2].expect"
    assert info.value.message == "must be one of fires, silent, not 'maybe'"


def test_runbook_loader_names_the_step_for_a_schema_error(tmp_path):
    source = (shipped_dir("runbooks") / "port_647_blocked.yaml").read_text(encoding="utf-8")
    path = tmp_path / "port_647_blocked.yaml"
    anchor = ("      sets them (then stop: the GPO named in the error must be fixed instead)\n    on: both\n    run: |\n"
              "      Invoke-Command -ComputerName {{ target | ps }} -ScriptBlock {\n")
    assert source.count(anchor) == 1, "the enable step's shape changed; point this test at another step"
    path.write_text(source.replace(anchor, anchor.replace("on: both\n", "on: both\n    destructiv: true\n")),
                    encoding="utf-8")
    with pytest.raises(RunbookError) as info:
        load_runbook(path)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "destructiv:" in text)
    assert (info.value.path, info.value.item, info.value.field, info.value.suggestion) == \
        (f"{path}:{line}", "enable-failover-rules", "destructiv", "destructive")


def test_catalog_loader_validates_fact_kinds(tmp_path):
    (tmp_path / "thing.yaml").write_text("kind: thing\nfields:\n  name: {type: string}\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(tmp_path)
    assert str(info.value) == (f"{tmp_path / 'thing.yaml'}:3: thing: fields.name.type: must be one of "
                               "str, int, float, bool, datetime, server, not 'string' (did you mean 'str'?)")


def test_a_valid_document_is_remembered_and_an_invalid_one_is_checked_every_time(monkeypatch):
    """Site rules are schema-checked on every run; a document once found valid is not checked
    again (the memo is keyed by its content and the schema's hash), an invalid one always is."""
    import engine.docschema as docschema
    from engine.yamlio import load_yaml

    doc = load_yaml(shipped_dir("rules") / "port-647-blocked.yaml")
    doc["title"] = "a title no other test uses " + __name__
    assert validate("rule", doc) == []
    broken = dict(doc, severity="severe")
    first = validate("rule", broken)
    assert [p.field for p in first] == ["severity"]

    def no_validator(document):
        raise AssertionError("jsonschema ran again for a document already found valid")

    real = docschema._validator
    monkeypatch.setattr(docschema, "_validator", no_validator)
    assert validate("rule", doc) == []
    monkeypatch.setattr(docschema, "_validator", real)
    assert validate("rule", broken) == first
