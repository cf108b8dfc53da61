"""The options every command that loads the knowledge base shares: site rules and the site config.

One definition, so `diagnose`, `rules lint|test|list|show|coverage` and `explain` see exactly the
same knowledge base for the same command line and environment (engine/site.py).
"""
from __future__ import annotations

import os
from pathlib import Path

import click

from ..site import SITE_CONFIG_ENV
from . import RULES_DIR_ENV


def rules_dir_option(func):
    return click.option(
        "--rules-dir", "rule_dirs", multiple=True, envvar=RULES_DIR_ENV,
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        help=f"Site rules directory: its *.yaml rules and runbooks/*.yaml add to or override the "
             f"shipped ones by id (repeatable; also ${RULES_DIR_ENV}, separated by "
             f"'{os.pathsep}').")(func)


def runbooks_dir_option(func):
    return click.option(
        "--runbooks-dir", "runbook_dirs", multiple=True,
        type=click.Path(file_okay=False, exists=True, path_type=Path),
        help="Extra runbook directory (repeatable).")(func)


def site_config_option(func):
    return click.option(
        "--site-config", type=click.Path(dir_okay=False, exists=True, path_type=Path),
        envvar=SITE_CONFIG_ENV,
        help=f"Site config with suppressions (also ${SITE_CONFIG_ENV}; default: fodoc-site.yaml "
             "in each --rules-dir).")(func)


def knowledge_options(func):
    """--rules-dir, --runbooks-dir and --site-config, in that order in --help."""
    return rules_dir_option(runbooks_dir_option(site_config_option(func)))
