"""Shared fixtures and the CI guard that the durable backend is really under test."""
from __future__ import annotations

import os

import pytest

from engine.inference import durable_available
from engine.knowledge import load_knowledge_base


def pytest_configure(config):
    if os.environ.get("FODOC_REQUIRE_DURABLE") == "1" and not durable_available():
        raise pytest.UsageError("FODOC_REQUIRE_DURABLE=1 but durable_rules cannot be imported; "
                                "the parity tests would only cover the native backend")


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()
