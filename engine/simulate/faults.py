"""Fault kinds (faults.yaml): what each one is, the cause it must produce, its parameters.

A fault in a scenario or on the command line names a kind and may fix some parameters
(`clock_skew:side=b,seconds=95`); the seed draws the rest from the kind's choices and ranges,
so one kind covers the variety of ways the fault shows up in real pairs.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from ..errors import KnowledgeBaseError, UsageError
from ..yamlio import safe_load_text
from .effects import EFFECTS

DATA_FILE = "faults.yaml"
SEVERITIES = ("critical", "warning", "info")
PARAM_TYPES = ("number", "int")  # of a `range` parameter: any number (a measure), or a count


@dataclass(frozen=True)
class FaultKind:
    name: str
    cause: str
    severity: str
    summary: str
    reference: str
    params: dict[str, dict]
    effects: tuple[str, ...]

    def draw(self, rng: random.Random, fixed: dict[str, Any], where: str) -> dict[str, Any]:
        """The parameters: `fixed` ones checked, the others drawn from their choices or range."""
        if "server" in fixed and "side" in self.params and "side" not in fixed:  # the spelling
            fixed = {("side" if k == "server" else k): v for k, v in fixed.items()}
        unknown = sorted(set(fixed) - set(self.params))
        if unknown:
            raise UsageError(f"{where}: fault {self.name} has no parameter {unknown[0]!r}; "
                             f"expected one of {', '.join(sorted(self.params)) or '(none)'}")
        values = {}
        for name, spec in sorted(self.params.items()):
            if name in fixed:
                values[name] = _checked(self.name, name, spec, fixed[name], where)
            elif "choices" in spec:
                values[name] = rng.choice(spec["choices"])
            elif spec.get("type") == "int":
                # a count: every whole number of the range equally likely, from one rng.random() as
                # uniform() takes, so the draws after it stay what they were for a seed
                low, high = spec["range"]
                values[name] = min(high, low + int(rng.random() * (high - low + 1)))
            else:
                low, high = spec["range"]
                values[name] = round(rng.uniform(low, high), 2)
        return values


def _checked(kind: str, name: str, spec: dict, value: Any, where: str) -> Any:
    if "choices" in spec:
        choices = spec["choices"]
        match = next((c for c in choices if str(c).lower() == str(value).lower()), None)
        if match is None:
            raise UsageError(f"{where}: {kind} {name}={value!r} is not one of "
                             f"{', '.join(str(c) for c in choices)}")
        return match
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{where}: {kind} {name}={value!r} is not a number") from None
    # `range` is what a scenario draws from; `limits` (default: the range) is what still makes the
    # fault what it says (a clock 30 s off is no clock skew; 10^9 s is no clock at all)
    low, high = spec.get("limits", spec["range"])
    if not (number == number and low <= number <= high):  # NaN fails too
        raise UsageError(f"{where}: {kind} {name}={value!r} is out of range; expected {low} to {high}")
    if spec.get("type") == "int":
        if number != int(number):
            raise UsageError(f"{where}: {kind} {name}={value!r} is not a whole number; expected {low} to {high}")
        return int(number)
    return number


# What the parameters every kind shares set; the others say it in faults.yaml (`about`).
COMMON_ABOUT = {
    "side": "the server the fault is about (server= is accepted too)",
    "since_h": "when it began, in hours before the collection",
}


@dataclass(frozen=True)
class ParamHelp:
    """One parameter of a kind as `fodoc simulate --list` and docs/simulator.md show it."""

    name: str
    values: str   # what may be given: a|b|both, 61..86400, 3..8 (whole number)
    default: str  # what is used when it is not given
    about: str

    def option(self) -> str:
        return f"{self.name}={self.values}"


def param_help(kind: FaultKind) -> list[ParamHelp]:
    """The kind's parameters in faults.yaml order. A parameter that is not given has no fixed
    default: the seed draws it, from the choices or from `range` (which a given value may exceed
    up to `limits`)."""
    helps = []
    for name, spec in kind.params.items():
        about = spec.get("about") or COMMON_ABOUT.get(name, "")
        if "choices" in spec:
            values = "|".join(_shown(c) for c in spec["choices"])
            default = "drawn by the seed"
        else:
            low, high = spec.get("limits", spec["range"])
            whole = " (whole number)" if spec.get("type") == "int" else ""
            values = f"{_shown(low)}..{_shown(high)}{whole}"
            default = f"drawn by the seed from {_shown(spec['range'][0])}..{_shown(spec['range'][1])}"
        helps.append(ParamHelp(name, values, default, about))
    return helps


def markdown_table() -> str:
    """The parameter table of docs/simulator.md (tests/simulate/test_simulate_cli.py checks that
    the page holds exactly this, so the page follows faults.yaml)."""
    lines = ["| kind | parameter | may be set to | when not set | what it sets |", "|---|---|---|---|---|"]
    for name, kind in sorted(fault_kinds().items()):
        for param in param_help(kind):
            values = param.values.replace("|", ", ").replace("..", " to ")
            lines.append(f"| `{name}` | `{param.name}` | {values} | {param.default.replace('..', ' to ')} | "
                         f"{param.about} |")
        if not kind.params:
            lines.append(f"| `{name}` | (none) | | | |")
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def canonical_kind(name: str) -> str:
    """`port647-blocked`, `Port_647_Blocked` and `port_647_blocked` name the same kind."""
    text = str(name).strip().lower().replace("-", "_")
    return "port_647_blocked" if text == "port647_blocked" else text


@lru_cache(maxsize=None)
def fault_kinds() -> dict[str, FaultKind]:
    doc = safe_load_text(files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8"))
    where = f"engine/simulate/{DATA_FILE}"
    if not isinstance(doc, dict):
        raise KnowledgeBaseError(where, "expected a mapping of fault kinds")
    kinds = {}
    for name, body in doc.items():
        missing = [k for k in ("cause", "severity", "summary", "reference", "effects") if k not in body]
        if missing:
            raise KnowledgeBaseError(where, f"has no {missing[0]}", item=name)
        if body["severity"] not in SEVERITIES:
            raise KnowledgeBaseError(where, f"severity {body['severity']!r} is not one of {SEVERITIES}", item=name)
        for effect in body["effects"]:
            if effect not in EFFECTS:
                raise KnowledgeBaseError(where, f"effect {effect!r} does not exist", item=name)
        params = body.get("params") or {}
        for pname, spec in params.items():
            if not (isinstance(spec, dict) and (("choices" in spec) != ("range" in spec))):
                raise KnowledgeBaseError(where, "expected {choices: [...]} or {range: [low, high]}",
                                         item=name, field=pname)
            if spec.get("type", "number") not in PARAM_TYPES or ("type" in spec and "range" not in spec):
                raise KnowledgeBaseError(where, f"type {spec.get('type')!r} is not one of {PARAM_TYPES}, for a range",
                                         item=name, field=pname)
            if spec.get("type") == "int" and not all(isinstance(bound, int) and not isinstance(bound, bool)
                                                     for bound in spec["range"] + spec.get("limits", [])):
                raise KnowledgeBaseError(where, "a count (type: int) needs whole-number range and limits",
                                         item=name, field=pname)
        kinds[name] = FaultKind(name, body["cause"], body["severity"], body["summary"], body["reference"],
                                {k: dict(v) for k, v in params.items()}, tuple(body["effects"]))
    return kinds


def find_kind(name: str, where: str) -> FaultKind:
    kinds = fault_kinds()
    key = canonical_kind(name)
    if key not in kinds:
        import difflib
        close = difflib.get_close_matches(key, kinds, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"{where}: unknown fault kind {name!r}{hint}; 'fodoc simulate --list' shows them")
    return kinds[key]


def parse_fault_option(text: str) -> tuple[str, dict[str, str]]:
    """`clock_skew:side=b,seconds=95` -> ("clock_skew", {"side": "b", "seconds": "95"})."""
    name, _, rest = text.partition(":")
    params = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise UsageError(f"--fault {text}: expected KIND[:name=value,...], got {item!r}")
        params[key.strip()] = value.strip()
    find_kind(name, f"--fault {text}")
    return canonical_kind(name), params
