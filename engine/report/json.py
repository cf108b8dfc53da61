"""The JSON report: a stable, versioned document (schema fodoc.diagnosis/1) for monitoring and fleets.

It holds no absolute paths and no timestamps of the analysis itself, so the same bundle gives
byte-identical JSON whether it is read from a folder or a zip, today or next year.
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..diagnosis import SCHEMA, Diagnosis


def diagnosis_to_dict(d: Diagnosis) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "verdict": d.verdict,
        "exit_code": d.exit_code,
        "summary": d.summary,
        "engine": d.engine,
        "bundle": {"servers": d.servers, "manifest": d.manifest, "artifacts": d.artifacts, "capture": d.capture},
        "relationships": d.relationships,
        "findings": [_finding(rank, f) for rank, f in enumerate(d.findings, start=1)],
        "competing": d.competing,
        "unexplained": d.unexplained,
        "unread": d.unread,
        "observations": d.observations,
        "ruled_out": [_plain(r) for r in d.ruled_out],
        "not_evaluated": [_plain(n) for n in d.not_evaluated],
        "timeline": d.timeline,
        "problems": d.problems,
        "notes": d.notes,
        "suppressed": [_plain(item) for item in d.suppressed],
        "expired_suppressions": d.expired_suppressions,
    }


# Finding fields that only serve to link findings while the diagnosis is built.
_LINK_FIELDS = ("consequence_of", "reason_for", "reasons", "consequences")


def _finding(rank: int | None, finding) -> dict[str, Any]:
    """A finding with its reasons and consequences nested (those carry no rank of their own)."""
    data = {name: _plain(getattr(finding, name)) for name in (f.name for f in dataclasses.fields(finding))
            if name not in _LINK_FIELDS}
    data["expected"] = finding.expected
    data["fault_hosts"] = finding.fault_hosts   # where the fault is (fault_on resolved to hosts)
    data["location"] = finding.location()
    data["reasons"] = [_finding(None, f) for f in finding.reasons]
    data["consequences"] = [_finding(None, f) for f in finding.consequences]
    return {"rank": rank, **data} if rank is not None else data


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not f.name.startswith("_")}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def render_json(d: Diagnosis) -> str:
    return json.dumps(diagnosis_to_dict(d), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
