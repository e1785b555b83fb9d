"""`twoloop import`'s progress bars: a million rows take a while, and the terminal should
say how far along each file is. Silent when the output is not a terminal (scripts, CI,
logs): the summary line the command prints at the end is all they get."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from bot.intake.importer import Progress as ImportProgress


class ImportBars(ImportProgress):
    """One bar per file: how much of it is read, with rows validated and rows written."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console()
        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[read]:>10,} read"),
            TextColumn("{task.fields[written]:>10,} written"),
            TimeElapsedColumn(),
            console=self.console,
            disable=not self.console.is_terminal,
        )
        self.tasks: dict[Path, TaskID] = {}

    def __enter__(self) -> ImportBars:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()

    def start(self, path: Path, size: int) -> None:
        self.tasks[path] = self.bars.add_task(path.name, total=max(size, 1), read=0, written=0)

    def read(self, path: Path, rows: int, at: int) -> None:
        self.bars.update(self.tasks[path], completed=at, read=rows)

    def written(self, path: Path, rows: int) -> None:
        self.bars.update(self.tasks[path], written=rows)
