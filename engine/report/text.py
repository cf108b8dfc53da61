"""The terminal report: the answer first, then the evidence, then exactly what to run.

Written for the admin at 3 a.m.: the first line says what is wrong and how sure we are, each
finding shows the lines of output that prove it (with the file to open), and the runbook is
printed with the pair's real names so it can be pasted as is.
"""
from __future__ import annotations

import io

from ..diagnosis import Diagnosis, Finding

Segment = tuple[str, str]

_VERDICT_STYLE = {"healthy": "bold green", "warning": "bold yellow", "critical": "bold red",
                  "unknown": "bold magenta"}
_SEVERITY_STYLE = {"critical": "bold red", "warning": "bold yellow", "info": "cyan"}


class _Lines:
    """Collects report lines as styled segments; rich (slow to import) is used only for colour."""

    def __init__(self) -> None:
        self.lines: list[list[Segment]] = []

    def __call__(self, *parts: str | Segment) -> None:
        self.lines.append([p if isinstance(p, tuple) else (p, "") for p in parts])

    def plain(self) -> str:
        return "".join("".join(text for text, _ in line) + "\n" for line in self.lines)

    def styled(self, width: int | None) -> str:
        from rich.console import Console
        from rich.text import Text

        buffer = io.StringIO()
        # soft_wrap: long lines (commands above all) are never broken, so they paste as they are
        console = Console(file=buffer, force_terminal=True, color_system="standard", width=width or 100,
                          highlight=False,
                          soft_wrap=True, emoji=False, markup=False)
        for line in self.lines:
            console.print(Text.assemble(*line))
        return buffer.getvalue()


def render_text(d: Diagnosis, color: bool = False, width: int | None = None) -> str:
    out = _Lines()
    _report(out, d)
    return out.styled(width) if color else out.plain()


def _report(out: _Lines, d: Diagnosis) -> None:

    out(("failover-doctor: ", "bold"), (d.summary, _VERDICT_STYLE[d.verdict]))
    out()
    out(("Relationships", "bold underline"))
    if not d.relationships:
        out("  none could be read")
    for rel in d.relationships:
        for number, side in enumerate(rel["sides"]):
            label = rel["name"] if number == 0 else ""
            state = side["state"] or "(relationship not listed on this server)"
            extra = []
            if side.get("mode"):
                extra.append(side["mode"])
            if side.get("mclt_s") is not None:
                extra.append(f"MCLT {side['mclt_s']} s")
            details = f" ({', '.join(extra)})" if extra else ""
            out(f"  {label:<24} {side['server']}: {state}{details}")
    out()

    if d.findings:
        out(("Findings", "bold underline"))
        for rank, finding in enumerate(d.findings, start=1):
            _finding(out, rank, finding)
    elif d.verdict == "healthy":
        out(("No fault found" + (" apart from the suppressed ones below." if d.suppressed else "."),
             "bold green"))
        out()
    if d.suppressed or d.expired_suppressions:
        out(("Suppressed by the site config", "bold underline"))
        for item in d.suppressed:
            where = f", relationship {item.relationship}" if item.relationship else ""
            out(f"  - {item.cause} ({', '.join(item.rules)}) on {item.server}{where}: {item.title}")
            out(f"      suppressed until {item.until}: {item.reason} ({item.config})")
        for text in d.expired_suppressions:
            out(("  - Expired: ", "bold yellow"), text)
        out()
    for item in d.competing:
        first, second = item["causes"]
        where = f" on {item['relationship']}" if item["relationship"] else ""
        out((f"Two causes remain{where}: {first['cause']} ({first['confidence']:.0%}) or "
             f"{second['cause']} ({_likelihood(second)}).", "bold"))
        if item["check"]:
            out(f"  The one check that tells them apart: {item['check']}")
        out()
    for item in d.unexplained:
        out((f"Unexplained: {item['relationship']} is {item['state']} on {item['server']} and no "
             "known cause matched.", _VERDICT_STYLE[d.verdict]))
    for server in d.unread:
        out((f"Unread: the failover state of {server} could not be read (see below).", "bold magenta"))
    for note in d.observations:
        out((f"Note: {note}", "bold yellow"))
    if d.unexplained or d.unread or d.observations:
        out()

    if d.ruled_out:
        out(("Ruled out", "bold underline"))
        # One line per cause: the reason that shows a measured near miss ("found clock offset
        # -0.003 s") before one that only shows the relationship's state (the gate most rules
        # start with, which says little about the cause); JSON has them all.
        by_cause: dict[str, list] = {}
        for item in d.ruled_out:
            by_cause.setdefault(item.cause, []).append(item)
        for cause, items in by_cause.items():
            best = max(items, key=lambda item: (any(e.kind != "pair" for e in item.evidence), bool(item.evidence)))
            more = f" (+{len(items) - 1} more rule{'s' if len(items) > 2 else ''})" if len(items) > 1 else ""
            out(f"  - {cause}: {_clip(best.reason, 200)}{more}")
        out()
    if d.not_evaluated:
        out(("Not evaluated (missing data)", "bold underline"))
        grouped: dict[tuple[str, str], list[str]] = {}
        for item in d.not_evaluated:
            grouped.setdefault((item.missing, item.settle_with), []).append(item.rule)
        for (missing, settle), rules in grouped.items():
            out(f"  - needs {missing}: {settle}")
            out(f"      (rules {', '.join(rules)})")
        out()
    if d.timeline:
        clock = d.timeline[0]["clock"]
        note = f"; times on {clock}'s clock, the partners' corrected by the measured offset" if clock else ""
        out((f"State changes (latest 10{note})", "bold underline"))
        for entry in d.timeline[-10:]:
            old = entry["old_state"] or "?"
            logged = f", logged {entry['time']}" if entry["time"] != entry["aligned_time"] else ""
            out(f"  {entry['aligned_time']}  {entry['relationship']}  {entry['subject'] or entry['server']}: "
                f"{old} → {entry['new_state']}  (event {entry['event_id']} on {entry['server']}{logged})")
        out()
    _capture(out, d.capture)
    if d.problems:
        out(("Could not read", "bold underline"))
        for problem in d.problems:
            out(f"  - {problem}")
        out()
    if d.notes:
        out(("Notes (read, nothing lost)", "bold underline"))
        for note in d.notes:
            out(f"  - {note}")
        out()
    out(("Verdict: ", "bold"), (d.verdict.upper(), _VERDICT_STYLE[d.verdict]),
        f" (exit {d.exit_code}; engine {d.engine})")


