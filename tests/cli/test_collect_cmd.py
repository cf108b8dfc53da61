"""`fodoc why` / `fodoc collect` before any connection: how the password is asked for."""
from __future__ import annotations

import os
import subprocess
import sys


def test_no_password_and_no_terminal_is_one_line_exit_3_and_nothing_is_read_with_echo():
    env = {k: v for k, v in os.environ.items() if k not in ("FODOC_PASSWORD", "FODOC_USER")}
    # A new session has no controlling terminal, as under cron or a CI job; stdin is /dev/null.
    done = subprocess.run([sys.executable, "-c", "from engine.cli import main; main()",
                           "why", "--server", "127.0.0.1", "--port", "1", "--user", "x"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                          start_new_session=True, timeout=120)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == "fodoc: error: no password: set FODOC_PASSWORD or run on a terminal to be prompted\n"
