"""SARIF 2.1.0 for `fodoc rules lint --format sarif`, so lint findings show in code review tools.

One run, the lint checks as the tool's rules (with their default level), one result per issue
with its file and line. Paths are written relative to the current directory when they are
inside it (code scanning resolves them against the repository root), as URI references.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from .lint import CHECKS, Issue

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def to_sarif(issues: list[Issue], base: Path | None = None) -> str:
    base = (base or Path.cwd()).resolve()
    checks = list(CHECKS)
    rules = [{"id": check, "name": _camel(check),
              "shortDescription": {"text": CHECKS[check][1]},
              "defaultConfiguration": {"level": _LEVELS[CHECKS[check][0]]}} for check in checks]
    results = []
    for issue in issues:
        location = {"artifactLocation": {"uri": _uri(issue.path, base)}}
        if issue.line:
            location["region"] = {"startLine": issue.line}
        results.append({"ruleId": issue.check, "ruleIndex": checks.index(issue.check),
                        "level": _LEVELS[issue.severity], "message": {"text": issue.message},
                        "locations": [{"physicalLocation": location}]})
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "fodoc-rules-lint", "version": __version__,
                                         "semanticVersion": __version__, "rules": rules}},
                     "columnKind": "unicodeCodePoints",
                     "results": results}]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _uri(path: str, base: Path) -> str:
    resolved = Path(path).resolve()
    try:
        return quote(resolved.relative_to(base).as_posix())
    except ValueError:
        return resolved.as_uri()


def _camel(check: str) -> str:
    return "".join(part.capitalize() for part in check.split("-"))