def _capture(out: _Lines, capture: dict) -> None:
    """Who captured the bundle and when; warnings when its parts are not from one moment."""
    if not capture or not (capture.get("collector") or capture.get("collected") or capture.get("warnings")):
        return
    out(("Capture", "bold underline"))
    if capture.get("collector"):
        version = f" {capture['version']}" if capture.get("version") else ""
        created = f", bundle created {capture['created']}" if capture.get("created") else ""
        out(f"  by {capture['collector']}{version}{created}")
    for server, when in capture.get("collected", {}).items():
        out(f"  {server} collected at {when}")
    for warning in capture.get("warnings", []):
        out(("  WARNING: ", "yellow"), warning)
    out()


def _finding(out: _Lines, rank: int | str, f: Finding, indent: str = "") -> None:
    label = "EXPECTED" if f.expected else f.severity.upper()
    out(f"{indent} {rank}. ", (f"[{label} {f.confidence:.0%}]", _SEVERITY_STYLE[f.severity]), " ",
        (f.cause, "bold"), f": {f.title}")
    pad = indent + "    "
    where = [f.location()]   # where the fault is: the box to act on
    if f.partner and len(f.fault_hosts) == 1 and f.fault_hosts[0] == f.server:
        where.append(f"partner {f.partner}")
    if f.relationship:
        where.append(f"relationship {f.relationship}")
    out(pad + " · ".join(where) + f" · rules {', '.join(f.rules)}")
    for text in f.explanations:
        out(f"{pad}Why: {text}")
    for text in f.watch:
        out(f"{pad}Watch: {text}")
    out(f"{pad}Evidence:")
    for ev in f.evidence:
        record = f" ({ev.record})" if ev.record else ""
        out(f"{pad}  - {ev.summary}  [{ev.artifact}{record}]")
    for item in f.tells_apart:
        out(f"{pad}To tell it from {item['cause']}: {item['check']}")
    for number, reason in enumerate(f.reasons, start=1):
        out((f"{pad}Reason behind it:", "bold"))
        _finding(out, f"{rank}.r{number}", reason, pad)
    for number, symptom in enumerate(f.consequences, start=1):
        out((f"{pad}Consequence ({symptom.severity}):", "bold"))
        _finding(out, f"{rank}.c{number}", symptom, pad)
    if f.runbook_error:
        out(f"{pad}Runbook could not be rendered: {f.runbook_error}")
    elif f.runbook is not None and indent:
        # under another finding: the leading runbook is the one to run first; this one's steps
        # are in the Markdown and JSON reports
        out((f"{pad}Runbook: {f.runbook.title} ({f.cause}; steps with --format markdown or json)", "bold"))
    elif f.runbook is not None:
        _runbook(out, f.runbook, indent)
    if not indent:
        out()


def _runbook(out: _Lines, runbook, indent: str = "") -> None:
    out((f"{indent}    Runbook: {runbook.title}", "bold"))
    for line in runbook.summary.strip().splitlines():
        out(f"{indent}      {line}")
    for section in ("fix", "verify", "rollback"):
        steps = getattr(runbook, section)
        if not steps:
            continue
        out(f"{indent}      {section.capitalize()}:")
        for number, step in enumerate(steps, start=1):
            flag = "  [DESTRUCTIVE]" if step.destructive else ""
            out(f"{indent}        {number}. {step.title} (on {step.target}){flag}")
            for line in step.command.splitlines():
                out((f"{indent}           {line}", "cyan"))
            if getattr(step, "expect", None):
                out(f"{indent}           expect: {step.expect}")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _likelihood(cause: dict) -> str:
    """A competing cause's confidence, or why it has none (its data was not collected)."""
    if cause.get("unchecked"):
        return f"not checked: {cause['unchecked']}"
    return f"{cause['confidence']:.0%}"
