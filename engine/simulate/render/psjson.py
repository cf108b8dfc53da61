"""ConvertTo-Json as the two shells write it.

Windows PowerShell 5.1 (JavaScriptSerializer): `"key":  value` with two spaces, members indented
four past the column of their opening bracket, `'<>&` escaped as \\u0027..., dates as
`"\\/Date(ms)\\/"`, enums as integers. PowerShell 7 (Newtonsoft): two-space indent, `"key": value`,
ISO-8601 dates with the local offset, enums as integers unless -EnumsAsStrings.
"""
from __future__ import annotations

import json
import math
from json.encoder import encode_basestring as _quote

from .psvalues import DateTime, Enum, IPAddress, TimeSpan

_PS51_ESCAPES = {"'": "\\u0027", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def dumps(value, shell: str, enums_as_strings: bool = False) -> str:
    if shell == "ps51":
        out: list[str] = []
        _ps51(value, 0, out)
        return "".join(out)
    return json.dumps(_plain(value, enums_as_strings), indent=2, ensure_ascii=False)


def _plain(value, enums_as_strings: bool):
    """Typed values as PowerShell 7 serialises them."""
    if isinstance(value, dict):
        return {k: _plain(v, enums_as_strings) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, enums_as_strings) for v in value]
    if isinstance(value, TimeSpan):
        return value.parts()
    if isinstance(value, DateTime):
        return value.iso()
    if isinstance(value, Enum):
        return value.name if enums_as_strings else value.number
    if isinstance(value, IPAddress):
        return _ip_object(value)
    return value


def _ip_object(value: IPAddress) -> dict:
    return {"Address": value.number(), "AddressFamily": 2, "ScopeId": None, "IsIPv6Multicast": False,
            "IsIPv6LinkLocal": False, "IsIPv6SiteLocal": False, "IsIPv6Teredo": False,
            "IsIPv4MappedToIPv6": False, "IPAddressToString": value.text}


def _ps51(value, column: int, out: list[str]) -> None:
    """Append the 5.1 text of `value`, whose first character sits at `column`."""
    kind = type(value)
    if kind is dict:
        if not value:
            out.append("{\r\n\r\n" + " " * column + "}")
            return
        out.append("{\r\n")
        pad = " " * (column + 4)
        first = True
        for key, item in value.items():
            if not first:
                out.append(",\r\n")
            first = False
            head = f'{pad}"{key}":  '
            out.append(head)
            _ps51(item, len(head), out)
        out.append("\r\n" + " " * column + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[\r\n\r\n" + " " * column + "]")
            return
        out.append("[\r\n")
        pad = " " * (column + 4)
        for number, item in enumerate(value):
            out.append(",\r\n" + pad if number else pad)
            _ps51(item, column + 4, out)
        out.append("\r\n" + " " * column + "]")
    elif kind is TimeSpan:
        _ps51(value.parts(), column, out)
    elif kind is IPAddress:
        _ps51(_ip_object(value), column, out)
    elif kind is DateTime:
        out.append(f'"\\/Date({value.ms()})\\/"')
    elif kind is Enum:
        out.append(str(value.number))
    else:
        out.append(_scalar51(value))


def _scalar51(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if type(value) is float:
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    text = _quote(str(value))
    if "'" in text or "<" in text or ">" in text or "&" in text:
        for char, escape in _PS51_ESCAPES.items():
            text = text.replace(char, escape)
    return text
