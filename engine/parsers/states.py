"""One spelling for failover states, whatever vocabulary the output used.

The same state reaches us as a CIM string (`CommunicationInterrupted`), an FSM_STATE number from
the Win32 API (4), the IPAM spelling (`CommunicationsInterrupted`), or the text Windows renders
into event messages (`COMMUNICATION_INT`, `Communication Interrupted`, `PARTNER DOWN`). Rules must
compare states across servers and artifacts, so every parser maps them to the CIM spelling used
by the `state` enum of facts/relationship.yaml.
"""
from __future__ import annotations

import re
from typing import Optional

# FSM_STATE (dhcpsapi.h) numbering; 12 and 13 are "reserved" in the API but still named.
_FSM_STATES = (
    "NoState", "Init", "Startup", "Normal", "CommunicationInterrupted", "PartnerDown",
    "PotentialConflict", "ConflictDone", "ResolutionInterrupted", "Recover", "RecoverWait",
    "RecoverDone", "Paused", "Shutdown",
)

_ALIASES = {
    "communicationsinterrupted": "CommunicationInterrupted",  # IPAM DhcpFailoverState
    "communicationint": "CommunicationInterrupted",           # FSM_STATE COMMUNICATION_INT
    "commint": "CommunicationInterrupted",                    # COMM_INT
    "resolutionint": "ResolutionInterrupted",                 # FSM_STATE RESOLUTION_INT
}

_SEPARATORS = re.compile(r"[\s_\-]+")

_BY_KEY = {name.lower(): name for name in _FSM_STATES}
_BY_KEY.update(_ALIASES)


def normalise_state(value: object) -> Optional[str]:
    """Return the CIM spelling of a failover state, or None when the value is not a state.

    Integers (and digit strings) are FSM_STATE values 0-13; text is matched ignoring case,
    spaces, underscores and hyphens.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return _FSM_STATES[value] if 0 <= value < len(_FSM_STATES) else None
    if not isinstance(value, str):
        return None
    text = value.strip().rstrip(".")
    if text.isdigit():
        return normalise_state(int(text))
    return _BY_KEY.get(_SEPARATORS.sub("", text).lower())
