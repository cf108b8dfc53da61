"""Shared fixtures and the CI guard that the durable backend is really under test."""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from engine.inference import durable_available
from engine.knowledge import load_knowledge_base


_CACHE_ENV = ("XDG_CACHE_HOME", "LOCALAPPDATA", "FODOC_NO_CACHE")
_saved_cache_env: dict[str, str | None] = {}


def pytest_configure(config):
    if os.environ.get("FODOC_REQUIRE_DURABLE") == "1" and not durable_available():
        raise pytest.UsageError("FODOC_REQUIRE_DURABLE=1 but durable_rules cannot be imported; "
                                "the parity tests would only cover the native backend")
    # The knowledge-base parse cache (engine/kbcache.py) of the test run, not the user's: one
    # directory for the whole run, so most loads exercise the cache's hit path. Set here, before
    # collection (test modules load rules at import), and in os.environ so the fodoc processes
    # tests start use it too.
    _saved_cache_env.update({name: os.environ.get(name) for name in _CACHE_ENV})
    directory = tempfile.mkdtemp(prefix="fodoc-test-cache-")
    os.environ["XDG_CACHE_HOME"] = os.environ["LOCALAPPDATA"] = directory
    os.environ.pop("FODOC_NO_CACHE", None)


@pytest.fixture(scope="session")
def kb():
    return load_knowledge_base()


def pytest_unconfigure(config):
    from engine.kbcache import save_memos
    save_memos()  # now, not at exit, when it would make the folder again
    directory = os.environ.get("XDG_CACHE_HOME")
    for name, value in _saved_cache_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if directory and os.path.basename(directory).startswith("fodoc-test-cache-"):
        shutil.rmtree(directory, ignore_errors=True)
