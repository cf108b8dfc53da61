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


def placeholder_variables(runbook: Runbook) -> dict[str, Any]:
    """The variables `runbook.requires` names, each standing for itself."""
    values: dict[str, Any] = {}
    for name in runbook.requires:
        values[name] = f"<{name}>"
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
                if isinstance(target, nodes.Name) and target.name in values:
                    values[target.name] = [f"<{target.name}>"]
                elif isinstance(target, nodes.Getattr) and isinstance(target.node, nodes.Name):
                    owner = values.get(target.node.name)
                    if isinstance(owner, _Fields):
                        owner[target.attr] = [f"<{target.node.name}.{target.attr}>"]
    return values


def render_with_placeholders(runbook: Runbook) -> RenderedRunbook:
    """`runbook` rendered for a pair named '<server>' and '<partner>' (RunbookError if it cannot be)."""
    rendered = render(runbook, placeholder_variables(runbook))
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
