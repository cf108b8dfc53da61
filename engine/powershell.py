"""Turn Python values into PowerShell literals that can never become code.

Runbooks interpolate values that come from bundles (host names, relationship names, scope
IDs): data an attacker or a broken collector may control. Every such value reaches PowerShell
through :func:`quote` or :func:`quote_list` (the Jinja filters ``ps`` and ``ps_list``), which
emit literals only:

* strings become single-quoted (verbatim) strings, in which PowerShell expands nothing. The only
  way out of such a string is a quote character, and PowerShell treats the typographic single
  quotes U+2018, U+2019, U+201A and U+201B exactly like ``'``, so all five are escaped by
  doubling them;
* booleans become ``$true`` / ``$false``, integers and finite floats become number literals
  (negative ones in parentheses, so that ``-5`` after a parameter is never read as a parameter
  name);
* anything else (``None``, containers, NUL characters, NaN) is refused with a clear error
  instead of being rendered as something that merely looks plausible.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from engine.errors import FodocError

# ' and the four characters PowerShell's tokenizer also accepts as single quotes.
_SINGLE_QUOTES = frozenset("'\u2018\u2019\u201a\u201b")

Scalar = str | bool | int | float


class QuoteError(FodocError, ValueError):
    """A value cannot be expressed as a safe PowerShell literal."""


def quote(value: Scalar) -> str:
    """Return ``value`` as a PowerShell literal (the Jinja filter ``ps``)."""
    if isinstance(value, bool):
        return "$true" if value else "$false"
    if isinstance(value, int):
        return str(value) if value >= 0 else f"({value})"
    if isinstance(value, float):
        return _float_literal(value)
    if isinstance(value, str):
        return _string_literal(value)
    if value is None:
        raise QuoteError("cannot quote None: the value is missing, so there is nothing to put "
                         "in the PowerShell command")
    raise QuoteError(f"cannot quote a {type(value).__name__} as a PowerShell literal; only "
                     "strings, booleans and numbers can be quoted (use ps_list for a list)")


def quote_list(values: Sequence[Scalar]) -> str:
    """Return ``values`` as a comma-separated PowerShell array (the Jinja filter ``ps_list``).

    ``['a', 'b']`` becomes ``'a','b'``, which PowerShell reads as one array argument.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise QuoteError(f"ps_list needs a list of values, got a {type(values).__name__}")
    if not values:
        raise QuoteError("ps_list got an empty list; PowerShell would receive no value at all")
    for item in values:
        if isinstance(item, (list, tuple, dict, set)):
            raise QuoteError(f"ps_list items must be plain values, got a {type(item).__name__}")
    return ",".join(quote(item) for item in values)


def _string_literal(value: str) -> str:
    if "\x00" in value:
        raise QuoteError("cannot quote a string that contains a NUL character")
    escaped = "".join(ch + ch if ch in _SINGLE_QUOTES else ch for ch in value)
    return f"'{escaped}'"


def _float_literal(value: float) -> str:
    if not math.isfinite(value):
        raise QuoteError(f"cannot quote the number {value!r}; PowerShell has no literal for it")
    text = str(int(value)) if value.is_integer() else repr(value)
    return f"({text})" if value < 0 else text
