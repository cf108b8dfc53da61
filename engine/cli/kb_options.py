"""The options every command that loads the knowledge base shares: site rules and the site config.

One definition, so `diagnose`, `rules lint|test|list|show|coverage` and `explain` see exactly the
same knowledge base for the same command line and environment (engine/site.py).
"""
from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import UsageError
from ..site import SITE_CONFIG_ENV
from . import RULES_DIR_ENV


def rules_dir_option(func):
    return click.option(
        "--rules-dir", "rule_dirs", multiple=True, callback=_rule_dirs_from_env,
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        help=f"Site rules directory: its *.yaml rules and runbooks/*.yaml add to or override the "
             f"shipped ones by id (repeatable; also ${RULES_DIR_ENV}, separated by "
             f"'{os.pathsep}').")(func)


def _rule_dirs_from_env(ctx, param, value: tuple[Path, ...]) -> tuple[Path, ...]:
    """--rules-dir when given, else $FODOC_RULES_DIR. Read here rather than by click's envvar=,
    whose error would blame '--rules-dir' for a folder the user only named in the environment."""
    if value:
        return value
    folders = []
    for item in os.environ.get(RULES_DIR_ENV, "").split(os.pathsep):
        if not item:
            continue
        folder = Path(item)
        if not folder.exists():
            raise UsageError(f"${RULES_DIR_ENV} names the site rules folder {item!r}, which does not exist")
        if not folder.is_dir():
            raise UsageError(f"${RULES_DIR_ENV} names {item!r}, which is a file; expected a site rules folder")
        folders.append(folder)
    return tuple(folders)


def runbooks_dir_option(func):
    return click.option(
        "--runbooks-dir", "runbook_dirs", multiple=True,
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        help="Extra runbook directory (repeatable).")(func)


def site_config_option(func):
    return click.option(
        "--site-config", type=click.Path(dir_okay=False, exists=True, path_type=Path),
        callback=_site_config_from_env,
        help=f"Site config with suppressions (also ${SITE_CONFIG_ENV}; default: fodoc-site.yaml "
             "in each --rules-dir).")(func)


def _site_config_from_env(ctx, param, value: Path | None) -> Path | None:
    """--site-config when given, else $FODOC_SITE_CONFIG (checked here, for the same reason)."""
    if value is not None:
        return value
    item = os.environ.get(SITE_CONFIG_ENV)
    if not item:
        return None
    path = Path(item)
    if not path.exists():
        raise UsageError(f"${SITE_CONFIG_ENV} names the site config {item!r}, which does not exist")
    if path.is_dir():
        raise UsageError(f"${SITE_CONFIG_ENV} names {item!r}, which is a folder; expected a site config file")
    return path


def knowledge_options(func):
    """--rules-dir, --runbooks-dir and --site-config, in that order in --help."""
    return rules_dir_option(runbooks_dir_option(site_config_option(func)))
