"""One bundle in, one diagnosis out; the knowledge base and engine are loaded once and reused.

The Analyzer is what the CLI, the fleet mode and the tests drive, so a bundle is analysed the
same way wherever it comes from.
"""
from __future__ import annotations

import datetime
import os
from pathlib import Path

from .bundle import Bundle, open_bundles
from .errors import BundleError
from .diagnosis import Diagnosis, build_diagnosis
from .extract import extract_facts
from .inference import create_engine, prepare_facts
from .knowledge import KnowledgeBase, load_knowledge_base
from .site import SiteConfig, today_utc


class Analyzer:
    """`site` (engine/site.py) suppresses findings until their expiry, judged on `today` (UTC)."""

    def __init__(self, engine: str = "auto", rule_dirs: list[Path] | None = None,
                 runbook_dirs: list[Path] | None = None, kb: KnowledgeBase | None = None,
                 site: SiteConfig | None = None, today: datetime.date | None = None):
        self.kb = kb or load_knowledge_base(rule_dirs, runbook_dirs)
        self.engine = create_engine(engine, self.kb.rules)
        self.site = site or SiteConfig()
        self.today = today or today_utc()

    def analyze(self, path: str | os.PathLike | list | tuple, require_artifacts: bool = False) -> Diagnosis:
        """Diagnose one bundle, or several merged into one (a list of paths: open_bundles).

        `require_artifacts` (the CLI): a bundle of which no file could be read as an artifact
        (an empty folder, only unknown or unreadable files) is a BundleError, not a report.
        """
        bundle = open_bundles(list(path) if isinstance(path, (list, tuple)) else [path])
        extraction = extract_facts(bundle, self.kb.catalog)
        if require_artifacts:
            require_some_artifact(bundle, extraction)
        facts = prepare_facts(extraction.facts, self.kb.catalog)
        matches = self.engine.evaluate(facts)
        return build_diagnosis(self.kb, extraction, facts, matches, self.engine.name,
                               self.site.active(self.today), self.site.expired(self.today))


def diagnose(path: str | os.PathLike, engine: str = "auto") -> Diagnosis:
    """Diagnose one bundle (folder, .zip or .tar.gz) with the shipped knowledge base."""
    return Analyzer(engine).analyze(path)


def require_some_artifact(bundle: Bundle, extraction) -> None:
    """Raise BundleError when not one file of `bundle` was read as an artifact: nothing usable is
    left, so a report of every rule "not evaluated" would say nothing (exit 3, one line)."""
    if any(record.status == "read" for record in extraction.artifacts):
        return
    where = bundle.location
    if not bundle.files and not bundle.skipped:
        raise BundleError(where, "holds no files (expected one folder per DHCP server with its outputs, "
                                 "or the zips Collect-FailoverFacts.ps1 writes; see docs/bundle-format.md)")
    lost = [p for p in extraction.problems if p.path != "(bundle)"]
    first = f" ({lost[0].one_line()}" + (f"; {len(lost) - 1} more" if len(lost) > 1 else "") + ")" if lost else ""
    count = len([f for f in bundle.files if f.path.lower() != "manifest.json"]) + len(bundle.skipped)
    raise BundleError(where, f"none of its {count} file(s) could be read as an output fodoc knows{first}; "
                             f"'fodoc inspect' lists what each file was taken for")
