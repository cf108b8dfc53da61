"""ConvertTo-Json as the two shells write it.

Windows PowerShell 5.1 (JavaScriptSerializer): `"key":  value` with two spaces, members indented
four past the column of their opening bracket, `'<>&` escaped as \\u0027..., dates as
`"\\/Date(ms)\\/"`, enums as integers. PowerShell 7 (Newtonsoft): two-space indent, `"key": value`,
ISO-8601 dates with the local offset, enums as integers unless -EnumsAsStrings.
"""
from __future__ import annotations

import json
import math

from .psvalues import DateTime, Enum, IPAddress, TimeSpan

_PS51_ESCAPES = {"'": "\\u0027", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def dumps(value, shell: str, enums_as_strings: bool = False) -> str:
    plain = _plain(value, shell, enums_as_strings)
    if shell == "ps51":
        return _ps51(plain, 0)
    return json.dumps(plain, indent=2, ensure_ascii=False)


class _Raw(str):
    """A JSON token already encoded (5.1 dates keep their escaped slashes)."""


def _plain(value, shell: str, enums_as_strings: bool):
    if isinstance(value, dict):
        return {k: _plain(v, shell, enums_as_strings) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, shell, enums_as_strings) for v in value]
    if isinstance(value, TimeSpan):
        return value.parts()
    if isinstance(value, DateTime):
        return _Raw(f'"\\/Date({value.ms()})\\/"') if shell == "ps51" else value.iso()
    if isinstance(value, Enum):
        return value.name if enums_as_strings else value.number
    if isinstance(value, IPAddress):
        return {"Address": value.number(), "AddressFamily": 2, "ScopeId": None, "IsIPv6Multicast": False,
                "IsIPv6LinkLocal": False, "IsIPv6SiteLocal": False, "IsIPv6Teredo": False,
                "IsIPv4MappedToIPv6": False, "IPAddressToString": value.text}
    return value


def _ps51(value, column: int) -> str:
    pad = " " * column
    if isinstance(value, dict):
        if not value:
            return "{\r\n\r\n" + pad + "}"
        lines = []
        for key, item in value.items():
            head = f'{pad}    "{key}":  '
            lines.append(head + _ps51(item, len(head)))
        return "{\r\n" + ",\r\n".join(lines) + "\r\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[\r\n\r\n" + pad + "]"
        inner = " " * (column + 4)
        return "[\r\n" + ",\r\n".join(inner + _ps51(item, column + 4) for item in value) + "\r\n" + pad + "]"
    return _scalar51(value)


def _scalar51(value) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    text = json.dumps(str(value), ensure_ascii=False)
    for char, escape in _PS51_ESCAPES.items():
        text = text.replace(char, escape)
    return text
