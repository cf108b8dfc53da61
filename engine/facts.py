"""The fact model: flat typed records with the provenance that makes a finding reproducible.

A fact is what every parser emits and every rule matches. It knows where it came from (artifact
path inside the bundle and the record or line), so each piece of evidence in a report can be
traced back to the exact output the admin can open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Source:
    """Where a fact came from: a bundle-relative artifact path and a record/line in it."""

    artifact: str
    record: str | None = None

    def __str__(self) -> str:
        return f"{self.artifact} ({self.record})" if self.record else self.artifact


@dataclass
class Fact:
    """One typed record: `kind` names its entry in the fact catalog (facts/<kind>.yaml)."""

    kind: str
    fields: dict[str, Any]
    source: Source
    sources: tuple[Source, ...] = field(default=())  # extra provenance (e.g. aggregated events)

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def all_sources(self) -> tuple[Source, ...]:
        return (self.source,) + tuple(s for s in self.sources if s != self.source)

    def sort_key(self) -> tuple:
        return (self.kind, tuple(sorted((k, repr(v)) for k, v in self.fields.items() if v is not None)),
                self.source.artifact, self.source.record or "")
