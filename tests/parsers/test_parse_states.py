"""normalise_state: every vocabulary Windows uses maps to the CIM spelling of relationship.state."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.parsers.states import normalise_state

CIM_STATES = yaml.safe_load((Path(__file__).parents[2] / "facts" / "relationship.yaml").read_text())[
    "fields"]["state"]["enum"]


@pytest.mark.parametrize("value, expected", [
    # CIM / PowerShell strings
    ("NoState", "NoState"), ("Init", "Init"), ("Startup", "Startup"), ("Normal", "Normal"),
    ("CommunicationInterrupted", "CommunicationInterrupted"), ("PartnerDown", "PartnerDown"),
    ("PotentialConflict", "PotentialConflict"), ("ConflictDone", "ConflictDone"),
    ("ResolutionInterrupted", "ResolutionInterrupted"), ("Recover", "Recover"),
    ("RecoverWait", "RecoverWait"), ("RecoverDone", "RecoverDone"),
    # FSM_STATE API names and numbers
    ("NO_STATE", "NoState"), ("COMMUNICATION_INT", "CommunicationInterrupted"),
    ("RESOLUTION_INT", "ResolutionInterrupted"), ("RECOVER_WAIT", "RecoverWait"), ("RECOVER_DONE", "RecoverDone"),
    ("PARTNER_DOWN", "PartnerDown"), ("POTENTIAL_CONFLICT", "PotentialConflict"), ("PAUSED", "Paused"),
    ("SHUTDOWN", "Shutdown"), ("COMM_INT", "CommunicationInterrupted"),
    (0, "NoState"), (1, "Init"), (2, "Startup"), (3, "Normal"), (4, "CommunicationInterrupted"),
    (5, "PartnerDown"), (6, "PotentialConflict"), (7, "ConflictDone"), (8, "ResolutionInterrupted"),
    (9, "Recover"), (10, "RecoverWait"), (11, "RecoverDone"), (12, "Paused"), (13, "Shutdown"),
    ("4", "CommunicationInterrupted"),
    # IPAM
    ("CommunicationsInterrupted", "CommunicationInterrupted"),
    # event message text
    ("NORMAL", "Normal"), ("Communication Interrupted", "CommunicationInterrupted"),
    ("PARTNER DOWN", "PartnerDown"), ("partner-down", "PartnerDown"),
    ("COMMUNICATION-INTERRUPTED", "CommunicationInterrupted"),
    ("  recover wait ", "RecoverWait"), ("NORMAL.", "Normal"), ("Conflict_Done", "ConflictDone"),
])
def test_known_spellings(value, expected):
    assert normalise_state(value) == expected


@pytest.mark.parametrize("value", [None, "", "Unknown", "Sleeping", 14, -1, True, False, 3.0, "PARTNER", ["Normal"]])
def test_unknown_values(value):
    assert normalise_state(value) is None


def test_every_result_is_in_the_catalog_enum():
    assert {normalise_state(n) for n in range(14)} == set(CIM_STATES)
