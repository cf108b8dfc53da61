"""failover-doctor: tells a Windows admin why a DHCP failover pair is broken and what to do about it.

The public surface is deliberately small: diagnose a bundle, reuse an Analyzer for many bundles,
load the knowledge base, and the one exception hierarchy. Everything else is internal.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .diagnosis import Diagnosis, Finding  # noqa: E402
from .errors import (ArtifactError, BundleError, EngineError, FodocError,  # noqa: E402
                     KnowledgeBaseError, RuleLoadError, RunbookError, UsageError)
from .knowledge import KnowledgeBase, load_knowledge_base  # noqa: E402
from .pipeline import Analyzer, diagnose  # noqa: E402

__all__ = ["__version__", "diagnose", "Analyzer", "Diagnosis", "Finding", "KnowledgeBase",
           "load_knowledge_base", "FodocError", "BundleError", "ArtifactError", "KnowledgeBaseError",
           "RuleLoadError", "RunbookError", "EngineError", "UsageError"]
