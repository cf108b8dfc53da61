"""Safe YAML loading that remembers line numbers, so knowledge-base errors can name the line.

Built on yaml.SafeLoader / CSafeLoader (never the full loader): mappings come back as `LineDict`, a dict that
also records the line of each key.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import KnowledgeBaseError


class LineDict(dict):
    """A dict from YAML that knows the 1-based line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml is ~10x faster
    """SafeLoader (the libyaml one where PyYAML has it) whose mappings remember their lines."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(None, None, "mapping keys must be scalars",
                                                    key_node.start_mark)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}",
                                                    key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def safe_load_text(text: str) -> Any:
    """yaml.safe_load with libyaml's parser where available (for data files without line needs)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader


def load_yaml(path: Path, error_class: type[KnowledgeBaseError] = KnowledgeBaseError) -> Any:
    """Parse a YAML file safely; raise `error_class` naming file and line on any syntax error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error_class(str(path), f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise error_class(str(path), "is not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader derives from SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise error_class(where, f"is not valid YAML: {' '.join(str(problem).split())}") from None
