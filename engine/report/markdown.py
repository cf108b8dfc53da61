"""The Markdown report: the same diagnosis, pasteable into a ticket or a chat."""
from __future__ import annotations

from ..diagnosis import Diagnosis


def render_markdown(d: Diagnosis) -> str:
    lines = [f"# failover-doctor: {d.verdict.upper()}", "", d.summary, ""]
    lines += ["## Relationships", "", "| relationship | server | state | mode | MCLT (s) |",
              "|---|---|---|---|---|"]
    for rel in d.relationships:
        for side in rel["sides"]:
            lines.append(f"| {rel['name']} | {side['server']} | {side['state'] or '(not listed)'} | "
                         f"{side.get('mode') or ''} | {side.get('mclt_s') if side.get('mclt_s') is not None else ''} |")
    lines.append("")
    lines += ["## Findings", ""]
    if not d.findings:
        lines += ["No fault found.", ""]
    for rank, f in enumerate(d.findings, start=1):
        lines += [f"### {rank}. {f.title}", "",
                  f"- **cause**: `{f.cause}` · **severity**: {f.severity} · **confidence**: {f.confidence:.0%}",
                  f"- **server**: {f.server}" + (f" · **partner**: {f.partner}" if f.partner else "")
                  + (f" · **relationship**: {f.relationship}" if f.relationship else ""),
                  f"- **rules**: {', '.join(f.rules)}", ""]
        lines += [f"> {text}" for text in f.explanations] + [""]
        lines += ["Evidence:", ""]
        lines += [f"- {ev.summary} — `{ev.artifact}`" + (f" ({ev.record})" if ev.record else "")
                  for ev in f.evidence]
        lines.append("")
        for item in f.tells_apart:
            lines.append(f"To tell it from `{item['cause']}`: {item['check']}")
        if f.tells_apart:
            lines.append("")
        if f.runbook_error:
            lines += [f"Runbook could not be rendered: {f.runbook_error}", ""]
        elif f.runbook is not None:
            lines += [f"#### Runbook: {f.runbook.title}", ""]
            for section in ("fix", "verify", "rollback"):
                steps = getattr(f.runbook, section)
                if not steps:
                    continue
                lines += [f"**{section.capitalize()}**", ""]
                for number, step in enumerate(steps, start=1):
                    flag = " — **destructive**" if step.destructive else ""
                    lines += [f"{number}. {step.title} (on `{step.target}`){flag}", "",
                              "   ```powershell"]
                    lines += [f"   {line}" for line in step.command.splitlines()]
                    lines += ["   ```", ""]
    if d.ruled_out:
        lines += ["## Ruled out", ""]
        lines += [f"- `{r.cause}` ({r.rule}): {r.reason}" for r in d.ruled_out]
        lines.append("")
    if d.not_evaluated:
        lines += ["## Not evaluated", ""]
        lines += [f"- `{n.cause}` ({n.rule}): needs {n.missing}; {n.settle_with}" for n in d.not_evaluated]
        lines.append("")
    if d.timeline:
        lines += ["## State changes", "", "| time (UTC) | logged by | relationship | change |", "|---|---|---|---|"]
        for e in d.timeline:
            lines.append(f"| {e['time']} | {e['server']} | {e['relationship']} | "
                         f"{e['old_state'] or '?'} → {e['new_state']} |")
        lines.append("")
    if d.problems:
        lines += ["## Could not read", ""] + [f"- {p}" for p in d.problems] + [""]
    lines.append(f"Verdict: **{d.verdict}** (exit {d.exit_code}, engine {d.engine})")
    return "\n".join(lines) + "\n"
