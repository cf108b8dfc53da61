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


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory):
    """The knowledge-base parse cache (engine/kbcache.py) of the test run, not the user's.

    One directory for the whole session, so most loads exercise the cache's hit path; set in
    os.environ so the fodoc processes the CLI tests start use it too.
    """
    saved = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "LOCALAPPDATA", "FODOC_NO_CACHE")}
    directory = tmp_path_factory.mktemp("fodoc-cache")
    os.environ["XDG_CACHE_HOME"] = os.environ["LOCALAPPDATA"] = str(directory)
    os.environ.pop("FODOC_NO_CACHE", None)
    yield directory
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()
