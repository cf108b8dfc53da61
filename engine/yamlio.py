"""Safe YAML loading that remembers line numbers, so knowledge-base errors can name the line.

Built on yaml.SafeLoader / CSafeLoader (never the full loader): mappings come back as `LineDict`, a dict that
also records the line of each key and the line its value's text starts on.

Everything that can go wrong while reading a file becomes one error naming file:line, never a
traceback: PyYAML's timestamp constructor raises a bare ValueError for an unquoted impossible
date (`until: 2026-02-30`), which is turned into an error naming the line and the key path
(`suppress[1].until`); and a syntax error on a line holding a tab says that YAML does not allow
tabs for indentation, since PyYAML's own words ("found character that cannot start any token")
do not.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeBaseError

TAB_HINT = "YAML does not allow tabs for indentation; use spaces"


class LineDict(dict):
    """A dict from YAML that knows the 1-based line of itself and of each of its keys.

    For a text value whose lines are the file's lines (a literal block `run: |`, or a value on
    one line) it also knows the line its text starts on, so that a line inside a multi-line
    template can be named exactly (`line_in_value`).
    """

    line: int = 0
    key_lines: dict
    value_lines: dict

    def line_of(self, key: str) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)

    def value_line_of(self, key: str) -> int:
        """The line holding the first line of the value's text; 0 where lines do not map 1:1."""
        return getattr(self, "value_lines", {}).get(key, 0)

    def line_in_value(self, key: str, lineno: int = 1) -> int:
        """The file line of line `lineno` of the value's text if known exactly, else the key's."""
        start = self.value_line_of(key)
        return start + lineno - 1 if start else self.line_of(key)


class BadScalar(yaml.constructor.ConstructorError):
    """A scalar YAML resolves to a type it then cannot build (an impossible date).

    `keys` is the path from the document's root to the value, filled in while the error passes
    up through the mappings and lists that hold it.
    """

    def __init__(self, problem: str, mark):
        super().__init__(None, None, problem, mark)
        self.keys: list[str] = []

    @property
    def field(self) -> str:
        return "".join(key if key.startswith("[") else f".{key}" for key in self.keys).lstrip(".")


_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster


class _SafeLoader(_BASE):
    """SafeLoader whose timestamps fail as a YAMLError naming the line, not a ValueError."""


class _LineLoader(_SafeLoader):
    """_SafeLoader whose mappings remember their lines."""


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError) as exc:
        what = "date" if len(node.value.strip()) <= 10 else "time"
        raise BadScalar(f"{node.value} is not a valid {what} ({exc})", node.start_mark) from None


def _value_line(node: yaml.Node) -> int:
    """Where the text of a scalar starts, if its lines are the file's lines; else 0.

    A literal block's indicator (`|`) sits on the key's line and its text starts below it; a
    folded block, or a quoted or plain scalar spread over lines, joins lines, so line N of its
    text is not line N of the file.
    """
    if not isinstance(node, yaml.ScalarNode):
        return 0
    if node.style == "|":
        return node.start_mark.line + 2
    if node.start_mark.line == node.end_mark.line:
        return node.start_mark.line + 1
    return 0


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    result.value_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(None, None, "mapping keys must be scalars",
                                                    key_node.start_mark)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}",
                                                    key_node.start_mark)
        try:
            result[key] = loader.construct_object(value_node, deep=True)
        except BadScalar as exc:
            exc.keys.insert(0, str(key))
            raise
        result.key_lines[key] = key_node.start_mark.line + 1
        result.value_lines[key] = _value_line(value_node)
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> list:
    items = []
    for number, child in enumerate(node.value, start=1):
        try:
            items.append(loader.construct_object(child, deep=True))
        except BadScalar as exc:
            exc.keys.insert(0, f"[{number}]")
            raise
    return items


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def safe_load_text(text: str) -> Any:
    """yaml.safe_load with libyaml's parser where available (for data files without line needs)."""
    return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader


def load_yaml(path: Path, error_class: type[KnowledgeBaseError] = KnowledgeBaseError) -> Any:
    """Parse a YAML file safely; raise `error_class` naming file and line on any problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error_class(str(path), f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise error_class(str(path), "is not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader derives from SafeLoader
    except BadScalar as exc:
        raise error_class(f"{path}:{exc.problem_mark.line + 1}", exc.problem,
                          field=exc.field or None) from None
    except yaml.YAMLError as exc:
        raise error_class(*describe_yaml_error(str(path), text, exc)) from None


def describe_yaml_error(path: str, text: str, exc: yaml.YAMLError) -> tuple[str, str]:
    """(`path:line`, one-line message) for a YAML syntax error, with the tab hint where it helps."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}" if mark else path
    problem = getattr(exc, "problem", None) or str(exc)
    message = f"is not valid YAML: {' '.join(str(problem).split())}"
    if mark is not None:
        lines = text.splitlines()
        if 0 <= mark.line < len(lines) and "\t" in lines[mark.line]:
            message += f" ({TAB_HINT})"
    return where, message
