"""Get-DhcpServerv4OptionValue → one `option_value` fact per option, at server or scope level.

options-server holds the server-level values (`-All`), which failover never replicates, so a
difference there is worth a note of its own; options-scope holds every scope's values, each
row carrying the ScopeId property the collector adds (the cmdlet's output does not say which
scope it was asked about). Value is a list whose order matters (the first DNS server is the one
clients try first), so it is kept in the order Windows printed it.
"""
from __future__ import annotations

from typing import Optional

from ..facts import Fact
from .base import Artifact, Problems
from .cimrecords import readers
from .psjson import int_value, text_list, text_value
from .scopes import address

_JSON = "Get-DhcpServerv4OptionValue -All | ConvertTo-Json output"
_TEXT = "Get-DhcpServerv4OptionValue -All | Format-List output ('OptionId : ...', 'Value : {...}')"
VALUE_SEPARATOR = ", "




def _option(artifact: Artifact, problems: Problems, label: str, record: dict) -> Optional[Fact]:
    option_id = int_value(record.get("optionid"))
    if option_id is None:
        problems.add(artifact.path, f"OptionId {text_value(record.get('optionid'))!r} is not a number; "
                                    "expected a Get-DhcpServerv4OptionValue record", record=label)
        return None
    scope_level = artifact.family == "options-scope"
    scope_id = address(artifact, problems, label, record, "scopeid", "ScopeId") if scope_level else None
    if scope_level and scope_id is None:
        problems.add(artifact.path, f"option {option_id} has no ScopeId; expected the ScopeId property the "
                                    "capture command adds to each scope's options", record=label)
        return None
    values = text_list(record.get("value"))
    return artifact.fact(
        "option_value", label,
        server=artifact.server,
        level="scope" if scope_level else "server",
        scope_id=scope_id,
        option_id=option_id,
        name=text_value(record.get("name")),
        type=text_value(record.get("type")),
        value=VALUE_SEPARATOR.join(values) if values is not None else None,
        vendor_class=text_value(record.get("vendorclass")),
        user_class=text_value(record.get("userclass")),
        policy_name=text_value(record.get("policyname")),
    )


parse_json, parse_text = readers(_option, _JSON, _TEXT, lists=("value",))
