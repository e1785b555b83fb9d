"""Surgical edits to an agent file: one value added to or taken from a front-matter list, one
number set, one instruction line appended to the body. Everything else (comments, order,
quoting, spacing) stays byte for byte, so the diff an operator reads is the change and only
the change. An edit is checked with the real loader before anyone sees it."""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.config.agents import Agent, PlaySpec, load_agent, load_play
from bot.config.frontmatter import FileError
from bot.config.mailboxes import load_mailboxes

OPS = ("add", "remove", "set", "append_line")


@dataclass(frozen=True)
class Change:
    """`op` on the front-matter field at `path` (add/remove a list item, set a scalar), or
    `append_line` to the body (path empty)."""

    op: str
    path: tuple[str, ...]
    value: Any

    def as_dict(self) -> dict:
        return {"op": self.op, "path": list(self.path), "value": self.value}

    @classmethod
    def from_dict(cls, raw: dict) -> Change:
        op = raw.get("op")
        if op not in OPS:
            raise ValueError(f"change.op: {op!r} is not one of {', '.join(OPS)}")
        return cls(op, tuple(str(p) for p in raw.get("path") or ()), raw.get("value"))


class EditError(ValueError):
    """The file's front matter has a shape this editor does not change by hand."""


def apply(text: str, change: Change) -> str | None:
    """The file's text with `change` made, or None when the file already says so."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise EditError("the file does not start with '---' and YAML front matter")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise EditError("the front matter is not closed with '---'")
    head, header, tail = lines[0], "".join(lines[1:end]), "".join(lines[end:])
    if change.op == "append_line":
        return _append_line(text, str(change.value))
    root = yaml.compose(header, Loader=yaml.SafeLoader)
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise EditError("the front matter is not a mapping")
    if change.op == "add":
        new = _add(header, root, change.path, change.value)
    elif change.op == "remove":
        new = _remove(header, root, change.path, change.value)
    else:
        new = _set(header, root, change.path, change.value)
    return None if new is None else head + new + tail


def diff(old: str, new: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )


def check(path: Path, text: str, plays_dir: Path, mailboxes_path: Path) -> Agent:
    """Load `text` as the agent file at `path` with the fleet's real loader (its includes,
    plays and mailbox): raises FileError exactly as the fleet would on the next read."""
    plays: dict[str, tuple[PlaySpec, bytes]] = {}
    for play_path in sorted(plays_dir.glob("*.md")) if plays_dir.is_dir() else []:
        try:
            plays[play_path.stem] = load_play(play_path)
        except FileError:
            continue  # a broken play fails the agent that names it, as in the fleet
    return load_agent(path, plays, load_mailboxes(mailboxes_path), raw=text.encode("utf-8"))


def write_atomically(path: Path, text: str) -> None:
    """A reader sees the old file or the new one, never half of either."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the edits


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _find(root: Any, path: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """(parent mapping node, key node, value node) of `path`; missing parts are None."""
    parent, key_node, node = None, None, root
    for part in path:
        if not isinstance(node, yaml.MappingNode):
            return parent, None, None
        hit = next(((k, v) for k, v in node.value if k.value == part), None)
        if hit is None:
            return node, None, None
        parent, (key_node, node) = node, hit
    return parent, key_node, node


def _same(item: Any, value: Any) -> bool:
    return isinstance(item, yaml.ScalarNode) and str(item.value).lower() == str(value).lower()


def _add(header: str, root: Any, path: tuple[str, ...], value: Any) -> str | None:
    parent, _, node = _find(root, path)
    if node is None or (isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")):
        if node is not None:  # `key:` with nothing after it
            return _splice(header, node, f"[{_scalar(value)}]")
        return _insert_key(header, root, path, f"[{_scalar(value)}]")
    if not isinstance(node, yaml.SequenceNode):
        raise EditError(f"{'.'.join(path)} is not a list")
    if any(_same(item, value) for item in node.value):
        return None
    if node.flow_style or not node.value:
        close = header.rindex("]", 0, node.end_mark.index)
        sep = ", " if node.value else ""
        return header[:close] + sep + _scalar(value) + header[close:]
    last = node.value[-1]
    line_end = _line_end(header, last.end_mark.index)
    dash = header[_line_start(header, last.start_mark.index) : last.start_mark.index]
    prefix = dash if re.fullmatch(r"\s*-\s+", dash) else " " * (last.start_mark.column - 2) + "- "
    return header[:line_end] + prefix + _scalar(value) + "\n" + header[line_end:]


def _remove(header: str, root: Any, path: tuple[str, ...], value: Any) -> str | None:
    _, _, node = _find(root, path)
    if not isinstance(node, yaml.SequenceNode):
        return None
    keep = [item for item in node.value if not _same(item, value)]
    if len(keep) == len(node.value):
        return None
    if node.flow_style:
        items = ", ".join(header[i.start_mark.index : i.end_mark.index] for i in keep)
        return _splice(header, node, f"[{items}]")
    gone = next(item for item in node.value if _same(item, value))
    if not keep:
        raise EditError(f"{'.'.join(path)} would be left empty")
    start = _line_start(header, gone.start_mark.index)
    return header[:start] + header[_line_end(header, gone.end_mark.index) :]


def _set(header: str, root: Any, path: tuple[str, ...], value: Any) -> str | None:
    _, _, node = _find(root, path)
    if node is None:
        return _insert_key(header, root, path, _scalar(value))
    if not isinstance(node, yaml.ScalarNode):
        raise EditError(f"{'.'.join(path)} is not a single value")
    if yaml.safe_load(header[node.start_mark.index : node.end_mark.index]) == value:
        return None
    return _splice(header, node, _scalar(value))


def _insert_key(header: str, root: Any, path: tuple[str, ...], rendered: str) -> str:
    """A missing key: under the nearest parent that exists, with its children's indent."""
    node, depth = root, 0
    while depth < len(path) - 1 and isinstance(node, yaml.MappingNode):
        hit = next((v for k, v in node.value if k.value == path[depth]), None)
        if not isinstance(hit, yaml.MappingNode):
            break
        node, depth = hit, depth + 1
    missing = path[depth:]
    if node is None or (node is root and depth == 0):
        lines = [f"{'  ' * i}{p}:" for i, p in enumerate(missing)]
        block = "\n".join(lines) + f" {rendered}\n"
        text = header if header.endswith("\n") or not header else header + "\n"
        return text + block
    if node.flow_style:
        raise EditError(f"{'.'.join(path[:depth])} is written inline; add {path[-1]} by hand")
    first_key = node.value[0][0]
    indent = first_key.start_mark.column
    lines = [f"{' ' * (indent + 2 * i)}{p}:" for i, p in enumerate(missing)]
    block = "\n".join(lines) + f" {rendered}\n"
    at = _line_end(header, node.value[-1][1].end_mark.index)
    return header[:at] + block + header[at:]


def _append_line(text: str, line: str) -> str | None:
    line = " ".join(line.split())
    if any(existing.strip() == line for existing in text.splitlines()):
        return None
    body = text if text.endswith("\n") else text + "\n"
    return body + line + "\n"


def _splice(header: str, node: Any, rendered: str) -> str:
    return header[: node.start_mark.index] + rendered + header[node.end_mark.index :]


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Just past the newline ending the line that holds `index - 1` (the node's last char)."""
    at = text.find("\n", max(index - 1, 0))
    return len(text) if at < 0 else at + 1
