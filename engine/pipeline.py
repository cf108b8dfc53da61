"""One bundle in, one diagnosis out; the knowledge base and engine are loaded once and reused.

The Analyzer is what the CLI, the fleet mode and the tests drive, so a bundle is analysed the
same way wherever it comes from.
"""
from __future__ import annotations

import datetime
import os
from pathlib import Path

from .bundle import open_bundle
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

    def analyze(self, path: str | os.PathLike) -> Diagnosis:
        bundle = open_bundle(path)
        extraction = extract_facts(bundle, self.kb.catalog)
        facts = prepare_facts(extraction.facts, self.kb.catalog)
        matches = self.engine.evaluate(facts)
        return build_diagnosis(self.kb, extraction, facts, matches, self.engine.name,
                               self.site.active(self.today), self.site.expired(self.today))


def diagnose(path: str | os.PathLike, engine: str = "auto") -> Diagnosis:
    """Diagnose one bundle (folder, .zip or .tar.gz) with the shipped knowledge base."""
    return Analyzer(engine).analyze(path)
