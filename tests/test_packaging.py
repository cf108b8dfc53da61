"""Every package and data file of engine/ is listed in setup.cfg, so `pip install .` ships it."""
from __future__ import annotations

import configparser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _config():
    parser = configparser.ConfigParser()
    parser.read(REPO / "setup.cfg", encoding="utf-8")
    return parser


def test_every_engine_package_is_listed():
    listed = set(_config()["options"]["packages"].split())
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "engine").rglob("__init__.py")}
    assert found - listed == set()


def test_data_files_are_covered_by_package_data():
    package_data = _config()["options.package_data"]
    patterns = {pkg: value.split() for pkg, value in package_data.items()}
    data_files = [p for p in (REPO / "engine").rglob("*") if p.suffix in (".yaml", ".tsv", ".json")]
    for path in data_files:
        package_dir = path.parent
        while not (package_dir / "__init__.py").exists():
            package_dir = package_dir.parent
        package = ".".join(package_dir.relative_to(REPO).parts)
        relative = path.relative_to(package_dir).as_posix()
        assert any(Path(relative).match(pattern) for pattern in patterns.get(package, [])), relative


def test_knowledge_base_directories_are_mapped():
    mapping = _config()["options"]["package_dir"]
    for name in ("facts", "rules", "runbooks"):
        assert f"engine._kb.{name} = {name}" in mapping


def test_package_data_lists_one_pattern_per_line():
    """setuptools reads `a b` on one line as a single pattern (with a space), which installs nothing."""
    for package, value in _config()["options.package_data"].items():
        for line in value.strip().splitlines():
            assert len(line.split()) == 1, f"{package}: {line!r}: put each pattern on its own line"
