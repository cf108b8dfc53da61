"""The Markdown report: the same diagnosis, pasteable into a ticket or a chat.

Every value that came from a bundle is escaped, so a relationship named `x | <img src=...>` shows
as text in a ticket system instead of breaking a table or becoming a link or an image.
"""
from __future__ import annotations

import re

from ..diagnosis import Diagnosis

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def _md(value: object) -> str:
    """Escape a value for Markdown text and table cells."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _fence(command: str) -> str:
    """A code fence longer than any backtick run in the command."""
    longest = max((len(run) for run in re.findall(r"`+", command)), default=0)
    return "`" * max(3, longest + 1)


def render_markdown(d: Diagnosis) -> str:
    lines = [f"# failover-doctor: {d.verdict.upper()}", "", _md(d.summary), ""]
    lines += ["## Relationships", "", "| relationship | server | state | mode | MCLT (s) |",
              "|---|---|---|---|---|"]
    for rel in d.relationships:
        for side in rel["sides"]:
            mclt = side.get("mclt_s") if side.get("mclt_s") is not None else ""
            lines.append(f"| {_md(rel['name'])} | {_md(side['server'])} | {_md(side['state'] or '(not listed)')} | "
                         f"{_md(side.get('mode') or '')} | {mclt} |")
    lines.append("")
    lines += ["## Findings", ""]
    if not d.findings:
        lines += ["No fault found" + (" apart from the suppressed ones below." if d.suppressed else "."), ""]
    for rank, f in enumerate(d.findings, start=1):
        lines += _finding(f, f"### {rank}.")
    for item in d.competing:
        first, second = item["causes"]
        where = f" on {_md(item['relationship'])}" if item["relationship"] else ""
        second_how = (f"not checked: {second['unchecked']}" if second.get("unchecked")
                      else f"{second['confidence']:.0%}")
        lines += [f"**Two causes remain{where}**: {_md(first['cause'])} ({first['confidence']:.0%}) or "
                  f"{_md(second['cause'])} ({_md(second_how)}).", ""]
        if item["check"]:
            lines += [f"The one check that tells them apart: {_md(item['check'])}", ""]
    lines += _sections(d)
    return "\n".join(lines) + "\n"


def _finding(f, heading: str) -> list[str]:
    """One finding; its reasons and consequences follow it under a deeper heading."""
    lines: list[str] = []
    sub = "#" * (heading.count("#") + 1)
    label = "expected behaviour" if f.expected else f.severity
    lines += [f"{heading} {_md(f.title)}", "",
              f"- **cause**: {_md(f.cause)} · **severity**: {label} · **confidence**: {f.confidence:.0%}",
              f"- **fault**: {_md(f.location())} · **server**: {_md(f.server)}"
              + (f" · **partner**: {_md(f.partner)}" if f.partner else "")
              + (f" · **relationship**: {_md(f.relationship)}" if f.relationship else ""),
              f"- **rules**: {_md(', '.join(f.rules))}", ""]
    lines += [f"> {_md(text)}" for text in f.explanations] + [""]
    if f.watch:
        lines += [f"**Watch**: {_md(text)}" for text in f.watch] + [""]
    lines += ["Evidence:", ""]
    lines += [f"- {_md(ev.summary)} — {_md(ev.artifact)}" + (f" ({_md(ev.record)})" if ev.record else "")
              for ev in f.evidence]
    lines.append("")
    for item in f.tells_apart:
        lines.append(f"To tell it from {_md(item['cause'])}: {_md(item['check'])}")
    if f.tells_apart:
        lines.append("")
    if f.runbook_error:
        lines += [f"Runbook could not be rendered: {_md(f.runbook_error)}", ""]
    elif f.runbook is not None:
        lines += [f"{sub} Runbook: {_md(f.runbook.title)}", "", _md(f.runbook.summary), ""]
        for section in ("fix", "verify", "rollback"):
            steps = getattr(f.runbook, section)
            if not steps:
                continue
            lines += [f"**{section.capitalize()}**", ""]
            for number, step in enumerate(steps, start=1):
                flag = " — **destructive**" if step.destructive else ""
                fence = _fence(step.command)
                lines += [f"{number}. {_md(step.title)} (on {_md(step.target)}){flag}", "",
                          f"   {fence}powershell"]
                lines += [f"   {line}" for line in step.command.splitlines()]
                lines += [f"   {fence}", ""]
    for reason in f.reasons:
        lines += _finding(reason, f"{sub} Reason behind it:")
    for symptom in f.consequences:
        lines += _finding(symptom, f"{sub} Consequence:")
    return lines


def _sections(d: Diagnosis) -> list[str]:
    lines: list[str] = []
    if d.suppressed or d.expired_suppressions:
        lines += ["## Suppressed by the site config", ""]
        lines += [f"- {_md(item.cause)} ({_md(', '.join(item.rules))}) on {_md(item.server)}"
                  + (f", relationship {_md(item.relationship)}" if item.relationship else "")
                  + f": {_md(item.title)} — suppressed until {item.until}: {_md(item.reason)} ({_md(item.config)})"
                  for item in d.suppressed]
        lines += [f"- Expired: {_md(text)}" for text in d.expired_suppressions]
        lines.append("")
    if d.observations:
        lines += ["## Notes", ""] + [f"- {_md(note)}" for note in d.observations] + [""]
    if d.ruled_out:
        lines += ["## Ruled out", ""]
        # rules of one cause often miss for the same reason: say it once, with the rules it rules out
        by_reason: dict[tuple[str, str], list[str]] = {}
        for r in d.ruled_out:
            by_reason.setdefault((r.cause, r.reason), []).append(r.rule)
        lines += [f"- {_md(cause)} ({_md(', '.join(rules))}): {_md(reason)}"
                  for (cause, reason), rules in by_reason.items()]
        lines.append("")
    if d.not_evaluated:
        lines += ["## Not evaluated", ""]
        lines += [f"- {_md(n.cause)} ({_md(n.rule)}): needs {_md(n.missing)}; {_md(n.settle_with)}"
                  for n in d.not_evaluated]
        lines.append("")
    if d.timeline:
        clock = d.timeline[0]["clock"]
        lines += ["## State changes", ""]
        if clock:
            lines += [f"Times on {_md(clock)}'s clock; the partners' are corrected by the offset w32tm measured "
                      "(the time each server logged is in the last column).", ""]
        lines += ["| time (UTC) | logged by | relationship | state of | change | logged at |",
                  "|---|---|---|---|---|---|"]
        for e in d.timeline:
            lines.append(f"| {_md(e['aligned_time'])} | {_md(e['server'])} | {_md(e['relationship'])} | "
                         f"{_md(e['subject'] or e['server'])} | "
                         f"{_md(e['old_state'] or '?')} → {_md(e['new_state'])} | {_md(e['time'])} |")
        lines.append("")
    if d.problems:
        lines += ["## Could not read", ""] + [f"- {_md(p)}" for p in d.problems] + [""]
    if d.notes:
        lines += ["## Notes (read, nothing lost)", ""] + [f"- {_md(n)}" for n in d.notes] + [""]
    lines.append(f"Verdict: **{d.verdict}** (exit {d.exit_code}, engine {d.engine})")
    return lines
