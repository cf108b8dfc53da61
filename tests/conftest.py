"""Shared fixtures: the shipped knowledge base (loaded once) and both inference backends."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.inference import create_engine, durable_available
from engine.knowledge import load_knowledge_base

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "bundles"


def pytest_configure(config):
    if os.environ.get("FODOC_REQUIRE_DURABLE") == "1" and not durable_available():
        raise pytest.UsageError("FODOC_REQUIRE_DURABLE=1 but durable_rules cannot be imported; "
                                "the parity tests would only cover the native backend")


def backend_names() -> list[str]:
    return ["native", "durable"] if durable_available() else ["native"]


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="session")
def catalog(kb):
    return kb.catalog


@pytest.fixture(scope="session")
def engines(kb):
    return {name: create_engine(name, kb.rules) for name in backend_names()}
