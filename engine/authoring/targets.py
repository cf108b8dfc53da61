"""What `fodoc rules lint` reads: the files of the given paths, sorted by what they hold.

A file is a rule, a runbook or a fact kind by its keys (`match`, `fix`, `fields`), whatever its
name or folder, so an author can lint a single file from anywhere; `fodoc-site.yaml` is a site
config. Directories give their `*.yaml` files and those of their `runbooks/` folder.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KnowledgeBaseError
from ..site import RUNBOOKS_SUBDIR, SITE_CMDLETS_NAME, SITE_CONFIG_NAME, knowledge_files
from ..yamlio import load_yaml


@dataclass
class Targets:
    """The files to lint, by what they hold."""

    rules: list[Path] = field(default_factory=list)
    runbooks: list[Path] = field(default_factory=list)
    facts: list[Path] = field(default_factory=list)
    site_configs: list[Path] = field(default_factory=list)
    cmdlet_catalogs: list[Path] = field(default_factory=list)  # a site's cmdlets.yaml
    directories: list[Path] = field(default_factory=list)   # checked for stray *.yml files


def yaml_files(directories: list[Path]) -> list[Path]:
    """The knowledge-base files of `directories` (a site's config files are not)."""
    found = []
    for directory in directories:
        if Path(directory).is_dir():
            found += knowledge_files(Path(directory))
    return found


def classify(paths: list[Path]) -> Targets:
    """Sort the given files (and the files of the given directories) by what they hold."""
    targets = Targets()
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.glob("*.yaml"))
            targets.directories.append(path)
            if (path / RUNBOOKS_SUBDIR).is_dir():
                files += sorted((path / RUNBOOKS_SUBDIR).glob("*.yaml"))
                targets.directories.append(path / RUNBOOKS_SUBDIR)
        else:
            files.append(path)
    for path in files:
        if path.name == SITE_CONFIG_NAME:
            targets.site_configs.append(path)
            continue
        if path.name == SITE_CMDLETS_NAME:
            targets.cmdlet_catalogs.append(path)
            continue
        kind = _kind_of(path)
        getattr(targets, kind).append(path)
    return targets


def _kind_of(path: Path) -> str:
    """rules, runbooks or facts, by the file's keys (falling back to its folder's name)."""
    try:
        doc = load_yaml(path)
    except KnowledgeBaseError:
        doc = None
    if isinstance(doc, dict):
        if "match" in doc or "fixtures" in doc:
            return "rules"
        if "fix" in doc or "verify" in doc or "requires" in doc:
            return "runbooks"
        if "fields" in doc:
            return "facts"
    folder = path.parent.name
    return folder if folder in ("runbooks", "facts") else "rules"


def runbook_causes(directories: list[Path]) -> dict[str, Path]:
    """The runbook file of each cause (`<cause>.yaml`; later directories win)."""
    causes: dict[str, Path] = {}
    for directory in directories:
        if Path(directory).is_dir():
            for path in knowledge_files(Path(directory)):
                causes[path.stem] = path
    return causes
