"""Static check of the PowerShell that runbooks render, before anyone runs it.

A runbook that calls a cmdlet which does not exist (``Get-DhcpServerv4FailoverStatistics`` is
the classic one), passes a parameter the cmdlet does not have, or leaves a parameter without its
value fails on the admin's server in the middle of an incident. This module parses the source
with tree-sitter-powershell and reports, with line numbers:

* syntax errors (ERROR and MISSING nodes);
* commands that are not in the catalog ``engine/data/cmdlets.yaml`` (real cmdlets with their real
  parameters, plus a few native programs such as ``w32tm`` with their options), except functions
  defined in the same source;
* parameters a cmdlet does not have (full names only: abbreviations break when a module adds a
  parameter), parameters given twice, valued parameters without a value, and switches followed by
  a value (a switch takes a value only as ``-Switch:$true``);
* native-command options that the program does not know, or that lack / wrongly carry a value.

Script blocks (``Invoke-Command -ScriptBlock { ... }``), sub-expressions and function bodies are
checked like top-level code, because they run just the same.

Known limits of the grammar (tree-sitter-powershell 0.25/0.26), which runbooks write around:
a list of barewords (``Select-Object Name, State``) and a range at the start of a hashtable
value (``@{ Id = 1..3 }``) are reported as errors although PowerShell accepts them; quote the
names (``'Name', 'State'``) and wrap ranges (``@(1..3)``).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import tree_sitter as ts
import tree_sitter_powershell as tsp
from .yamlio import safe_load_text

_CMDLET_NAME = re.compile(r"^[A-Za-z]+-[A-Za-z0-9]+$")
_NATIVE_OPTION = re.compile(r"^[\"']?(/[A-Za-z]+)(:?)")
_SEPARATOR = "command_argument_sep"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the checked source; ``line`` is 1-based."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class _Signature:
    """The parameters (or native options) one command accepts, keyed by lower-case name."""

    name: str
    valued: frozenset[str]
    switches: frozenset[str]


@dataclass(frozen=True)
class _Catalog:
    cmdlets: dict[str, _Signature]
    natives: dict[str, _Signature]
    common: _Signature


def check_powershell(source: str) -> list[Problem]:
    """Return the problems found in ``source``, sorted by line; an empty list means clean."""
    root = _parse(source).root_node
    catalog = _catalog()
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


def _check_command(node: ts.Node, catalog: _Catalog, functions: set[str]) -> Iterator[Problem]:
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
            yield Problem(_line(name_node), f"unknown cmdlet {name!r} (not in the catalog of "
                                            "real cmdlets, engine/data/cmdlets.yaml)")
            return
        yield from _check_cmdlet_parameters(signature, elements, catalog.common)
        return
    native = catalog.natives.get(key.removesuffix(".exe"))
    if native is None:
        yield Problem(_line(name_node), f"unknown command {name!r} (neither a catalogued cmdlet "
                                        "nor an allowed native program)")
        return
    yield from _check_native_options(native, elements)


def _check_cmdlet_parameters(signature: _Signature, elements: list[ts.Node],
                             common: _Signature) -> Iterator[Problem]:
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
            yield Problem(line, f"{signature.name}: unknown parameter {written}")
            continue
        if key in seen:
            yield Problem(line, f"{signature.name}: parameter {written} is given more than once")
        seen.add(key)
        colon, value = _following_value(elements, index)
        if valued and value is None:
            yield Problem(line, f"{signature.name}: parameter {written} needs a value but the "
                                "command ends")
        elif valued and value.type == "command_parameter":
            yield Problem(line, f"{signature.name}: parameter {written} needs a value but is "
                                f"followed by {value.text.decode()}")
        elif switch and not colon and value is not None and value.type != "command_parameter":
            yield Problem(line, f"{signature.name}: switch {written} takes no value; write "
                                f"{written}:$true or {written}:$false")
        elif switch and colon and (value is None or value.type == "command_parameter"):
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


def _check_native_options(signature: _Signature, elements: list[ts.Node]) -> Iterator[Problem]:
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


@lru_cache(maxsize=1)
def _catalog() -> _Catalog:
    # joinpath one part at a time: engine may be a namespace package (MultiplexedPath).
    catalog_file = resources.files("engine").joinpath("data").joinpath("cmdlets.yaml")
    data = safe_load_text(catalog_file.read_text(encoding="utf-8"))
    return _Catalog(
        cmdlets={name.lower(): _signature(name, spec) for name, spec in data["cmdlets"].items()},
        natives={name.lower(): _signature(name, spec) for name, spec in data["natives"].items()},
        common=_signature("common parameters", data["common"]),
    )


def _signature(name: str, spec: dict[str, list[str]]) -> _Signature:
    unknown = set(spec) - {"valued", "switches"}
    if unknown:
        raise ValueError(f"engine/data/cmdlets.yaml: {name}: unknown keys {sorted(unknown)}")
    valued = frozenset(p.lower() for p in spec.get("valued", []))
    switches = frozenset(p.lower() for p in spec.get("switches", []))
    if valued & switches:
        raise ValueError(f"engine/data/cmdlets.yaml: {name}: listed as both valued and switch: "
                         f"{sorted(valued & switches)}")
    return _Signature(name=name, valued=valued, switches=switches)
