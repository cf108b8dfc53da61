"""Structural validation of knowledge-base YAML against the JSON Schemas shipped in engine/schemas/.

The same schema files serve two readers: the loaders (rules.py, runbooks.py, catalog.py) check the
structure of every site file with them before their own domain checks (shipped files are checked
in CI instead: engine/kb.is_shipped) (fact kinds, types, aliases,
quoting), and editors validate as the author types, through a first line such as
``# yaml-language-server: $schema=<path to>/rule.schema.json``. One source of truth means the
editor and `fodoc rules lint` can never disagree about what a valid file looks like.

Errors are translated into the loaders' own wording ("unknown key 'sumary'", with a did-you-mean)
and located with the line numbers engine/yamlio.py keeps.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import suggest

if TYPE_CHECKING:
    import jsonschema
from .yamlio import LineDict

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
DOCUMENTS = ("rule", "runbook", "fact")


@dataclass(frozen=True, order=True)
class SchemaProblem:
    """One structural problem: the 1-based line (0 when unknown), the field path, what is wrong."""

    line: int
    field: str
    message: str
    suggestion: str | None = None


def schema_path(document: str) -> Path:
    """The shipped JSON Schema file of `document` (rule, runbook or fact)."""
    if document not in DOCUMENTS:
        raise ValueError(document)
    return SCHEMA_DIR / f"{document}.schema.json"


@lru_cache(maxsize=None)
def schema(document: str) -> dict:
    return json.loads(schema_path(document).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(document: str) -> jsonschema.protocols.Validator:
    import jsonschema  # ~90 ms of imports, paid only when a file is really checked

    body = schema(document)
    cls = jsonschema.validators.validator_for(body)
    cls.check_schema(body)
    # jsonschema resolves every $ref on every use; our schemas are not recursive, so the loaders
    # validate against a copy with the references inlined (measured: 2.7 -> 1.2 ms per rule).
    return cls(_inline(body, body))


def _inline(node: Any, root: dict) -> Any:
    """`node` with each local `{"$ref": "#/$defs/x", ...}` replaced by the definition it names."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            target: Any = root
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            siblings = {k: _inline(v, root) for k, v in node.items() if k != "$ref"}
            return {**_inline(target, root), **siblings}
        return {k: _inline(v, root) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(item, root) for item in node]
    return node


def validate(document: str, doc: Any) -> list[SchemaProblem]:
    """Every structural problem of `doc` (parsed YAML), sorted by line; empty when valid.

    That a document is valid is remembered across runs (engine/kbcache.memoised, keyed by the
    document and the schema's own hash): jsonschema is half of loading a site's rules, and a
    site directory is loaded on every run while it rarely changes. Problems are never remembered,
    so their lines are always those of the file as it is now.
    """
    from .kbcache import memoised

    tree = plain(doc)
    text = json.dumps(tree, sort_keys=True, default=str)
    found: list[SchemaProblem] = []

    def check(_: str) -> list[str]:
        found.extend(sorted({_problem(doc, error) for error in _validator(document).iter_errors(tree)}))
        if found:
            raise _Invalid()  # not remembered
        return []

    try:
        memoised(f"schema-valid-{document}-{_schema_digest(document)}", text, check)
    except _Invalid:
        return found
    return []


class _Invalid(Exception):
    """A document with structural problems (kept out of the validity memo)."""


@lru_cache(maxsize=None)
def _schema_digest(document: str) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(schema(document), sort_keys=True).encode()).hexdigest()[:16]


def plain(value: Any) -> Any:
    """Plain dicts and lists, with a bare `on:` key (True in YAML 1.1, see runbooks._yaml11_on)
    given its name back: what the schema (and a YAML 1.2 editor) sees."""
    if isinstance(value, dict):
        return {_YAML11_KEYS.get(k, k) if isinstance(k, bool) else k: plain(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


_YAML11_KEYS = {True: "on", False: "off"}


def _problem(doc: Any, error: jsonschema.ValidationError) -> SchemaProblem:
    path = list(error.absolute_path)
    node, line = _locate(doc, path)
    field = ".".join(_label(part) for part in path).replace(".[", "[")
    validator = error.validator
    if "propertyNames" in error.schema_path:
        if isinstance(node, LineDict):
            line = _line_of(node, error.instance) or line
        return SchemaProblem(line, field, f"{error.instance!r} is not an allowed name here")
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        extra = sorted((k for k in error.instance if k not in allowed), key=str)
        key = extra[0] if extra else "?"
        if isinstance(node, LineDict):
            line = _line_of(node, key) or line
        return SchemaProblem(line, _join(field, str(key)), f"unknown key {key!r}",
                             suggest(str(key), allowed) if allowed else None)
    if validator == "required":
        missing = next((k for k in error.validator_value if k not in error.instance), "?")
        # A schema may word the message itself ("x-messages", ignored by other validators).
        message = error.schema.get("x-messages", {}).get(missing) or f"missing key {missing!r}"
        return SchemaProblem(line, _join(field, missing), message)
    if validator == "enum":
        choices = [str(c) for c in error.validator_value]
        return SchemaProblem(line, field, f"must be one of {', '.join(choices)}, not {error.instance!r}",
                             suggest(str(error.instance), choices))
    if validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return SchemaProblem(line, field, f"must be {_TYPE_WORDS.get(wanted, wanted)}, not "
                                          f"{_TYPE_WORDS.get(type(error.instance).__name__, type(error.instance).__name__)}")
    if validator == "pattern":
        described = error.schema.get("description") or f"the pattern {error.validator_value}"
        return SchemaProblem(line, field, f"{error.instance!r} is not {described}")
    if validator in ("minItems", "minProperties", "minLength"):
        return SchemaProblem(line, field, "must not be empty")
    if validator in ("exclusiveMinimum", "maximum", "minimum", "exclusiveMaximum"):
        return SchemaProblem(line, field, f"{error.instance!r} is out of range ({error.message})")
    return SchemaProblem(line, field, error.message)


_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number",
               "boolean": "true or false", "integer": "a whole number", "dict": "a mapping",
               "list": "a list", "str": "a string", "int": "a number", "float": "a number",
               "bool": "true or false", "NoneType": "empty", "object or null": "a mapping"}


def _locate(doc: Any, path: list) -> tuple[Any, int]:
    """The node at `path` and the best line for it (the key that holds it)."""
    node = doc
    line = doc.line if isinstance(doc, LineDict) else 0
    for part in path:
        if isinstance(node, dict):
            key = _original_key(node, part)
            if key is None:
                break
            line = _line_of(node, key) or line
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = node.line if isinstance(node, LineDict) and node.line else line
        else:
            break
    return node, line


def _original_key(node: dict, part: Any) -> Any:
    if part in node:
        return part
    return next((k for k in node if isinstance(k, bool) and _YAML11_KEYS[k] == part), None)


def _line_of(node: LineDict, key: Any) -> int:
    return node.line_of(key) if isinstance(node, LineDict) else 0


def _label(part: Any) -> str:
    return f"[{part + 1}]" if isinstance(part, int) else str(part)


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key
