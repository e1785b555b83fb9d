"""Markdown files with YAML front matter, and errors that point at file, line and field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@dataclass
class FileError(Exception):
    """A problem in a config file, located as precisely as we can."""

    path: Path
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.message}"


@dataclass
class Document:
    path: Path
    raw: bytes
    meta: dict[str, Any]
    body: str
    lines: dict[tuple, int]  # field path -> 1-based line in the file


def read_document(path: Path, raw: bytes | None = None) -> Document:
    """`raw`: the file's bytes as they would be (a proposed edit checked before it is written)."""
    raw = path.read_bytes() if raw is None else raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(path, None, None, f"not UTF-8 text ({exc.reason})") from None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise FileError(path, 1, None, "must start with '---' and YAML front matter")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise FileError(path, 1, None, "front matter is not closed with '---'")
    header = "".join(lines[1:end])
    try:
        node = yaml.compose(header, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise FileError(path, line, None, f"invalid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise FileError(path, 2, None, "front matter must be a mapping of fields")
    positions: dict[tuple, int] = {}
    _walk(node, (), positions, offset=2)
    return Document(path, raw, meta, "".join(lines[end + 1 :]).strip() + "\n", positions)


def _walk(node: Any, prefix: tuple, out: dict[tuple, int], offset: int) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            path = (*prefix, key.value)
            out[path] = key.start_mark.line + offset
            _walk(value, path, out, offset)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*prefix, i)] = item.start_mark.line + offset
            _walk(item, (*prefix, i), out, offset)


def validate(model: type[M], doc: Document, **extra: Any) -> M:
    """Validate front matter; the first error becomes a FileError with its line."""
    try:
        return model.model_validate({**doc.meta, **extra})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        line = None
        for n in range(len(loc), 0, -1):
            if loc[:n] in doc.lines:
                line = doc.lines[loc[:n]]
                break
        field = ".".join(str(p) for p in loc) or None
        raise FileError(doc.path, line or 2, field, err["msg"]) from None


def line_of(node: Any, loc: tuple) -> int | None:
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if nxt is None:
                break
            line, node = nxt[0].start_mark.line + 1, nxt[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_yaml(path: Path, model: type[M]) -> tuple[M, Any]:
    """A YAML config file validated by `model`; errors become a FileError with the line of
    the offending field. Returns the model and the YAML node tree (for more lookups)."""
    text = path.read_text("utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise FileError(path, mark.line + 1 if mark else None, None, problem) from None
    try:
        return model.model_validate(data), node
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise FileError(
            path, line_of(node, loc), ".".join(map(str, loc)) or None, err["msg"]
        ) from None
