"""Read what `ConvertTo-Json` writes, in every flavour Windows produces.

PowerShell 5.1 and 7 disagree on dates (`/Date(ms)/` vs ISO-8601), write enums as integers or
strings, serialise TimeSpans as objects, IP addresses as objects with `IPAddressToString`, add CIM
bookkeeping keys (CimClass, CimInstanceProperties, CimSystemProperties, PSComputerName) and emit
one object or an array depending on how many results there were. These helpers hide all of that
so the family parsers read plain values. Unknown keys, the CIM ones included, are never looked
at: parsers only ask for the properties they know.

Records are decoded one at a time from a top-level array, so a file cut off in the middle still
yields the records before the damage (reported to Problems) instead of nothing.
"""
from __future__ import annotations

import json
import re
import struct
from datetime import datetime
from operator import itemgetter
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional

from ..errors import ArtifactError
from .base import Artifact, Problems
from .dates import parse_dotnet_date, parse_iso

_DECODER = json.JSONDecoder()
_INTEGER = re.compile(r"[+-]?\d+")
_WHOLE_DECIMAL = re.compile(r"[+-]?\d+\.0*")
_SPACE = re.compile(r"\s*")
_SEPARATOR = re.compile(r"\s*,\s*")
_TIMESPAN = re.compile(
    r"\s*(?P<neg>-)?(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}(?:\.\d+)?))?\s*")
_ISO_DURATION = re.compile(
    r"\s*(?P<neg>-)?P(?:(?P<days>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?\s*",
    re.IGNORECASE)


def iter_records(artifact: Artifact, problems: Problems, expected: str) -> Iterator[tuple[int, dict]]:
    """Yield (1-based record number, record with lower-case keys) from a ConvertTo-Json file.

    `expected` names the command whose output the file should hold; it goes into error messages.
    An empty file yields nothing. Damage before the first record raises ArtifactError; damage
    after it is reported to `problems` and ends the iteration.
    """
    for number, value in iter_objects(artifact, problems, expected):
        yield number, lower_keys(value)


def iter_objects(artifact: Artifact, problems: Problems, expected: str) -> Iterator[tuple[int, dict]]:
    """Like iter_records, but each record as decoded, keys in the file's own case.

    For readers that ask for a few known properties of many records: `KeyLookup` finds them
    case-insensitively without lower-casing every key of every record.
    """
    text = artifact.read_text()
    for number, value in _iter_values(text, artifact.path, problems, expected):
        if isinstance(value, dict):
            yield number, value
        else:
            problems.add(artifact.path, f"is {_json_type(value)}, expected a JSON object ({expected})",
                         record=f"record {number}")


def _iter_values(text: str, path: str, problems: Problems, expected: str) -> Iterator[tuple[int, Any]]:
    pos = _SPACE.match(text).end()
    if pos == len(text):
        return
    if text[pos] != "[":
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _invalid(path, exc, expected) from None
        except RecursionError:
            raise too_deep(path, expected) from None
        yield from enumerate(_unwrap(value), start=1)
        return
    pos = _SPACE.match(text, pos + 1).end()
    number = 0
    scan = _DECODER.scan_once  # raw_decode without its Python frame
    separator = _SEPARATOR.match
    while True:
        if number == 0 and text.startswith("]", pos):
            pos += 1
            break
        try:
            try:
                value, pos = scan(text, pos)
            except StopIteration as stop:  # what raw_decode turns it into
                raise json.JSONDecodeError("Expecting value", text, stop.value) from None
        except json.JSONDecodeError as exc:
            if number == 0:
                raise _invalid(path, exc, expected) from None
            problems.add(path, _damage(exc, number), record=f"record {number + 1}")
            return
        except RecursionError:
            if number == 0:
                raise too_deep(path, expected) from None
            problems.add(path, f"{TOO_DEEP} from here on; the {number} record(s) before it were read",
                         record=f"record {number + 1}")
            return
        number += 1
        yield number, value
        comma = separator(text, pos)
        if comma is not None:  # the next record follows
            pos = comma.end()
            continue
        pos = _SPACE.match(text, pos).end()
        if text.startswith("]", pos):
            pos += 1
            break
        exc = json.JSONDecodeError("Expecting ',' delimiter or ']'", text, pos)
        problems.add(path, _damage(exc, number), record=f"record {number + 1}")
        return
    pos = _SPACE.match(text, pos).end()
    if pos != len(text):
        exc = json.JSONDecodeError("Extra data", text, pos)
        problems.add(path, f"has extra data after the JSON array at line {exc.lineno} column {exc.colno}")


