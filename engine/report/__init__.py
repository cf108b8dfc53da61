"""Renderers of a Diagnosis: text for terminals, JSON (versioned) for machines, Markdown for tickets."""
from __future__ import annotations

from ..diagnosis import Diagnosis
from ..errors import UsageError

FORMATS = ("text", "json", "markdown")


def render_report(diagnosis: Diagnosis, fmt: str, color: bool = False, width: int | None = None) -> str:
    if fmt == "json":
        from .json import render_json
        return render_json(diagnosis)
    if fmt == "markdown":
        from .markdown import render_markdown
        return render_markdown(diagnosis)
    if fmt == "text":
        from .text import render_text
        return render_text(diagnosis, color=color, width=width)
    raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
