"""What a rule needs and concludes, in words: `fodoc rules list|show` and `fodoc explain CAUSE`.

Written for the on-call admin as much as the rule author: the facts each pattern wants (and
which artifact produces them), what must be absent, what the finding says and about whom, the
references, and the runbook rendered with placeholder names instead of a real pair.
"""
from __future__ import annotations

from pathlib import Path

from ..catalog import suggest
from ..describe import describe_conditions
from ..errors import KnowledgeBaseError, UsageError
from ..knowledge import KnowledgeBase
from ..kb import shipped_dir
from ..rules import Rule
from .placeholders import render_with_placeholders


def rule_origin(rule: Rule) -> str:
    """'shipped', or 'site' for a rule from a --rules-dir (callers that show the file add it)."""
    try:
        Path(rule.path).resolve().relative_to(shipped_dir("rules").resolve())
    except ValueError:
        return "site"
    return "shipped"


def list_rules(kb: KnowledgeBase) -> str:
    header = ("id", "cause", "severity", "status", "fixtures", "origin")
    table = [header]
    for rule in kb.rules:
        positive = sum(1 for f in rule.fixtures if f.fires)
        table.append((rule.id, rule.cause, rule.severity, rule.status,
                      f"{positive}+ {len(rule.fixtures) - positive}-",
                      "shipped" if rule_origin(rule) == "shipped" else f"site ({rule.path})"))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                     for row in table) + "\n"


def find_rule(kb: KnowledgeBase, rule_id: str) -> Rule:
    for rule in kb.rules:
        if rule.id == rule_id:
            return rule
    hint = suggest(rule_id, [r.id for r in kb.rules])
    raise UsageError(f"no rule {rule_id!r}" + (f" (did you mean {hint!r}?)" if hint else "")
                     + "; 'fodoc rules list' shows them all")


def show_rule(kb: KnowledgeBase, rule: Rule, with_runbook: bool = True) -> str:
    lines = [f"{rule.id}: {rule.title}",
             f"  file:       {rule.path} ({rule_origin(rule)})",
             f"  concludes:  cause {rule.cause}, severity {rule.severity}, confidence "
             f"{rule.confidence:g}, status {rule.status}",
             "  about:      " + ", ".join(f"{role} = {ref}" for role, ref in rule.subject.items())]
    if rule.description.strip():
        lines.append("  why:        " + " ".join(rule.description.split()))
    lines.append("  needs:")
    for pattern in rule.patterns:
        produced = kb.catalog.kinds[pattern.kind].produced_by
        source = f"  [from {', '.join(produced)}]" if produced else ""
        lines.append(f"    {pattern.alias}: {describe_conditions(pattern, {})}{source}")
    if rule.absent:
        lines.append("  and no:")
        for pattern in rule.absent:
            lines.append(f"    {pattern.alias}: {describe_conditions(pattern, {})}")
    lines.append("  explains:   " + " ".join(rule.explain.split()))
    if rule.watch:
        lines.append("  watch:      " + " ".join(rule.watch.split()))
    if rule.consequence_of:
        lines.append("  consequence of: " + ("any fault" if rule.consequence_of == ("any",) else
                                            ", ".join(rule.consequence_of))
                     + " on the same relationship (shown under it)")
    if rule.reason_for:
        lines.append(f"  reason for: {', '.join(rule.reason_for)} on the same relationship "
                     "(shown under it)")
    for cause, check in rule.tells_apart.items():
        lines.append(f"  vs {cause}: {check}")
    positive = sum(1 for f in rule.fixtures if f.fires)
    lines.append(f"  fixtures:   {positive} that fire, {len(rule.fixtures) - positive} that stay silent")
    for fixture in rule.fixtures:
        lines.append(f"    - [{'fires' if fixture.fires else 'silent'}] {fixture.name}")
    if rule.references:
        lines.append("  references:")
        lines += [f"    {url}" for url in rule.references]
    if with_runbook:
        lines += [""] + runbook_text(kb, rule.cause)
    return "\n".join(lines) + "\n"


def explain_cause(kb: KnowledgeBase, cause: str) -> str:
    rules = kb.rules_for(cause)
    if not rules and cause not in kb.runbooks:
        hint = suggest(cause, sorted(set(kb.causes) | set(kb.runbooks)))
        raise UsageError(f"no cause {cause!r}" + (f" (did you mean {hint!r}?)" if hint else "")
                         + "; 'fodoc rules coverage' lists every cause")
    lines = [f"cause {cause}: concluded by {len(rules)} rule{'s' if len(rules) != 1 else ''}", ""]
    for rule in rules:
        lines.append(show_rule(kb, rule, with_runbook=False))
    lines += runbook_text(kb, cause)
    return "\n".join(lines) + "\n"


def runbook_text(kb: KnowledgeBase, cause: str) -> list[str]:
    if cause not in kb.runbooks:
        return [f"runbook: none (no runbooks/{cause}.yaml)"]
    try:
        runbook = kb.runbooks.get(cause)
        rendered = render_with_placeholders(runbook)
    except KnowledgeBaseError as exc:
        return [f"runbook: invalid: {exc.one_line()}"]
    lines = [f"runbook {cause}: {runbook.title}  ({runbook.path})",
             "  " + " ".join(runbook.summary.split()),
             f"  variables: {', '.join(runbook.requires)} (shown as <name>; target/peer are the "
             "host a step runs on and the other one)"]
    for phase in ("fix", "verify", "rollback"):
        steps = getattr(rendered, phase)
        if not steps:
            continue
        lines.append(f"  {phase}:")
        for number, step in enumerate(steps, start=1):
            flag = " DESTRUCTIVE" if step.destructive else ""
            lines.append(f"    {number}. {step.title} (on {step.target}){flag}")
            lines += [f"       {line}" for line in step.command.splitlines()]
            if step.expect:
                lines.append(f"       expect: {' '.join(step.expect.split())}")
    return lines


def describe_facts(kb: KnowledgeBase, kind: str | None = None) -> str:
    """The fact catalog in words: every kind (or one), its fields, types, units and meaning."""
    kinds = sorted(kb.catalog.kinds)
    if kind is not None:
        if kind not in kb.catalog.kinds:
            hint = kb.catalog.suggest_kind(kind)
            raise UsageError(f"no fact kind {kind!r}" + (f" (did you mean {hint!r}?)" if hint else "")
                             + f"; the kinds are {', '.join(kinds)}")
        kinds = [kind]
    lines = []
    for name in kinds:
        spec = kb.catalog.kinds[name]
        produced = ", ".join(spec.produced_by) or "-"
        lines.append(f"{name}: {' '.join(spec.description.split())}")
        lines.append(f"  from: {produced}" + ("  (derived by fodoc from other facts)" if spec.derived else ""))
        if kind is None:
            lines.append("  fields: " + ", ".join(spec.fields))
            continue
        for field_spec in spec.fields.values():
            extra = []
            if field_spec.required:
                extra.append("required")
            if field_spec.unit:
                extra.append(f"unit {field_spec.unit}")
            if field_spec.enum:
                extra.append("one of " + ", ".join(field_spec.enum))
            detail = f" ({'; '.join(extra)})" if extra else ""
            lines.append(f"  {field_spec.name}: {field_spec.type}{detail} — "
                         f"{' '.join(field_spec.description.split())}")
    return "\n".join(lines) + "\n"
