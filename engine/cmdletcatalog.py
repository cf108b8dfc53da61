"""The catalog of real commands runbooks may call: engine/data/cmdlets.yaml, plus a site's own.

engine/pscheck.py rejects every command and parameter the catalog does not list, which is what
keeps a runbook from shipping `Get-DhcpServerv4FailoverStatistics` (which does not exist). A closed
list also rejects real commands nobody has added yet, and an estate has modules of its own, so a
site may put a `cmdlets.yaml` of the same format in a --rules-dir (or its runbooks/ folder) or a
--runbooks-dir. `fodoc rules lint` merges it into the shipped catalog: a new command is added, a
known one gains the parameters listed. A site file is checked like every knowledge-base file: a
mistake is one error naming file:line, never a silently weaker check.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import KnowledgeBaseError
from .site import SITE_CMDLETS_NAME
from .yamlio import LineDict, load_yaml, safe_load_text

SHIPPED = "engine/data/cmdlets.yaml"
_CMDLET_NAME = re.compile(r"^[A-Za-z]+-[A-Za-z0-9]+$")
_NATIVE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_PARAMETER = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_OPTION = re.compile(r"^/[A-Za-z][A-Za-z0-9]*$")
_SECTIONS = ("cmdlets", "natives")


class CmdletCatalogError(KnowledgeBaseError):
    """A site cmdlets.yaml is invalid."""


@dataclass(frozen=True)
class Signature:
    """The parameters (or native options) of one command: lower-case keys, and the names as written."""

    name: str
    valued: frozenset[str]
    switches: frozenset[str]
    names: tuple[str, ...] = ()     # catalog spelling and order, valued first, for messages

    def spelling(self, key: str) -> str:
        return next((name for name in self.names if name.lower() == key), key)

    def merged(self, other: "Signature") -> "Signature":
        known = {name.lower() for name in self.names}
        return Signature(self.name, self.valued | other.valued, self.switches | other.switches,
                         self.names + tuple(n for n in other.names if n.lower() not in known))


@dataclass(frozen=True)
class CmdletCatalog:
    cmdlets: dict[str, Signature]
    natives: dict[str, Signature]
    common: Signature
    sources: tuple[str, ...] = (SHIPPED,)

    def with_site_file(self, path: Path) -> "CmdletCatalog":
        """This catalog with the commands of the site file `path` merged in (CmdletCatalogError)."""
        doc = load_yaml(path, CmdletCatalogError)
        where = str(path)
        if doc is None:
            return self
        if not isinstance(doc, dict):
            raise CmdletCatalogError(where, "expected a mapping with 'cmdlets' and/or 'natives' "
                                     f"(the format of {SHIPPED})")
        for key in doc:
            if key not in _SECTIONS:
                why = ("the common parameters are PowerShell's own; list a cmdlet's parameters under "
                       "'cmdlets'") if key == "common" else "expected 'cmdlets' and/or 'natives'"
                raise CmdletCatalogError(_at(where, doc, key), f"unknown key {key!r}: {why}",
                                         field=str(key))
        sections = {}
        for section in _SECTIONS:
            entries = doc.get(section) or {}
            if not isinstance(entries, dict):
                raise CmdletCatalogError(_at(where, doc, section), "must map each command's name to "
                                         "{valued: [...], switches: [...]}", field=section)
            current = dict(getattr(self, section))
            for name, spec in entries.items():
                added = _site_signature(where, section, entries, name, spec)
                existing = current.get(added.name.lower())
                if existing is not None:
                    _check_same_kind(where, entries, name, existing, added)
                    added = existing.merged(added)
                current[added.name.lower()] = added
            sections[section] = current
        return CmdletCatalog(sections["cmdlets"], sections["natives"], self.common,
                             self.sources + (where,))


def site_catalog_files(directories: list[Path]) -> list[Path]:
    """The `cmdlets.yaml` files of `directories` that exist, each once, in order."""
    found = []
    for directory in directories:
        candidate = Path(directory) / SITE_CMDLETS_NAME
        if candidate.is_file() and candidate not in found:
            found.append(candidate)
    return found


def catalog_with(files: list[Path]) -> CmdletCatalog:
    """The shipped catalog with the site files merged in order (CmdletCatalogError on the first bad one)."""
    catalog = shipped_catalog()
    for path in files:
        catalog = catalog.with_site_file(Path(path))
    return catalog


@lru_cache(maxsize=1)
def shipped_catalog() -> CmdletCatalog:
    # joinpath one part at a time: engine may be a namespace package (MultiplexedPath).
    catalog_file = resources.files("engine").joinpath("data").joinpath("cmdlets.yaml")
    data = safe_load_text(catalog_file.read_text(encoding="utf-8"))
    return CmdletCatalog(
        cmdlets={name.lower(): _signature(name, spec) for name, spec in data["cmdlets"].items()},
        natives={name.lower(): _signature(name, spec) for name, spec in data["natives"].items()},
        common=_signature("common parameters", data["common"]),
    )


def _signature(name: str, spec: dict[str, list[str]]) -> Signature:
    unknown = set(spec) - {"valued", "switches"}
    if unknown:
        raise ValueError(f"{SHIPPED}: {name}: unknown keys {sorted(unknown)}")
    valued = frozenset(p.lower() for p in spec.get("valued", []))
    switches = frozenset(p.lower() for p in spec.get("switches", []))
    if valued & switches:
        raise ValueError(f"{SHIPPED}: {name}: listed as both valued and switch: "
                         f"{sorted(valued & switches)}")
    names = tuple(spec.get("valued", [])) + tuple(spec.get("switches", []))
    return Signature(name=name, valued=valued, switches=switches, names=names)


def _site_signature(where: str, section: str, entries: dict, name: Any, spec: Any) -> Signature:
    native = section == "natives"
    pattern = _NATIVE_NAME if native else _CMDLET_NAME
    if not isinstance(name, str) or not pattern.match(name):
        expected = "a program name such as w32tm" if native else "a Verb-Noun cmdlet name"
        raise CmdletCatalogError(_at(where, entries, name), f"{name!r} is not {expected}",
                                 field=f"{section}.{name}")
    if native and _CMDLET_NAME.match(name):  # pscheck reads every Verb-Noun name as a cmdlet
        raise CmdletCatalogError(_at(where, entries, name), f"{name!r} is written like a cmdlet "
                                 "(Verb-Noun); list it under 'cmdlets'", field=f"{section}.{name}")
    spec = {} if spec is None else spec
    if not isinstance(spec, dict):
        raise CmdletCatalogError(_at(where, entries, name), "expected {valued: [...], switches: "
                                 "[...]}", field=f"{section}.{name}")
    lists = {}
    for key, value in spec.items():
        field = f"{section}.{name}.{key}"
        if key not in ("valued", "switches"):
            raise CmdletCatalogError(_at(where, spec, key), f"unknown key {key!r}: expected valued "
                                     "(parameters that take a value) and switches", field=field)
        value = value or []
        if not isinstance(value, list):
            raise CmdletCatalogError(_at(where, spec, key), "must be a list of names", field=field)
        for parameter in value:
            problem = _parameter_problem(parameter, native)
            if problem:
                raise CmdletCatalogError(_at(where, spec, key), problem, field=field)
        lists[key] = value
    both = {p.lower() for p in lists.get("valued", [])} & {p.lower() for p in lists.get("switches", [])}
    if both:
        raise CmdletCatalogError(_at(where, entries, name), f"{sorted(both)[0]} is listed both as "
                                 "valued and as a switch", field=f"{section}.{name}")
    return _signature(name, lists)


def _parameter_problem(parameter: Any, native: bool) -> str | None:
    if native:
        if isinstance(parameter, str) and _OPTION.match(parameter):
            return None
        return f"{parameter!r} is not an option name such as /query"
    if isinstance(parameter, str) and parameter.startswith("-") and _PARAMETER.match(parameter[1:]):
        return f"write the parameter {parameter!r} without the '-', as {parameter[1:]!r}"
    if isinstance(parameter, str) and _PARAMETER.match(parameter):
        return None
    return f"{parameter!r} is not a parameter name such as ComputerName"


def _check_same_kind(where: str, entries: dict, name: str, known: Signature, added: Signature) -> None:
    """A site file may add parameters to a known command, never turn a switch into a valued one."""
    clash = (known.valued & added.switches) | (known.switches & added.valued)
    if clash:
        first = sorted(clash)[0]
        kind = "a switch" if first in known.switches else "a valued parameter"
        raise CmdletCatalogError(_at(where, entries, name), f"{known.spelling(first)} is {kind} of "
                                 f"{known.name} in the catalog already", field=name)


def _at(path: str, mapping: Any, key: Any = None) -> str:
    if isinstance(mapping, LineDict):
        line = mapping.line_of(key) if key is not None else mapping.line
        if line:
            return f"{path}:{line}"
    return path
