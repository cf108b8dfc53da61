"""Typed values as PowerShell holds them, so each output form can print them its own way."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


@dataclass(frozen=True)
class TimeSpan:
    """A .NET TimeSpan: ConvertTo-Json writes an object of its parts, the console `01:00:00`."""

    seconds: int

    def parts(self) -> dict:
        s = self.seconds
        return {"Ticks": s * 10_000_000, "Days": s // 86400, "Hours": s % 86400 // 3600, "Milliseconds": 0,
                "Minutes": s % 3600 // 60, "Seconds": s % 60, "TotalDays": s / 86400, "TotalHours": s / 3600,
                "TotalMilliseconds": float(s * 1000), "TotalMinutes": s / 60, "TotalSeconds": float(s)}

    def text(self) -> str:
        days, rest = divmod(self.seconds, 86400)
        clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
        return f"{days}.{clock}" if days else clock


@dataclass(frozen=True)
class DateTime:
    """A .NET DateTime in the server's local time (`offset_min` east of UTC)."""

    utc: datetime
    offset_min: int = 0

    def local(self) -> datetime:
        return self.utc.astimezone(timezone(timedelta(minutes=self.offset_min)))

    def ms(self) -> int:
        return int(round(self.utc.timestamp() * 1000))

    def iso(self) -> str:
        local = self.local()
        text = local.strftime("%Y-%m-%dT%H:%M:%S") + f".{local.microsecond:06d}0"
        sign = "+" if self.offset_min >= 0 else "-"
        return text + f"{sign}{abs(self.offset_min) // 60:02d}:{abs(self.offset_min) % 60:02d}"

    def text(self) -> str:
        """en-US console form: 11/30/2026 9:44:51 AM."""
        local = self.local()
        hour = local.hour % 12 or 12
        return f"{local.month}/{local.day}/{local.year} {hour}:{local:%M:%S} {'AM' if local.hour < 12 else 'PM'}"


@dataclass(frozen=True)
class Enum:
    """A .NET enum: an integer in ConvertTo-Json (unless -EnumsAsStrings), its name on screen."""

    name: str
    number: int


@dataclass(frozen=True)
class IPAddress:
    """System.Net.IPAddress: an object with Address (little-endian uint32) in JSON, dotted on screen."""

    text: str

    def number(self) -> int:
        a, b, c, d = (int(p) for p in self.text.split("."))
        return a | b << 8 | c << 16 | d << 24


def console_text(value) -> str:
    """How Format-List / Format-Table print a value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (TimeSpan, DateTime)):
        return value.text()
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, IPAddress):
        return value.text
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(console_text(v) for v in value) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
