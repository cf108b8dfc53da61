"""What a Jinja2 template calls and reads, checked on its syntax tree before it ever renders.

Jinja2 notices an unknown filter only when it compiles a template (a TemplateAssertionError
escaping from deep inside the loader), and a misspelt field of a fact (`{{ lost.cuont }}`) only
when the template renders, i.e. when a bundle finally matches the rule. Both are typos an author
makes every day, so the loaders look for them in the parsed tree, where they cost nothing and can
be named with a line and a did-you-mean.
"""
from __future__ import annotations

from collections.abc import Iterator

from jinja2 import Environment, nodes

from .catalog import suggest


def unknown_callable(environment: Environment, tree: nodes.Template) -> tuple[int, str] | None:
    """(template line, message) for the first filter or test `environment` does not have."""
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        is_filter = isinstance(node, nodes.Filter)
        table = environment.filters if is_filter else environment.tests
        if node.name not in table:
            hint = suggest(node.name, table)
            return node.lineno, (f"no {'filter' if is_filter else 'test'} named {node.name!r}"
                                 + (f" (did you mean {hint!r}?)" if hint else ""))
    return None


def stored_names(tree: nodes.Template) -> set[str]:
    """Names the template assigns itself ({% set %}, loop variables): not the caller's."""
    return {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}


def attributes_read(tree: nodes.Template) -> Iterator[tuple[str, str, int]]:
    """(variable, attribute, line) for every `x.attr` and `x['attr']` on a caller's variable."""
    own = stored_names(tree)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        owner = node.node
        if not isinstance(owner, nodes.Name) or owner.ctx != "load" or owner.name in own:
            continue
        if isinstance(node, nodes.Getattr):
            yield owner.name, node.attr, node.lineno
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            yield owner.name, node.arg.value, node.lineno
