"""`fodoc rules new CAUSE`: a rule, its fixtures and a runbook to fill in, in a site directory.

The files pass `fodoc rules lint` as written, so the author starts from a valid shape, and their
positive fixture FAILS `fodoc rules test` until the real evidence is filled in: the rule waits for
an event whose ID is still 0 and the fixture does not carry it yet. A scaffold that passed its
test would be a rule that proves nothing.

For a cause that already has rules the new rule gets an id of its own (`port-647-blocked-site`),
never the id of an existing rule: a site rule with a shipped rule's id REPLACES that rule, which
must be a deliberate choice (`--id port-647-blocked`), not a side effect of naming the cause.
"""
from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..docschema import schema_path
from ..errors import UsageError
from ..fileio import write_atomically
from ..knowledge import load_knowledge_base
from ..site import RUNBOOKS_SUBDIR

_CAUSE = re.compile(r"^[a-z][a-z0-9_]*$")
_ID = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")

RULE_TEMPLATE = """\
# yaml-language-server: $schema={schema}
{adds_to}id: {rule_id}
cause: {cause}
title: "TODO: one line that says what is wrong"
severity: warning          # critical | warning | info
status: experimental       # stable once it has proved itself on real bundles
confidence: 0.6            # how sure a match makes you, in (0, 1]
description: >
  TODO: what goes wrong, and which facts show it. `fodoc rules show port-647-blocked` shows a
  finished rule; `fodoc rules facts` lists the fact kinds, `fodoc rules facts event` the fields
  of one.
match:
  side:                    # one side of a failover relationship that is not Normal
    kind: pair
    where:
      state: {{in: [CommunicationInterrupted, PartnerDown]}}
  evidence:                # TODO: the fact that proves the cause (here: an event in the admin log)
    kind: event
    where:
      server: {{ref: side.server}}
      event_id: 0          # TODO: the event ID you saw
subject: {{server: side.server, partner: side.partner, relationship: side.relationship}}
explain: >
  TODO: {{{{ side.server }}}} logged event {{{{ evidence.event_id }}}} {{{{ evidence.count }}}} times
  while relationship {{{{ side.relationship }}}} was {{{{ side.state }}}}.
references: []
fixtures:
  - name: "TODO: the evidence is there, so the rule fires"
    expect: fires
    facts:
      - {{kind: pair, relationship: dhcp-a-dhcp-b, server: dhcp-a, partner: dhcp-b, state: CommunicationInterrupted, partner_collected: true, normal_since: "1970-01-01T00:00:00Z"}}
      # TODO: add the evidence, e.g.
      # - {{kind: event, server: dhcp-a, log: DhcpAdminEvents, event_id: 0, count: 1, first: "2026-01-01T00:00:00Z", last: "2026-01-01T00:00:00Z"}}
  - name: a healthy pair stays silent
    expect: silent
    facts:
      - {{kind: pair, relationship: dhcp-a-dhcp-b, server: dhcp-a, partner: dhcp-b, state: Normal, partner_collected: true, normal_since: "1970-01-01T00:00:00Z"}}
"""

RUNBOOK_TEMPLATE = """\
# yaml-language-server: $schema={schema}
cause: {cause}
title: "TODO: what the fix does"
summary: |
  TODO: what is wrong, what these steps change, and what to check before running them.
  Every value goes into PowerShell through | ps (or | ps_list for lists).
requires: [server, partner, relationship]

fix:
  - id: show-relationship           # TODO: replace with the real fix steps
    title: "TODO: the fix; for now, show the relationship on the server with the problem"
    on: server
    run: |
      Get-DhcpServerv4Failover -ComputerName {{{{ target | ps }}}} -Name {{{{ relationship | ps }}}} | Select-Object -Property 'Name', 'PartnerServer', 'State'

verify:
  - id: failover-state
    title: Show the failover state of the relationship on both servers
    on: both
    run: |
      Get-DhcpServerv4Failover -ComputerName {{{{ target | ps }}}} -Name {{{{ relationship | ps }}}} | Select-Object -Property 'Name', 'PartnerServer', 'State'
    expect: State Normal on both servers.

rollback: []    # a fix that changes anything needs steps that undo it
"""


