"""PowerShell quoting: every value becomes an inert literal, or is refused."""
from __future__ import annotations

import pytest
import tree_sitter as ts
import tree_sitter_powershell as tsp

from engine.errors import FodocError
from engine.powershell import QuoteError, quote, quote_list


def _arguments(source: str) -> list[ts.Node]:
    """The argument nodes of the single command in ``source`` (separators left out)."""
    tree = ts.Parser(ts.Language(tsp.language())).parse(source.encode("utf-8"))
    assert not tree.root_node.has_error, source
    commands = [node for node in _walk(tree.root_node) if node.type == "command"]
    assert len(commands) == 1, f"expected one command, found {len(commands)}"
    elements = commands[0].child_by_field_name("command_elements")
    return [child for child in elements.children if child.type != "command_argument_sep"]


def _walk(node: ts.Node):
    yield node
    for child in node.children:
        yield from _walk(child)


def test_plain_string_is_single_quoted():
    assert quote("dhcp-a.contoso.com") == "'dhcp-a.contoso.com'"


def test_apostrophe_is_doubled():
    assert quote("O'Brien") == "'O''Brien'"


@pytest.mark.parametrize("mark", ["\u2018", "\u2019", "\u201a", "\u201b"])
def test_typographic_single_quotes_are_doubled(mark):
    # PowerShell ends a single-quoted string at any of these, so each must be doubled.
    assert quote(f"O{mark}Brien") == f"'O{mark}{mark}Brien'"


def test_mixed_quotes_are_all_doubled():
    assert quote("a'\u2019b") == "'a''\u2019\u2019b'"


def test_injection_attempt_stays_one_string_literal():
    hostile = "'; Remove-Item C:\\ -Recurse; '"
    literal = quote(hostile)
    assert literal == "'''; Remove-Item C:\\ -Recurse; '''"
    arguments = _arguments(f"Write-Output {literal}")
    assert len(arguments) == 1
    strings = [node for node in _walk(arguments[0]) if node.type == "string_literal"]
    assert [node.text.decode() for node in strings] == [literal]
    assert arguments[0].text.decode() == literal


def test_injection_with_newline_and_subexpression_stays_one_literal():
    hostile = "x'\n$(Remove-Item C:\\ -Recurse)\n# '"
    literal = quote(hostile)
    arguments = _arguments(f"Write-Output {literal}")
    assert [node.text.decode() for node in arguments] == [literal]
    assert not any(node.type == "sub_expression" for node in _walk(arguments[0]))


def test_dollar_and_backtick_are_left_alone_in_a_verbatim_string():
    assert quote("$env:TEMP `n") == "'$env:TEMP `n'"


@pytest.mark.parametrize("value, expected", [
    (True, "$true"),
    (False, "$false"),
    (0, "0"),
    (3600, "3600"),
    (-5, "(-5)"),
    (3600.0, "3600"),
    (0.5, "0.5"),
    (-1.5, "(-1.5)"),
])
def test_scalars(value, expected):
    assert quote(value) == expected


def test_negative_number_is_not_read_as_a_parameter():
    arguments = _arguments(f"Start-Sleep -Seconds {quote(-5)}")
    assert [node.type for node in arguments] == ["command_parameter", "array_literal_expression"]


def test_none_is_refused_with_a_clear_error():
    with pytest.raises(QuoteError, match="cannot quote None"):
        quote(None)


def test_quote_error_is_a_fodoc_error_and_a_value_error():
    with pytest.raises(FodocError):
        quote(None)
    with pytest.raises(ValueError):
        quote(None)


def test_nul_character_is_refused():
    with pytest.raises(QuoteError, match="NUL"):
        quote("a\x00b")


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(QuoteError, match="no literal"):
        quote(value)


@pytest.mark.parametrize("value", [{"a": 1}, ["a"], b"bytes", object()])
def test_other_types_are_refused(value):
    with pytest.raises(QuoteError, match="cannot quote a"):
        quote(value)


def test_quote_list():
    assert quote_list(["10.0.0.0", "O'Brien", 5, True]) == "'10.0.0.0','O''Brien',5,$true"


def test_quote_list_is_one_array_argument():
    arguments = _arguments(f"Get-DhcpServerv4Scope -ScopeId {quote_list(['10.0.0.0', 'x'])}")
    assert [node.type for node in arguments] == ["command_parameter", "array_literal_expression"]


def test_quote_list_refuses_an_empty_list():
    with pytest.raises(QuoteError, match="empty list"):
        quote_list([])


def test_quote_list_refuses_a_string():
    with pytest.raises(QuoteError, match="needs a list"):
        quote_list("10.0.0.0")


def test_quote_list_refuses_nested_lists_and_none():
    with pytest.raises(QuoteError, match="plain values"):
        quote_list([["a"]])
    with pytest.raises(QuoteError, match="cannot quote None"):
        quote_list(["a", None])
