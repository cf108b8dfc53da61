"""The fact catalog: which fact kinds exist, their fields, types and units.

Rules are checked against it when they load, so a typo in a field name or a "647" where 647 is
meant fails at load time with a did-you-mean instead of silently never matching. Facts are
normalised against it before inference, which is what keeps the durable_rules backend (which
compares strings and numbers as strings) honest.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from .errors import CatalogError
from .kbcache import load_compiled
from .timevalues import as_fact_time
from .yamlio import load_yaml

FIELD_TYPES = ("str", "int", "float", "bool", "datetime", "server")
RESERVED_FIELDS = ("id", "sid", "kind")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] = ()
    unit: str | None = None
    description: str = ""

    @property
    def is_numeric(self) -> bool:
        return self.type in ("int", "float")

    @property
    def is_text(self) -> bool:
        return self.type in ("str", "datetime", "server")


@dataclass(frozen=True)
class FactKind:
    name: str
    description: str
    produced_by: tuple[str, ...]
    fields: dict[str, FieldSpec]
    derived: bool = False
    path: str = ""


@dataclass
class FactCatalog:
    kinds: dict[str, FactKind] = field(default_factory=dict)

    def kind(self, name: str) -> FactKind:
        return self.kinds[name]

    def suggest_kind(self, name: str) -> str | None:
        return suggest(name, self.kinds)

    def suggest_field(self, kind: str, name: str) -> str | None:
        return suggest(name, self.kinds[kind].fields)

    def server_fields(self, kind: str) -> tuple[str, ...]:
        return tuple(f.name for f in self.kinds[kind].fields.values() if f.type == "server")

    def check_value(self, kind: str, field_name: str, value: Any) -> str | None:
        """Return why `value` cannot be a value of kind.field, or None if it can."""
        return self.coerce_value(kind, field_name, value)[1]

    def coerce_value(self, kind: str, field_name: str, value: Any) -> tuple[Any, str | None]:
        """(`value` as facts of kind.field carry it, None), or (None, why it cannot be one).

        Only times change: written in YAML they may be a string or a datetime, with an offset,
        and facts compare them as UTC text of one form (engine/timevalues.py).
        """
        spec = self.kinds[kind].fields[field_name]
        if spec.type == "datetime":
            text, problem = as_fact_time(value)
            if problem:
                return None, f"{kind}.{field_name} is datetime, but {problem}"
            return text, None
        if not type_matches(spec.type, value):
            return None, (f"{kind}.{field_name} is {spec.type}, but the value {value!r} is "
                          f"{type(value).__name__}")
        if spec.enum and value not in spec.enum:
            hint = suggest(str(value), spec.enum)
            text = f"{value!r} is not one of {kind}.{field_name}'s values ({', '.join(spec.enum)})"
            return None, text + (f"; did you mean {hint!r}?" if hint else "")
        return value, None


def type_matches(type_name: str, value: Any) -> bool:
    if type_name in ("str", "datetime", "server"):
        return isinstance(value, str)
    if type_name == "bool":
        return isinstance(value, bool)
    if type_name == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return False


def suggest(name: str, candidates) -> str | None:
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def load_catalog(directory: Path) -> FactCatalog:
    catalog = FactCatalog()
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        raise CatalogError(str(directory), "no fact catalog files (*.yaml) found")
    for path in files:
        kind = _load_kind(path)
        if kind.name in catalog.kinds:
            raise CatalogError(str(path), f"fact kind {kind.name!r} is already defined in "
                                          f"{catalog.kinds[kind.name].path}")
        catalog.kinds[kind.name] = kind
    return catalog


def _load_kind(path: Path) -> FactKind:
    # engine/kbcache: the parsed document from the cache; re-parsed with lines on any error
    return load_compiled(path, CatalogError, lambda doc: _compile_kind(path, doc))


def _compile_kind(path: Path, doc: Any) -> FactKind:
    where = str(path)
    if not isinstance(doc, dict):
        raise CatalogError(where, "expected a mapping with kind, description, fields")
    from .docschema import validate as validate_structure  # docschema imports catalog.suggest
    from .kb import is_shipped
    structure = [] if is_shipped(path) else validate_structure("fact", doc)  # fact.schema.json
    if structure:
        structure = validate_structure("fact", load_yaml(path, CatalogError))  # now with lines
        first = structure[0]
        raise CatalogError(f"{where}:{first.line}" if first.line else where, first.message,
                           item=doc.get("kind") if isinstance(doc.get("kind"), str) else None,
                           field=first.field, suggestion=first.suggestion)
    unknown = set(doc) - {"kind", "description", "produced_by", "fields", "derived"}
    if unknown:
        raise CatalogError(where, f"unknown key(s) {', '.join(sorted(unknown))}")
    name = doc.get("kind")
    if not isinstance(name, str) or not name:
        raise CatalogError(where, "missing 'kind' (the fact kind name)")
    fields_doc = doc.get("fields")
    if not isinstance(fields_doc, dict) or not fields_doc:
        raise CatalogError(where, "missing 'fields' mapping", item=name)
    fields: dict[str, FieldSpec] = {}
    for fname, spec in fields_doc.items():
        if fname in RESERVED_FIELDS:
            raise CatalogError(where, f"field name {fname!r} is reserved", item=name)
        if not isinstance(spec, dict):
            raise CatalogError(where, "expected a mapping with type, description", item=name, field=fname)
        ftype = spec.get("type")
        if ftype not in FIELD_TYPES:
            raise CatalogError(where, f"type must be one of {', '.join(FIELD_TYPES)}, not {ftype!r}",
                               item=name, field=fname, suggestion=suggest(str(ftype), FIELD_TYPES))
        bad = set(spec) - {"type", "required", "enum", "unit", "description"}
        if bad:
            raise CatalogError(where, f"unknown key(s) {', '.join(sorted(bad))}", item=name, field=fname)
        fields[fname] = FieldSpec(fname, ftype, bool(spec.get("required", False)),
                                  tuple(spec.get("enum") or ()), spec.get("unit"),
                                  str(spec.get("description", "")))
    return FactKind(name, str(doc.get("description", "")), tuple(doc.get("produced_by") or ()),
                    fields, bool(doc.get("derived", False)), where)
