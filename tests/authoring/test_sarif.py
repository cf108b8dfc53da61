"""SARIF 2.1.0 output of `fodoc rules lint --format sarif`.

The official schema (oasis-tcs/sarif-spec, Schemata/sarif-schema-2.1.0.json) is not vendored;
SARIF_SUBSET below restates, for every object fodoc writes, the official definitions' required
properties, types, enums and `additionalProperties: false`, so a misspelt or misplaced property
fails here just as it would against the full schema.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from engine.authoring.lint import CHECKS, Issue, lint
from engine.authoring.sarif import to_sarif

REPO = Path(__file__).resolve().parents[2]

_MESSAGE = {"type": "object", "additionalProperties": False, "required": ["text"],
            "properties": {"text": {"type": "string"}}}
SARIF_SUBSET = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "additionalProperties": False, "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {"type": "array", "items": {"$ref": "#/$defs/run"}},
    },
    "$defs": {
        "run": {"type": "object", "additionalProperties": False, "required": ["tool"],
                "properties": {"tool": {"$ref": "#/$defs/tool"},
                               "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                               "results": {"type": "array", "items": {"$ref": "#/$defs/result"}}}},
        "tool": {"type": "object", "additionalProperties": False, "required": ["driver"],
                 "properties": {"driver": {"$ref": "#/$defs/toolComponent"}}},
        "toolComponent": {"type": "object", "additionalProperties": False, "required": ["name"],
                          "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                                         "semanticVersion": {"type": "string"},
                                         "rules": {"type": "array", "uniqueItems": True,
                                                   "items": {"$ref": "#/$defs/reportingDescriptor"}}}},
        "reportingDescriptor": {
            "type": "object", "additionalProperties": False, "required": ["id"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                           "shortDescription": _MESSAGE,
                           "defaultConfiguration": {
                               "type": "object", "additionalProperties": False,
                               "properties": {"level": {"enum": ["none", "note", "warning", "error"]}}}}},
        "result": {"type": "object", "additionalProperties": False, "required": ["message"],
                   "properties": {"ruleId": {"type": "string"}, "ruleIndex": {"type": "integer", "minimum": -1},
                                  "level": {"enum": ["none", "note", "warning", "error"]},
                                  "message": _MESSAGE,
                                  "locations": {"type": "array", "items": {"$ref": "#/$defs/location"}}}},
        "location": {"type": "object", "additionalProperties": False,
                     "properties": {"physicalLocation": {"$ref": "#/$defs/physicalLocation"}}},
        "physicalLocation": {"type": "object", "additionalProperties": False,
                             "properties": {"artifactLocation": {"$ref": "#/$defs/artifactLocation"},
                                            "region": {"$ref": "#/$defs/region"}}},
        "artifactLocation": {"type": "object", "additionalProperties": False,
                             "properties": {"uri": {"type": "string", "format": "uri-reference"}}},
        "region": {"type": "object", "additionalProperties": False,
                   "properties": {"startLine": {"type": "integer", "minimum": 1}}},
    },
}


def _validate(log: dict) -> None:
    jsonschema.Draft202012Validator(SARIF_SUBSET,
                                    format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(log)


def test_lint_findings_as_sarif(tmp_path, monkeypatch):
    site = tmp_path / "site rules"
    shutil.copytree(REPO / "examples" / "site-rules", site)
    rule = site / "bndupd-queue-full.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("      event_id: 20286\n", "      evnt_id: 20286\n"),
                    encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = lint([site])
    log = json.loads(to_sarif(report.issues))
    _validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CHECKS)
    [result] = run["results"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "rule"
    assert result["level"] == "error"
    assert result["message"]["text"].endswith("has no field 'evnt_id' (did you mean 'event_id'?)")
    assert result["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "site%20rules/bndupd-queue-full.yaml"}, "region": {"startLine": 19}}}]


def test_levels_and_files_outside_the_current_directory(tmp_path):
    issues = [Issue(str(tmp_path / "a.yaml"), 0, "no-negative-fixture", "w", "warning"),
              Issue(str(tmp_path / "b.yaml"), 3, "overrides-shipped", "n", "note")]
    log = json.loads(to_sarif(issues, base=tmp_path / "elsewhere"))
    _validate(log)
    results = log["runs"][0]["results"]
    assert [r["level"] for r in results] == ["warning", "note"]
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": (tmp_path / "a.yaml").as_uri()}}


def test_a_clean_run_is_valid_sarif_with_no_results():
    log = json.loads(to_sarif([]))
    _validate(log)
    assert log["version"] == "2.1.0" and log["runs"][0]["results"] == []
