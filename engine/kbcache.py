"""A cache of parsed knowledge-base YAML, as JSON, so a run does not pay PyYAML's constructor.

Every `fodoc diagnose` loads ~80 fact-kind and rule files. Building their Python objects with
PyYAML's (pure-Python) constructor costs ~140 ms; `json.loads` of the same documents ~4 ms. So
each file's parsed document is kept as JSON in the user's cache directory, keyed by the file's
content hash and fodoc's version: an edited file, or a new fodoc, simply misses.

The cache is an optimisation and never a reason for a run to fail or to behave differently:
- only documents that survive a JSON round trip unchanged are stored (a YAML date, a non-string
  key or a NaN is not, and such a file is parsed on every run);
- an unreadable, corrupt or foreign cache file counts as a miss (and is rewritten);
- a cache directory that cannot be created or written (read-only home, full disk) means no cache;
- FODOC_NO_CACHE=1 turns it off;
- it is JSON, never pickle: reading it cannot run code.

Line numbers (engine/yamlio.LineDict) name the line in error messages and fixture reports, so
the cache keeps them beside the document and rebuilds the LineDicts: a cached knowledge base
equals a parsed one. Should a cached document still fail to compile, `load_compiled` re-parses the
file itself and compiles again, so an error is always reported from the file as it is now.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, TypeVar

from . import __version__
from .errors import FodocError, KnowledgeBaseError
from .fileio import write_atomically
from .yamlio import LineDict, load_yaml

DISABLE_ENV = "FODOC_NO_CACHE"
_FORMAT = 3  # bump when the layout of a cache file changes (3: value lines)
_MEMO_FORMAT = 2  # the same for the memo files

T = TypeVar("T")


def cache_dir() -> Path | None:
    """Where fodoc keeps its caches, or None when it cannot tell (no home) or is told not to.

    $XDG_CACHE_HOME/fodoc (or ~/.cache/fodoc) on POSIX, %LOCALAPPDATA%\\fodoc\\cache on Windows.
    """
    if os.environ.get(DISABLE_ENV, "").strip() not in ("", "0"):
        return None
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return Path(local) / "fodoc" / "cache" if local else None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):  # the XDG spec: a relative value is invalid and ignored
        return Path(xdg) / "fodoc"
    try:
        return Path.home() / ".cache" / "fodoc"
    except (RuntimeError, KeyError):  # no home directory can be determined
        return None


def load_compiled(path: Path, error_class: type[KnowledgeBaseError],
                  compile_document: Callable[[Any], T]) -> T:
    """Parse `path` (from the cache when it can) and compile it with `compile_document`.

    When a document from the cache fails to compile (say the fact catalog changed under a cached
    rule), the file itself is parsed again and compiled again, so the KnowledgeBaseError raised
    is the one an uncached load raises, naming file:line.
    """
    path = Path(path)
    entry = _entry_path(path)
    document = _cached_document(entry)
    if document is _MISS:
        return compile_document(_parse_and_store(path, entry, error_class))
    try:
        return compile_document(document)
    except KnowledgeBaseError:
        return compile_document(load_yaml(path, error_class))


_MISS = object()


def _entry_path(path: Path) -> tuple[Path, str] | None:
    """The cache file for the current content of `path`, and that content's hash."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # the loader reports the unreadable file itself
    return directory / "kb" / f"{digest}.json", digest


def _cached_document(entry: tuple[Path, str] | None) -> Any:
    if entry is None:
        return _MISS
    cache_file, digest = entry
    try:
        record = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, unreadable, truncated or not JSON: a miss
        return _MISS
    if (not isinstance(record, dict) or record.get("format") != _FORMAT
            or record.get("fodoc") != __version__ or record.get("sha256") != digest
            or "document" not in record):
        return _MISS
    try:
        return _with_lines(record["document"], record.get("lines"))
    except (TypeError, ValueError):  # a lines tree that does not fit the document
        return _MISS


def _parse_and_store(path: Path, entry: tuple[Path, str] | None,
                     error_class: type[KnowledgeBaseError]) -> Any:
    """Parse with line numbers (errors name the line) and cache the document if JSON keeps it."""
    document = load_yaml(path, error_class)
    if entry is None or _entry_path(path) != entry:  # edited while being read: store nothing
        return document
    cache_file, digest = entry
    try:
        text = json.dumps({"format": _FORMAT, "fodoc": __version__, "sha256": digest,
                           "document": document, "lines": _lines_of(document)},
                          allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError):  # a date, a set, NaN: not JSON
        return document
    if not round_trips(document, json.loads(text)["document"]):
        return document  # e.g. an int or bool mapping key, which JSON turns into a string
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(cache_file, text)
    except (OSError, FodocError):  # read-only home, full disk, a file where the folder goes
        pass
    return document


