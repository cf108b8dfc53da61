"""One exception hierarchy for everything fodoc reports to a user.

Every error carries enough context (file, line or record, field) to be printed as a single
line that tells the admin what was wrong and where, so the CLI never has to show a traceback
for bad input.
"""
from __future__ import annotations


class FodocError(Exception):
    """Base of every error fodoc raises on purpose."""

    def one_line(self) -> str:
        return " ".join(str(self).split())


def unexpected(exc: BaseException, doing: str) -> str:
    """The one line for an exception no reader expected while `doing` something with one file
    (the last line of defence at the per-file boundary: that file is left out, the run goes on)."""
    detail = " ".join(str(exc).split())[:200]
    return (f"could not be {doing}: unexpected {type(exc).__name__}" + (f" ({detail})" if detail else "")
            + "; the file was left out (please report this with the file)")


class BundleError(FodocError):
    """The bundle as a whole cannot be read (missing path, bad archive, unsafe member)."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


class ArtifactError(FodocError):
    """One artifact (or one record in it) cannot be read; the rest of the bundle still is."""

    def __init__(self, path: str, message: str, record: str | None = None, note: bool = False):
        self.path = path
        self.record = record
        self.message = message
        self.note = note  # True: nothing was lost (the file was read; this says how), a "Notes" line
        where = f"{path} ({record})" if record else path
        super().__init__(f"{where}: {message}")


class KnowledgeBaseError(FodocError):
    """A fact catalog, rule or runbook file is invalid."""

    def __init__(self, path: str, message: str, item: str | None = None,
                 field: str | None = None, suggestion: str | None = None):
        self.path = path
        self.item = item
        self.field = field
        self.message = message
        self.suggestion = suggestion
        parts = [path]
        if item:
            parts.append(item)
        if field:
            parts.append(field)
        text = ": ".join(parts) + ": " + message
        if suggestion:
            text += f" (did you mean {suggestion!r}?)"
        super().__init__(text)


class RuleLoadError(KnowledgeBaseError):
    """A rule file is invalid."""


class RunbookError(KnowledgeBaseError):
    """A runbook file is invalid or cannot be rendered."""


class CatalogError(KnowledgeBaseError):
    """A fact catalog file is invalid."""


class EngineError(FodocError):
    """An inference backend failed (never caused by user input that passed validation)."""


class UsageError(FodocError):
    """The command line asks for something that cannot be done."""


class CollectionError(FodocError):
    """Live collection cannot go on at all (credentials refused, first server unreachable).

    Problems with single probes or with the partner are not errors: they are recorded in the
    bundle's manifest and the collection goes on.
    """
