"""Records of a CIM cmdlet's output, read the same way from its JSON and its Format-List text.

The configuration artifacts (scopes, options, reservations, exclusions, server settings,
addresses, bindings) are all lists of flat CIM objects. Whichever form the admin captured, a
family parser sees the same thing: a record label for evidence and a dict of lower-case
property names. Text values are strings; a printed collection (`{a, b}`) is turned into a list
here, so the family parsers never see PowerShell's display syntax.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, Optional

from ..facts import Fact
from .base import Artifact, ParserFn, Problems, facts_from
from .psjson import iter_records
from .pstext import format_list_records, list_items


def json_records(artifact: Artifact, problems: Problems, expected: str) -> Iterator[tuple[str, dict]]:
    """(label, record) per object of a ConvertTo-Json file (one object or an array)."""
    for number, record in iter_records(artifact, problems, expected):
        yield f"record {number}", record


def text_records(artifact: Artifact, problems: Problems, expected: str,
                 lists: tuple[str, ...] = ()) -> Iterator[tuple[str, dict]]:
    """(label, record) per Format-List record; `lists` names the properties printed as `{a, b}`.

    A collection PowerShell cut short with "..." ($FormatEnumerationLimit) cannot be compared
    with the partner's; it is left out and reported instead of being read as complete.
    """
    for record in format_list_records(artifact.read_text(), artifact.path, expected):
        label = f"line {record.line}"
        values: dict[str, Any] = {key: value or None for key, value in record.fields.items()}
        for name in lists:
            if values.get(name) is None:
                continue
            items, truncated = list_items(values[name])
            if truncated:
                problems.add(artifact.path, f"{name.capitalize()} is cut short with '...' ($FormatEnumerationLimit); "
                                            "left out; expected the complete list (collect as JSON)",
                             record=label, lost=False)
                values[name] = None
            else:
                values[name] = items
        yield label, values


RecordToFact = Callable[[Artifact, Problems, str, dict], Optional[Fact]]


def readers(to_fact: RecordToFact, json_expected: str, text_expected: str,
            lists: tuple[str, ...] = ()) -> tuple[ParserFn, ParserFn]:
    """The ConvertTo-Json reader and the Format-List reader of one CIM output: one record-to-fact
    function behind both, so the two forms can never read a property differently."""
    def read_json(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
        return facts_from(artifact, problems, json_records(artifact, problems, json_expected), to_fact)

    def read_text(artifact: Artifact, problems: Problems) -> Iterator[Fact]:
        return facts_from(artifact, problems, text_records(artifact, problems, text_expected, lists), to_fact)

    return read_json, read_text