def round_trips(original: Any, copy: Any) -> bool:
    """True when `copy` equals `original` value for value and type for type (1 is not True)."""
    if type(original) is not type(copy) and not (isinstance(original, dict)
                                                 and type(copy) is dict):
        return False
    if isinstance(original, dict):
        return (list(original) == list(copy)
                and all(type(key) is str for key in original)
                and all(round_trips(original[key], copy[key]) for key in original))
    if isinstance(original, list):
        return len(original) == len(copy) and all(map(round_trips, original, copy))
    return original == copy


def _lines_of(node: Any) -> Any:
    """The line numbers of a parsed document, as a JSON tree shaped like the document.

    A mapping is [its line, [the line of each key], [the line each value starts on], [the tree
    of each value]]; a list is the list of its items' trees; a scalar is null.
    """
    if isinstance(node, dict):
        lined = isinstance(node, LineDict)
        return [getattr(node, "line", 0),
                [node.line_of(key) if lined else 0 for key in node],
                [node.value_line_of(key) if lined else 0 for key in node],
                [_lines_of(value) for value in node.values()]]
    if isinstance(node, list):
        return [_lines_of(item) for item in node]
    return None


def _with_lines(node: Any, lines: Any) -> Any:
    """The document with its mappings as LineDicts again; ValueError/TypeError if `lines` misfits."""
    if type(node) is dict:
        line, key_lines, value_lines, children = lines
        result = LineDict()
        result.line = int(line)
        result.key_lines = dict(zip(node, key_lines, strict=True))
        result.value_lines = dict(zip(node, value_lines, strict=True))
        for (key, value), child in zip(node.items(), children, strict=True):
            result[key] = _with_lines(value, child)
        return result
    if type(node) is list:
        return [_with_lines(item, child) for item, child in zip(node, lines, strict=True)]
    return node


# --- Results of analysing knowledge-base text ------------------------------------------------
#
# Compiling a rule also parses its explain/watch templates with Jinja2 to check that they read
# only match aliases; Jinja2's lexer and parser are pure Python and cost as much as the rest of
# loading the cached rules. What a template reads depends on nothing but its text (and Jinja2),
# so it is kept too: one JSON file per kind of analysis, a mapping from the text's hash to the
# result, written once when the process ends. Only results are kept; a text the analysis rejects
# is analysed (and rejected) each time.

_memos: dict[str, dict[str, Any]] = {}  # memo file → its entries, read once per process


def memoised(analysis: str, text: str, analyse: Callable[[str], list[str]]) -> list[str]:
    """`analyse(text)`, a list of strings, remembered across runs under the name `analysis`.

    `analysis` names what is computed and with what (e.g. the Jinja2 version): a different name
    is a different memo. Exceptions from `analyse` are not remembered.
    """
    directory = cache_dir()
    if directory is None:
        return analyse(text)
    memo_file = directory / "kb" / f"{analysis}.json"
    entries = _memos.get(str(memo_file))
    if entries is None:
        entries = _memos[str(memo_file)] = _read_memo(memo_file, analysis)
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    result = entries.get(key)
    if isinstance(result, list) and all(type(item) is str for item in result):
        return list(result)
    result = analyse(text)
    entries[key] = list(result)
    if not _unsaved:
        atexit.register(save_memos)
    _unsaved[str(memo_file)] = (analysis, entries)
    return result


_unsaved: dict[str, tuple[str, dict]] = {}  # memo files with new entries → (analysis, entries)


def save_memos() -> None:
    """Write the memo files that gained entries (at exit: one write each, not one per entry)."""
    while _unsaved:
        memo_file, (analysis, entries) = _unsaved.popitem()
        text = json.dumps({"format": _MEMO_FORMAT, "fodoc": __version__, "analysis": analysis,
                           "entries": entries})
        try:
            Path(memo_file).parent.mkdir(parents=True, exist_ok=True)
            write_atomically(Path(memo_file), text)
        except (OSError, FodocError):  # no cache then; never a reason to fail
            pass


def _read_memo(memo_file: Path, analysis: str) -> dict[str, Any]:
    try:
        record = json.loads(memo_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (not isinstance(record, dict) or record.get("format") != _MEMO_FORMAT
            or record.get("fodoc") != __version__ or record.get("analysis") != analysis
            or not isinstance(record.get("entries"), dict)):
        return {}
    return record["entries"]
