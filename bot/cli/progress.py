"""`twoloop import`'s and `twoloop crm sync`'s progress bars: a million rows take a while,
and the terminal should say how far along each file (each CRM object type) is. Silent when the output is not a terminal (scripts, CI,
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

from bot.crm.sync import Progress as SyncProgress
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


class SyncBars(SyncProgress):
    """One bar per CRM object type (companies, contacts, deals): records read and written,
    of about how many HubSpot's search said there are."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console()
        self.bars = Progress(
            TextColumn("{task.description:<9}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.completed:>10,.0f} synced"),
            TimeElapsedColumn(),
            console=self.console,
            disable=not self.console.is_terminal,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> SyncBars:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()

    def pulled(self, kind: str, done: int, total: int | None) -> None:
        if kind not in self.tasks:
            self.tasks[kind] = self.bars.add_task(kind, total=None)
        # HubSpot's count is of records modified since the cursor; it can grow meanwhile.
        size = max(total, done) if total is not None else None
        self.bars.update(self.tasks[kind], completed=done, total=size)
