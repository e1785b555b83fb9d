"""`twoloop init`: a working config folder to start from."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

TEMPLATE_SUFFIX = ".tmpl"
# Owner-only: `cp .env.example .env` keeps the mode, and .env is where the secrets go.
PRIVATE = (".env.example",)


def init(target: Path, *, now: datetime | None = None, force: bool = False) -> list[Path]:
    """Copy the starter agents, plays and sample data into `target`.

    Sample signals are dated relative to today so the demo always has fresh ones.
    Refuses to overwrite existing files unless `force`.
    """
    now = now or datetime.now(UTC)
    source = resources.files("bot.starter")
    written: list[Path] = []
    plan: list[tuple[Path, bytes]] = []
    with resources.as_file(source) as root:
        for path in sorted(Path(root).rglob("*")):
            rel = path.relative_to(root)
            if path.is_dir() or path.name == "__init__.py" or "__pycache__" in rel.parts:
                continue
            data = path.read_bytes()
            if path.name.endswith(TEMPLATE_SUFFIX):
                rel = rel.with_name(path.name.removesuffix(TEMPLATE_SUFFIX))
                data = _render(data.decode("utf-8"), now).encode("utf-8")
            if rel.name == "env.example":
                rel = rel.with_name(".env.example")
            plan.append((target / rel, data))
    clashes = [dest for dest, _ in plan if dest.exists()]
    if clashes and not force:
        raise FileExistsError(f"{clashes[0]} already exists (use --force to overwrite)")
    for dest, data in plan:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.name in PRIVATE:
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(dest, 0o600)  # --force over an older, wider file
        else:
            dest.write_bytes(data)
        written.append(dest)
    return written


def _render(text: str, now: datetime) -> str:
    stamps = {
        f"days_ago_{n}": (now - timedelta(days=n)).strftime("%Y-%m-%dT09:00:00Z")
        for n in range(0, 31)
    }
    return text.format(**stamps)
