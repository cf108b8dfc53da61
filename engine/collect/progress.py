"""The progress display of `fodoc collect` / `fodoc why`, on stderr.

On a terminal: one rich progress bar per server, naming the probe that is running there. Off a
terminal (a pipe, a log, CI): one line per server when it is finished. It only ever shows server
and artifact names, never connection details or credentials.
"""
from __future__ import annotations

import threading
from collections import defaultdict

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn


class CollectionProgress:
    """A context manager whose `update` method is the collector's progress callback."""

    def __init__(self, probes_per_server: int, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.total = probes_per_server      # the partner may be discovered on the way
        self.live = self.console.is_terminal
        self.progress = Progress(TextColumn("{task.fields[server]:<28}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[probe]}"), console=self.console, transient=False,
                                 disable=not self.live)
        self.tasks: dict[str, int] = {}
        self.finished: dict[str, int] = defaultdict(int)
        self.failed: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def __enter__(self) -> "CollectionProgress":
        self.progress.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.progress.stop()

    def update(self, server: str, artifact: str, event: str) -> None:
        with self.lock:
            task = self.tasks.get(server)
            if task is None:
                task = self.progress.add_task("", total=self.total, server=server, probe="")
                self.tasks[server] = task
            if event == "start":
                self.progress.update(task, probe=artifact)
                return
            self.finished[server] += 1
            self.failed[server] += event == "failed"
            self.progress.update(task, advance=1, probe="" if self.finished[server] >= self.total else artifact)

    def summary(self, lines: list[str]) -> None:
        """Print the per-server outcome (always, so a log shows what was collected)."""
        for line in lines:
            self.console.print(line, markup=False, highlight=False, soft_wrap=True)