ADDS_TO_TEMPLATE = """\
{existing}
# To replace one of them instead, give the new rule that rule's id:
#   fodoc rules new {cause} --id <rule id>
"""


def _adds_to_comment(cause: str, rules: tuple[str, ...]) -> str:
    existing = textwrap.fill(f"This rule ADDS a way to detect the existing cause {cause}; it "
                             f"replaces none of its rules ({', '.join(rules)}).", width=98,
                             initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False)
    return ADDS_TO_TEMPLATE.format(existing=existing, cause=cause)


@dataclass(frozen=True)
class Scaffold:
    rule: Path
    runbook: Path | None       # None: the cause already has a runbook
    rule_id: str = ""
    adds_to: tuple[str, ...] = ()   # the rules the cause already has (the new rule sits beside them)
    replaces: str | None = None     # the id of the rule the new one replaces (asked for with --id)


def scaffold(cause: str, directory: Path, rule_id: str | None = None,
             existing_runbook: Path | None = None,
             existing_rules: Mapping[str, str] | None = None) -> Scaffold:
    """Write `<directory>/<rule-id>.yaml` and, unless the cause has a runbook already,
    `<directory>/runbooks/<cause>.yaml`. Never overwrites a file.

    `existing_rules` maps every rule id already known to its cause; by default the shipped
    rules and those in `directory`. Without an explicit `rule_id` the new rule's id is the cause
    with hyphens, made unique with a `-site` (then `-site-2`, ...) suffix when that id is taken.
    """
    if not _CAUSE.match(cause):
        raise UsageError(f"cause {cause!r} must be lower_snake_case (letters, digits, underscores), "
                         "e.g. bndupd_queue_full")
    directory = Path(directory)
    known = dict(existing_rules) if existing_rules is not None else _known_rules(directory)
    adds_to = tuple(sorted(rid for rid, of in known.items() if of == cause))
    replaces = rule_id if rule_id in known else None
    rule_id = rule_id or _unused_id(cause.replace("_", "-"), known)
    if not _ID.match(rule_id):
        raise UsageError(f"rule id {rule_id!r} must be lower-case letters, digits and hyphens")
    rule_path = directory / f"{rule_id}.yaml"
    own_runbook = directory / RUNBOOKS_SUBDIR / f"{cause}.yaml"
    existing_runbook = existing_runbook or (own_runbook if own_runbook.exists() else None)
    runbook_path = None if existing_runbook else own_runbook
    for path in (rule_path, runbook_path):
        if path is not None and path.exists():
            raise UsageError(f"{path}: already exists; choose another id with --id, or edit it")
    directory.mkdir(parents=True, exist_ok=True)
    write_atomically(rule_path, RULE_TEMPLATE.format(
        schema=_schema_ref("rule", directory), rule_id=rule_id, cause=cause,
        adds_to=_adds_to_comment(cause, adds_to) if adds_to and not replaces else ""))
    if runbook_path is not None:
        runbook_path.parent.mkdir(exist_ok=True)
        write_atomically(runbook_path, RUNBOOK_TEMPLATE.format(
            schema=_schema_ref("runbook", runbook_path.parent), cause=cause))
    return Scaffold(rule_path, runbook_path, rule_id, adds_to, replaces)


def _known_rules(directory: Path) -> dict[str, str]:
    """Rule id -> cause of the shipped rules and of the rules already in `directory`."""
    kb = load_knowledge_base([directory] if directory.is_dir() else [])
    return {rule.id: rule.cause for rule in kb.rules}


def _unused_id(base: str, known: Mapping[str, str]) -> str:
    if base not in known:
        return base
    candidates = (f"{base}-site", *(f"{base}-site-{n}" for n in range(2, len(known) + 3)))
    return next(candidate for candidate in candidates if candidate not in known)


def _schema_ref(document: str, directory: Path) -> str:
    """The schema as a path relative to the file (what yaml-language-server resolves)."""
    target = schema_path(document)
    try:
        return Path(os.path.relpath(target, directory.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return target.as_uri()