def _unwrap(value: Any) -> list:
    """One object, an array, or Windows PowerShell's {"value": [...], "Count": n} wrapper."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and set(value) == {"value", "Count"} and isinstance(value["value"], list):
        return value["value"]
    if value is None:
        return []
    return [value]


TOO_DEEP = "is nested too deeply to be read as JSON (arrays or objects thousands of levels deep)"


def too_deep(path: str, expected: str) -> ArtifactError:
    """The error for JSON nested past the recursion limit (no Windows output is; ConvertTo-Json
    stops at depth 2 by default and 100 at most)."""
    return ArtifactError(path, f"{TOO_DEEP}; expected {expected}")


def _invalid(path: str, exc: json.JSONDecodeError, expected: str) -> ArtifactError:
    return ArtifactError(path, f"is not valid JSON: {_where(exc)}; expected {expected}")


def _damage(exc: json.JSONDecodeError, kept: int) -> str:
    return f"is not valid JSON from here on: {_where(exc)}; the {kept} record(s) before it were read"


def _where(exc: json.JSONDecodeError) -> str:
    # "Unterminated string starting at" already ends in "at".
    return f"{exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno}"


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return f"the value {value!r}"


def lower_keys(value: Mapping) -> dict:
    """The same object with lower-case keys (hand-edited JSON does not keep PowerShell's casing)."""
    return {str(k).lower(): v for k, v in value.items()}


class KeyLookup:
    """The values of a fixed set of lower-case property names in one record after another, as
    `lower_keys(record).get(name)` would give them (for keys differing only in case, the last one
    wins), without lower-casing every key of every record.

    ConvertTo-Json writes the same properties in the same order for every record of a file, so
    which key spells which name is worked out once per distinct key sequence and reused.
    """

    _LIMIT = 256  # distinct key sequences remembered; hand-edited files may vary per record

    def __init__(self, names: Iterable[str]):
        self.names = tuple(names)
        self._readers: dict[tuple, Callable[[Mapping], tuple]] = {}

    def __call__(self, record: Mapping) -> tuple:
        keys = tuple(record)
        reader = self._readers.get(keys)
        if reader is None:
            reader = self._reader(keys)
        return reader(record)

    def _reader(self, keys: tuple) -> Callable[[Mapping], tuple]:
        found = {str(key).lower(): key for key in keys}
        spellings = tuple(found.get(name) for name in self.names)
        if None not in spellings and len(spellings) > 1:
            reader = itemgetter(*spellings)  # every name present: one C call
        else:
            def reader(record: Mapping) -> tuple:
                # None, which no JSON object has as a key, gives None for a name no key spells.
                return tuple(map(record.get, spellings))
        if len(self._readers) >= self._LIMIT:
            self._readers.clear()
        self._readers[keys] = reader
        return reader


def text_value(value: Any) -> Optional[str]:
    """A scalar as text; None for null, empty strings and objects that are not addresses."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return ip_text(value)
    return None


def int_value(value: Any) -> Optional[int]:
    """An integer from a JSON number or numeric string; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():  # the common case, without a regex
            return int(text)
        if _INTEGER.fullmatch(text):
            return int(text)
        if _WHOLE_DECIMAL.fullmatch(text):
            return int(text.split(".")[0])
    return None


def bool_value(value: Any) -> Optional[bool]:
    """A boolean from true/false, "True"/"False" or 1/0; None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return {"true": True, "false": False, "1": True, "0": False}.get(value.strip().lower())
    return None


def enum_value(value: Any, names: Mapping[int, str]) -> Optional[str]:
    """An enum member's name from its integer value or its (case-insensitive) name."""
    number = int_value(value)
    if number is not None:
        return names.get(number)
    return name_value(value, names.values())


def name_value(value: Any, names: Iterable[str]) -> Optional[str]:
    """The canonical spelling among `names` of a case-insensitively matching string."""
    if not isinstance(value, str):
        return None
    wanted = value.strip().lower()
    return next((name for name in names if name.lower() == wanted), None)


def timespan_seconds(value: Any) -> Optional[float]:
    """Seconds in a TimeSpan: an object (TotalSeconds or Ticks), "1.02:03:04" or "PT1H".

    A bare number is not accepted: nothing says whether it counts seconds, ticks or minutes.
    """
    if isinstance(value, dict):
        fields = lower_keys(value)
        total = fields.get("totalseconds")
        if isinstance(total, (int, float)) and not isinstance(total, bool):
            return float(total)
        ticks = int_value(fields.get("ticks"))
        return ticks / 1e7 if ticks is not None else None
    if not isinstance(value, str):
        return None
    match = _TIMESPAN.fullmatch(value) or _ISO_DURATION.fullmatch(value)
    if not match or not any(match[g] for g in ("days", "h", "m", "s")):
        return None
    seconds = (int(match["days"] or 0) * 86400 + int(match["h"] or 0) * 3600
               + int(match["m"] or 0) * 60 + float(match["s"] or 0))
    return -seconds if match["neg"] else seconds


def ip_text(value: Any) -> Optional[str]:
    """An address from a string or a .NET IPAddress object (IPAddressToString, or Address)."""
    if isinstance(value, str):
        return value.strip() or None
    if not isinstance(value, dict):
        return None
    fields = lower_keys(value)
    text = fields.get("ipaddresstostring")
    if isinstance(text, str) and text.strip():
        return text.strip()
    address = int_value(fields.get("address"))
    if address is not None and 0 <= address <= 0xFFFFFFFF:
        # IPAddress.Address is the network-order bytes read as a little-endian integer.
        return ".".join(str(b) for b in struct.pack("<I", address))
    return None


def text_list(value: Any) -> Optional[list[str]]:
    """A list of strings or addresses; a single value becomes a one-item list, null stays None."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return [text for text in (text_value(item) for item in items) if text is not None]


def date_value(value: Any) -> Optional[datetime]:
    """A date from `/Date(ms)/`, ISO-8601, or 5.1's {"value": "/Date(ms)/", "DateTime": ...} object.

    The result is aware when the text says where it is in UTC, naive when it does not.
    """
    if isinstance(value, dict):
        return date_value(lower_keys(value).get("value"))
    if not isinstance(value, str):
        return None
    return parse_dotnet_date(value) or parse_iso(value)
