"""Progress of the long commands (`audit load`, `site build`, `qr`, `privacy purge`, `export`).

On a terminal: a Rich bar redrawn in place with the count, the rate and the time left, gone when the work
is done. Anywhere else (a pipe, a log file, CI): a plain line at most every few seconds, so logs stay
readable (`AUDIT_PROGRESS_EVERY` seconds apart, 2 by default). Both go to stderr: what a command prints on stdout (its findings, its summary) stays clean.
Each command ends with its own one-line summary, which `Progress.elapsed` and `Progress.rate` help word.

The library's long functions know nothing of terminals: they take a `Step` (called with the number of
items just done) and, where they can count their work up front, a `Total` (called once with it).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

Step = Callable[[int], None]  # n more items done
Total = Callable[[int], None]  # the number of items the work will take, once known


def no_step(n: int) -> None:
    """A `Step` for callers that watch nothing."""


def _rich_bar(unit: str, stream: TextIO) -> RichProgress:
    """The bar at a terminal: Rich is imported only here, so the server (which imports the library's long
    functions, and so this module) never loads it."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, ProgressColumn, Task, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class Rate(ProgressColumn):
        """Items a second, in the unit of the work ("stores/s")."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} {unit}/s" if speed else f"- {unit}/s", style="progress.data.speed")

    return RichProgress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit), Rate(),
        TextColumn("left"), TimeRemainingColumn(), console=Console(file=stream, force_terminal=True), transient=True,
        redirect_stdout=False, redirect_stderr=False,
    )


class Progress:
    """One piece of long work: `with Progress("loading", "stores") as progress:` then `progress.step(n)`."""

    def __init__(
        self, what: str, unit: str, total: int | None = None, *, stream: TextIO | None = None, terminal: bool | None = None,
        every: float | None = None, clock: Callable[[], float] = time.monotonic,
    ):
        self.what, self.unit, self.total = what, unit, total
        self.done = 0
        self._stream = stream or sys.stderr
        self._terminal = self._stream.isatty() if terminal is None else terminal
        self._every = float(os.environ.get("AUDIT_PROGRESS_EVERY", "2")) if every is None else every
        self._clock = clock
        self._started = self._last_line = clock()
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Progress:
        if self._terminal:
            self._bar = _rich_bar(self.unit, self._stream)
            self._bar.start()
            self._task = self._bar.add_task(self.what, total=self.total)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif kind is not None and self.done:  # stopped half-way: say how far it got
            self._line()

    def set_total(self, total: int) -> None:
        self.total = total
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=total)

    def step(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.done)
        elif self._clock() - self._last_line >= self._every:
            self._line()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._started

    @property
    def rate(self) -> float:
        """Items a second so far (0 before the first)."""
        return self.done / self.elapsed if self.done and self.elapsed > 0 else 0.0

    def summary(self) -> str:
        """`2,000 stores in 2.1 s (952/s)`: the figures for a command's last line."""
        return f"{self.done:,} {self.unit} in {self.elapsed:.1f} s ({self.rate:,.0f}/s)"

    def _line(self) -> None:
        self._last_line = self._clock()
        count = f"{self.done:,}/{self.total:,}" if self.total else f"{self.done:,}"
        share = f" ({100 * self.done / self.total:.0f}%)" if self.total else ""
        left = ""
        if self.total and self.rate:
            left = f", about {max(self.total - self.done, 0) / self.rate:.0f} s left"
        print(f"{self.what}: {count} {self.unit}{share}, {self.rate:,.0f}/s{left}", file=self._stream, flush=True)
