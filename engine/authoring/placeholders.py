"""Render a runbook without a diagnosis: every variable shows as its own name, e.g. '<partner>'.

`fodoc explain` and `fodoc rules show` print runbooks this way, and lint renders every runbook
like this so that pscheck sees the real PowerShell (cmdlets, parameters) the admin would run.
Values a template hands to `ps_list` become one-item lists, attributes of a mapping variable
(`rel.mclt_s`) become '<rel.mclt_s>'. Backup paths name their host the same way
('...\\backup\\<server>-clock_skew.xml'), not as the file-name-safe '_server_' the renderer
would make of '<server>'.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from jinja2 import nodes

from ..runbooks import HOST_VARIABLES, PHASES, RenderedRunbook, RenderedStep, Runbook, backup_file, render
from ..runbooks import _ENVIRONMENT  # the runbooks' own sandbox, so parsing matches rendering


class _Fields(dict):
    """A mapping variable whose every field reads as its placeholder name."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def __missing__(self, key: str) -> str:
        return f"<{self.name}.{key}>"


class _AnyRule(list):
    """`rules` without a finding: every rule id is in it, so `{% if 'x' in rules %}` shows its step."""

    def __init__(self):
        super().__init__(["<rules>"])

    def __contains__(self, item: object) -> bool:
        return True


# The diagnosis variable `rules` (the ids of the rules that concluded the finding): lint renders
# a runbook that requires it once as if every rule had concluded it and once as if none had, so
# that the PowerShell of both sides of an {% if ... in rules %} is checked.
RULES_VARIABLE = "rules"


def placeholder_variables(runbook: Runbook, rules: list[str] | None = None) -> dict[str, Any]:
    """The variables `runbook.requires` names, each standing for itself (`rules`: as given, else all)."""
    values: dict[str, Any] = {}
    for name in runbook.requires:
        values[name] = f"<{name}>"
    if RULES_VARIABLE in values:
        values[RULES_VARIABLE] = _AnyRule() if rules is None else list(rules)
    for phase in PHASES:
        for step in getattr(runbook, phase):
            tree = _ENVIRONMENT.parse(step.run)
            for getattr_node in tree.find_all(nodes.Getattr):
                if isinstance(getattr_node.node, nodes.Name) and getattr_node.node.name in values:
                    owner = getattr_node.node.name
                    if not isinstance(values[owner], _Fields):
                        values[owner] = _Fields(owner)
            for getitem in tree.find_all(nodes.Getitem):
                if isinstance(getitem.node, nodes.Name) and getitem.node.name in values \
                        and not isinstance(values[getitem.node.name], _Fields):
                    values[getitem.node.name] = _Fields(getitem.node.name)
            for filter_node in tree.find_all(nodes.Filter):
                if filter_node.name != "ps_list":
                    continue
                target = filter_node.node
                if isinstance(target, nodes.Name) and target.name in values \
                        and target.name != RULES_VARIABLE:
                    values[target.name] = [f"<{target.name}>"]
                elif isinstance(target, nodes.Getattr) and isinstance(target.node, nodes.Name):
                    owner = values.get(target.node.name)
                    if isinstance(owner, _Fields):
                        owner[target.attr] = [f"<{target.node.name}.{target.attr}>"]
    return values


def render_with_placeholders(runbook: Runbook, rules: list[str] | None = None) -> RenderedRunbook:
    """`runbook` rendered for a pair named '<server>' and '<partner>' (RunbookError if it cannot be).

    `rules` stands for the rules that concluded the finding; None: every rule (see RULES_VARIABLE).
    """
    rendered = render(runbook, placeholder_variables(runbook, rules))
    paths = {backup_file(f"<{role}>", runbook.cause): backup_file("HOST", runbook.cause)
             .replace("HOST", f"<{role}>") for role in HOST_VARIABLES}
    return dataclasses.replace(rendered, **{
        phase: [_with_backup_paths(step, paths) for step in getattr(rendered, phase)]
        for phase in PHASES})


def _with_backup_paths(step: RenderedStep, paths: dict[str, str]) -> RenderedStep:
    command = step.command
    for safe, placeholder in paths.items():
        command = command.replace(safe, placeholder)
    return dataclasses.replace(step, command=command)
