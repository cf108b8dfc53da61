"""Event message templates: which insertion string of which event feeds which fact field.

Insertion strings are read from the record's EventData/Properties when the output kept them,
and otherwise recovered from the rendered Message by matching the event's en-US template
(event_templates.tsv). Both the templates and the field mapping are data, so supporting another
event is a line in the TSV, not code. Each template's regex is built once, on first use.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib.resources import files
from typing import Optional, Sequence

from ..errors import KnowledgeBaseError
from .states import normalise_state

DATA_FILE = "event_templates.tsv"
MAX_INT_FIELD = 10 * 366 * 86400  # an insertion string read as a number (seconds) beyond this is damage
_PLACEHOLDER = re.compile(r"%(\d+)")
_SPEC = re.compile(r"(?P<name>[a-z_]+)=%(?P<index>\d+)(?::(?P<transform>state|int|reason))?")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class FieldSpec:
    """`name=%index[:transform]`: fact field `name` comes from insertion string `index`."""

    name: str
    index: int
    transform: Optional[str] = None

    def convert(self, raw: str) -> object:
        """The field value from the raw insertion string; None when it cannot be read."""
        if self.transform == "state":
            return normalise_state(raw)
        if self.transform == "int":
            try:
                number = float(raw.replace(",", "."))
            except ValueError:
                return None
            # a finite count no event can exceed (a skew of seconds: ten years at most)
            return int(number) if math.isfinite(number) and abs(number) <= MAX_INT_FIELD else None
        if self.transform == "reason":
            return raw.strip().strip("()").strip() or None
        return raw


@dataclass(frozen=True)
class Template:
    provider: str
    event_id: int
    text: str
    fields: tuple[FieldSpec, ...] = field(default=())

    @property
    def needed(self) -> int:
        """How many insertion strings a record must carry to read every field positionally."""
        return max((spec.index for spec in self.fields), default=0)

    @cached_property
    def pattern(self) -> re.Pattern:
        """The message regex: literal text escaped, `%n` a lazy named group, whitespace runs
        `\\s+` between words and `\\s*` next to punctuation (Windows is not consistent there)."""
        text = self.text.replace("\\n", "\n").replace("\\t", "\t")
        pieces = _PLACEHOLDER.split(text)
        parts = []
        seen: set[str] = set()
        for position, piece in enumerate(pieces):
            if position % 2:
                parts.append(f"(?P=p{piece})" if piece in seen else f"(?P<p{piece}>.*?)")
                seen.add(piece)
            else:
                parts.append(_literal(piece))
        return re.compile(r"\s*" + "".join(parts) + r"\s*", re.DOTALL)

    def read(self, params: Optional[Sequence[str]], message: Optional[str]) -> Optional[dict[str, str]]:
        """Raw insertion strings by field name, from params if complete, else from the message.

        None when neither source gives them (no params and a message in another language).
        """
        if params is not None and len(params) >= self.needed:
            return {spec.name: params[spec.index - 1].strip() for spec in self.fields}
        if not message:
            return None
        match = self.pattern.fullmatch(message)
        if match is None:
            return None
        return {spec.name: match[f"p{spec.index}"].strip() for spec in self.fields}


def _literal(piece: str) -> str:
    tokens = re.split(r"(\s+)", piece)
    out = []
    for position, token in enumerate(tokens):
        if not token:
            continue
        if token.isspace():
            before = tokens[position - 1][-1:] if position > 0 else ""
            after = tokens[position + 1][:1] if position + 1 < len(tokens) else ""
            # At a placeholder boundary (before/after empty) keep a real separator.
            punctuation = (before and not _WORD.match(before)) or (after and not _WORD.match(after))
            out.append(r"\s*" if punctuation else r"\s+")
        else:
            out.append(re.escape(token))
    return "".join(out)


def provider_key(name: Optional[str]) -> str:
    """Compare providers by their core name: "Microsoft-Windows-DHCP-Server" and the legacy
    "DhcpServer" source are the same writer."""
    if not name:
        return ""
    text = name.lower().removeprefix("microsoft-windows-")
    return re.sub(r"[^a-z0-9]", "", text)


def find_template(event_id: int, provider: Optional[str]) -> Optional[Template]:
    """The template of an event from this provider (any provider when the record names none
    and only one provider uses the ID)."""
    candidates = _templates().get(event_id, ())
    if provider:
        key = provider_key(provider)
        return next((t for t in candidates if provider_key(t.provider) == key), None)
    return candidates[0] if len(candidates) == 1 else None


@lru_cache(maxsize=None)
def _templates() -> dict[int, tuple[Template, ...]]:
    text = files(__package__).joinpath(DATA_FILE).read_text(encoding="utf-8")
    found: dict[int, list[Template]] = {}
    header_seen = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        columns = line.split("\t")
        if len(columns) != 4 or not columns[1].isdigit():
            raise KnowledgeBaseError(DATA_FILE, "expected provider, event_id, fields, message_template "
                                                "separated by tabs", item=f"line {number}")
        provider, event_id, spec_text, message = columns
        specs = []
        for spec in spec_text.split() if spec_text != "-" else ():
            match = _SPEC.fullmatch(spec)
            if match is None:
                raise KnowledgeBaseError(DATA_FILE, f"field spec {spec!r} is not name=%n[:state|int|reason]",
                                         item=f"line {number}")
            specs.append(FieldSpec(match["name"], int(match["index"]), match["transform"]))
        found.setdefault(int(event_id), []).append(Template(provider, int(event_id), message, tuple(specs)))
    return {event_id: tuple(templates) for event_id, templates in found.items()}
