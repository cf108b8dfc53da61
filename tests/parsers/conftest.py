"""Helpers for parser tests: turn a fixture file into the Artifact a bundle would hand over.

Fixtures keep descriptive names (ps51.json, list.txt); each test says which bundle path the file
stands for, because the bundle path is what tells the parser its family, server and target.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from engine.facts import Fact
from engine.parsers import Artifact, Problems, parse_artifact, recognise

FIXTURES = Path(__file__).parent / "fixtures"


def artifact_from_bytes(data: bytes, bundle_path: str) -> Artifact:
    found = recognise(bundle_path)
    assert found is not None, f"{bundle_path} is not recognised"
    return Artifact(path=bundle_path, reader=lambda: data, **found)


@pytest.fixture
def parse() -> Callable[[str, str], tuple[list[Fact], Problems]]:
    """parse(fixture, bundle_path) -> (facts, problems) through the public entry point."""
    def run(fixture: str, bundle_path: str) -> tuple[list[Fact], Problems]:
        problems = Problems()
        facts = parse_artifact(artifact_from_bytes((FIXTURES / fixture).read_bytes(), bundle_path), problems)
        return facts, problems
    return run


@pytest.fixture
def parse_bytes() -> Callable[[bytes, str], tuple[list[Fact], Problems]]:
    """parse_bytes(data, bundle_path) -> (facts, problems) for inline inputs."""
    def run(data: bytes, bundle_path: str) -> tuple[list[Fact], Problems]:
        problems = Problems()
        return parse_artifact(artifact_from_bytes(data, bundle_path), problems), problems
    return run
