"""The event records each simulated server logs, with Windows' own message texts.

Messages are built from the en-US templates Windows renders (data/*.tsv: the DHCP Server, Time
Service and Firewall templates of reference/windows-events, plus the Service Control Manager and
EventLog lines the System log carries), so a parser that falls back to reading insertion strings
out of the message meets exactly what a real log holds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib.resources import files

from ..errors import KnowledgeBaseError

DHCP = "Microsoft-Windows-DHCP-Server"
SCM = "Service Control Manager"
EVENTLOG = "EventLog"
TIME = "Microsoft-Windows-Time-Service"

ADMIN = "DhcpAdminEvents"
OPERATIONAL = "Microsoft-Windows-Dhcp-Server/Operational"
SYSTEM = "System"

_DATA_FILES = ("dhcp-server.tsv", "time-service.tsv", "firewall.tsv", "system.tsv")
_PLACEHOLDER = re.compile(r"%(\d+)")

# Level (1 critical, 2 error, 3 warning, 4 information), task, opcode and their display names
# as Get-WinEvent shows them. 20252 is the error-level state change (leaving NORMAL or entering
# PARTNER-DOWN), 20251 the other moves (failover-knowledge.md §2.2).
_META = {
    20251: (4, 3, 12, "FailoverStateChange"), 20252: (2, 3, 12, "FailoverStateChange"),
    20253: (2, 3, 14, "TimeOutOfSync"), 20254: (4, 3, 16, "CommUp"), 20255: (2, 3, 15, "CommDown"),
    20291: (3, 3, 0, "Info"), 20292: (3, 3, 0, "Info"), 20286: (2, 3, 0, "Info"),
    20287: (2, 3, 0, "Info"), 20165: (2, 3, 0, "Info"), 1046: (2, 0, 0, "Info"), 1063: (3, 0, 0, "Info"),
    1004: (2, 0, 0, "Info"), 7036: (4, 0, 0, "Info"), 7034: (2, 0, 0, "Info"), 6008: (2, 0, 0, "Info"),
    6005: (4, 0, 0, "Info"), 6006: (4, 0, 0, "Info"),
}
_DIGEST_IDS = range(20256, 20285)
LEVEL_NAMES = {1: "Critical", 2: "Error", 3: "Warning", 4: "Information"}


@dataclass(frozen=True)
class EventRecord:
    """One logged event: what `Get-WinEvent` returns for it, before any output format."""

    log: str
    provider: str
    event_id: int
    time: datetime      # UTC
    params: tuple[str, ...]
    record_id: int = 0

    @property
    def level(self) -> int:
        if self.event_id in _META:
            return _META[self.event_id][0]
        return 2 if self.event_id in _DIGEST_IDS else 4

    @property
    def task(self) -> int:
        return _META.get(self.event_id, (0, 3 if self.provider == DHCP else 0))[1]

    @property
    def opcode(self) -> tuple[int, str]:
        meta = _META.get(self.event_id)
        return (meta[2], meta[3]) if meta else (0, "Info")

    @property
    def message(self) -> str:
        return render_message(self.provider, self.event_id, self.params)


def render_message(provider: str, event_id: int, params: tuple[str, ...]) -> str:
    """The message Windows shows: the template with %n replaced by the insertion strings."""
    template = _templates().get((provider, event_id))
    if template is None:
        raise KnowledgeBaseError("engine/simulate/data", f"no message template for {provider} event {event_id}")
    text = template.replace("\\n", "\r\n").replace("\\t", "\t")
    return _PLACEHOLDER.sub(lambda m: params[int(m[1]) - 1] if int(m[1]) <= len(params) else "", text)


def known(provider: str, event_id: int) -> bool:
    return (provider, event_id) in _templates()


@lru_cache(maxsize=None)
def _templates() -> dict[tuple[str, int], str]:
    found: dict[tuple[str, int], str] = {}
    for name in _DATA_FILES:
        text = files(__package__).joinpath("data", name).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines()[1:], start=2):
            if not line.strip():
                continue
            columns = line.split("\t")
            if len(columns) != 3 or not columns[1].isdigit():
                raise KnowledgeBaseError(f"engine/simulate/data/{name}", "expected provider, event_id, "
                                         "message_template separated by tabs", item=f"line {number}")
            found[(columns[0], int(columns[1]))] = columns[2]
    return found
