"""Static check of the PowerShell that runbooks render, before anyone runs it.

A runbook that calls a cmdlet which does not exist (``Get-DhcpServerv4FailoverStatistics`` is
the classic one), passes a parameter the cmdlet does not have, or leaves a parameter without its
value fails on the admin's server in the middle of an incident. This module parses the source
with tree-sitter-powershell and reports, with line numbers:

* syntax errors (ERROR and MISSING nodes);
* commands that are not in the catalog ``engine/data/cmdlets.yaml`` (real cmdlets with their real
  parameters, plus a few native programs such as ``w32tm`` with their options; a site may add its
  own, engine/cmdletcatalog.py), except functions defined in the same source, with the nearest
  catalogued name;
* parameters a cmdlet does not have (full names only: abbreviations break when a module adds a
  parameter), with the nearest one and, for a cmdlet with few, the list; parameters given twice, valued parameters without a value, and switches followed by
  a value (a switch takes a value only as ``-Switch:$true``);
* native-command options that the program does not know, or that lack / wrongly carry a value.

Script blocks (``Invoke-Command -ScriptBlock { ... }``), sub-expressions and function bodies are
checked like top-level code, because they run just the same.

Known limits of the grammar (tree-sitter-powershell 0.25/0.26), which runbooks write around:
a list of barewords (``Select-Object Name, State``) and a range at the start of a hashtable
value (``@{ Id = 1..3 }``) are reported as errors although PowerShell accepts them; quote the
names (``'Name', 'State'``) and wrap ranges (``@(1..3)``). A parameter whose name holds a digit
(``-PriorityValue8021Action 3``) ends the command for the grammar (a syntax error); pass it by
splatting: ``$qos = @{ PriorityValue8021Action = 3 }; New-NetQosPolicy -Name 'smb' -SMB @qos``.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import tree_sitter as ts
import tree_sitter_powershell as tsp

from .cmdletcatalog import CmdletCatalog, Signature, shipped_catalog

_CMDLET_NAME = re.compile(r"^[A-Za-z]+-[A-Za-z0-9]+$")
_LIST_AT_MOST = 12  # a cmdlet with this many parameters or fewer has them listed in the message
_NATIVE_OPTION = re.compile(r"^[\"']?(/[A-Za-z]+)(:?)")
_SEPARATOR = "command_argument_sep"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the checked source; ``line`` is 1-based."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def check_powershell(source: str, catalog: CmdletCatalog | None = None) -> list[Problem]:
    """Return the problems found in ``source``, sorted by line; an empty list means clean.

    ``catalog`` is the shipped cmdlet catalog unless a site's is given (engine/cmdletcatalog.py).
    """
    root = _parse(source).root_node
    catalog = catalog or shipped_catalog()
    functions = {node.text.decode().lower() for node in _walk(root)
                 if node.type == "function_name"}
    problems = set(_syntax_problems(root))
    for node in _walk(root):
        if node.type == "command":
            problems.update(_check_command(node, catalog, functions))
    return sorted(problems)


def verbatim_strings(source: str) -> list[str]:
    """The single-quoted string literals of ``source`` as tree-sitter sees them, in order.

    The runbook renderer uses this to prove that every quoted value it emitted is a standalone
    literal (not swallowed by a comment or a double-quoted string, where it would not be inert).
    """
    return [node.text.decode() for node in _walk(_parse(source).root_node)
            if node.type == "string_literal" and node.text.startswith(b"'")]


def indent(source: str, prefix: str) -> str:
    """Indent ``source`` by ``prefix`` without changing what it does.

    Lines that continue a multi-line string literal (including here-strings, whose closing
    ``'@`` must start its line) are left as they are: indenting them would change the string.
    """
    untouched: set[int] = set()
    for node in _walk(_parse(source).root_node):
        if node.type == "string_literal" and node.start_point[0] != node.end_point[0]:
            untouched.update(range(node.start_point[0] + 1, node.end_point[0] + 1))
    return "\n".join(line if number in untouched or not line else prefix + line
                     for number, line in enumerate(source.split("\n")))


@lru_cache(maxsize=1)
def _parser() -> ts.Parser:
    return ts.Parser(ts.Language(tsp.language()))


def _parse(source: str) -> ts.Tree:
    return _parser().parse(source.encode("utf-8"))


def _walk(node: ts.Node) -> Iterator[ts.Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _line(node: ts.Node) -> int:
    return node.start_point[0] + 1


def _syntax_problems(root: ts.Node) -> Iterator[Problem]:
    if not root.has_error:
        return
    found = False
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error:
            found = True
            snippet = " ".join(node.text.decode(errors="replace").split())[:40]
            yield Problem(_line(node), f"syntax error near {snippet!r}")
            continue
        if node.is_missing:
            found = True
            yield Problem(_line(node), f"syntax error: missing {node.type!r}")
            continue
        stack.extend(node.children)
    if not found:
        yield Problem(1, "syntax error")


def _check_command(node: ts.Node, catalog: CmdletCatalog, functions: set[str]) -> Iterator[Problem]:
    name_node = node.child_by_field_name("command_name")
    if name_node is None:
        yield Problem(_line(node), "command invoked through & or . with a computed name: "
                                   "it cannot be checked, call the command by its name")
        return
    name = name_node.text.decode()
    key = name.lower()
    elements_node = node.child_by_field_name("command_elements")
    elements = elements_node.children if elements_node is not None else []
    if key in functions:
        return
    if _CMDLET_NAME.match(name):
        signature = catalog.cmdlets.get(key)
        if signature is None:
            hint = _nearest(key, catalog.cmdlets, cutoff=0.75)  # most share a verb: Get-...
            yield Problem(_line(name_node), f"unknown cmdlet {name!r} (not in the catalog of "
                                            "real cmdlets, engine/data/cmdlets.yaml, or a site "
                                            "cmdlets.yaml"
                          + (f"; did you mean {catalog.cmdlets[hint].name!r}?)" if hint else ")"))
            return
        yield from _check_cmdlet_parameters(signature, elements, catalog.common)
        return
    native = catalog.natives.get(key.removesuffix(".exe"))
    if native is None:
        yield Problem(_line(name_node), f"unknown command {name!r} (neither a catalogued cmdlet "
                                        "nor an allowed native program)")
        return
    yield from _check_native_options(native, elements)


_SPLAT = re.compile(r"^@[A-Za-z_][A-Za-z0-9_]*$")


def _ends_value(element: ts.Node) -> bool:
    """A parameter, or a splat (@args), which binds arguments of its own: neither is a value."""
    return element.type == "command_parameter" or bool(_SPLAT.match(element.text.decode()))


def _check_cmdlet_parameters(signature: Signature, elements: list[ts.Node],
                             common: Signature) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, element in enumerate(elements):
        if element.type != "command_parameter":
            continue
        written = element.text.decode().rstrip(":")
        key = written[1:].lower()
        line = _line(element)
        valued = key in signature.valued or key in common.valued
        switch = key in signature.switches or key in common.switches
        if not (valued or switch):
            yield Problem(line, f"{signature.name}: unknown parameter {written}"
                          + _parameter_hint(signature, key))
            continue
        if key in seen:
            yield Problem(line, f"{signature.name}: parameter {written} is given more than once")
        seen.add(key)
        colon, value = _following_value(elements, index)
        if valued and value is None:
            yield Problem(line, f"{signature.name}: parameter {written} needs a value but the "
                                "command ends")
        elif valued and _ends_value(value):
            yield Problem(line, f"{signature.name}: parameter {written} needs a value but is "
                                f"followed by {value.text.decode()}")
        elif switch and not colon and value is not None and not _ends_value(value):
            yield Problem(line, f"{signature.name}: switch {written} takes no value; write "
                                f"{written}:$true or {written}:$false")
        elif switch and colon and (value is None or _ends_value(value)):
            yield Problem(line, f"{signature.name}: switch {written}: needs a value after the "
                                "colon")


def _following_value(elements: list[ts.Node], index: int) -> tuple[bool, ts.Node | None]:
    """Whether a ``:`` joins the parameter at ``index`` to what follows, and what follows.

    Redirections (``> file``) end the arguments as far as parameters are concerned.
    """
    colon = elements[index].text.decode().endswith(":")
    for element in elements[index + 1:]:
        if element.type == _SEPARATOR:
            colon = colon or element.text.decode() == ":"
            continue
        if element.type == "redirection":
            return colon, None
        return colon, element
    return colon, None


def _parameter_hint(signature: Signature, key: str) -> str:
    """' (did you mean -Port?)', and for a cmdlet with few parameters all of them.

    An abbreviation (-Comp) is named after the one parameter it starts, which pscheck wants in
    full; anything else after the nearest name.
    """
    known = signature.valued | signature.switches
    starting = [name for name in known if name.startswith(key)]
    hint = starting[0] if len(starting) == 1 else _nearest(key, known)
    text = f" (did you mean -{signature.spelling(hint)}?)" if hint else ""
    if 0 < len(signature.names) <= _LIST_AT_MOST:
        text += f"; its parameters: {', '.join('-' + name for name in signature.names)}"
    return text


def _nearest(key: str, candidates, cutoff: float = 0.6) -> str | None:
    matches = difflib.get_close_matches(key, sorted(candidates), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def _check_native_options(signature: Signature, elements: list[ts.Node]) -> Iterator[Problem]:
    for element in elements:
        if element.type in (_SEPARATOR, "redirection"):
            continue
        text = element.text.decode()
        line = _line(element)
        match = _NATIVE_OPTION.match(text)
        if match is None:
            yield Problem(line, f"{signature.name}: unexpected argument {text!r} (options are "
                                "written /name or /name:value)")
            continue
        option, colon = match.group(1), match.group(2)
        key = option.lower()
        if key in signature.valued:
            if not colon:
                yield Problem(line, f"{signature.name}: option {option} needs a value "
                                    f"({option}:<value>)")
        elif key in signature.switches:
            if colon:
                yield Problem(line, f"{signature.name}: option {option} takes no value")
        else:
            yield Problem(line, f"{signature.name}: unknown option {option}")
