"""Running a CLI command in-process as a person at a terminal would see it, and as a pipe would.

`at_a_terminal(args)` gives the command a pseudo-terminal for stderr (so `isatty()` is true, as in a real
terminal) and returns everything drawn there; `through_a_pipe(args)` runs it with plain streams. Both
return (exit code, stdout, stderr).
"""

from __future__ import annotations

import io
import os
import pty
import sys
import threading
from contextlib import redirect_stdout

from click.testing import CliRunner

from audit_api.cli import main


def at_a_terminal(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    leader, follower = pty.openpty()
    drawn = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower side closed
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    terminal = io.TextIOWrapper(os.fdopen(follower, "wb", buffering=0), encoding="utf-8", write_through=True)
    saved_env = {key: os.environ.get(key) for key in env or {}}
    os.environ.update(env or {})
    stdout, saved_stderr, code = io.StringIO(), sys.stderr, 0
    sys.stderr = terminal
    try:
        with redirect_stdout(stdout):
            main.main(args, prog_name="audit", standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stderr = saved_stderr
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        terminal.close()
        reader.join(timeout=5)
        os.close(leader)
    return code, stdout.getvalue(), drawn.decode("utf-8", "replace")


def through_a_pipe(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr
