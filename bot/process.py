"""Who this process is (host:pid), as written on the work it claims, and whether the owner
of a claim is certainly gone."""

from __future__ import annotations

import os
import socket

HOST = socket.gethostname()


def owner() -> str:
    return f"{HOST}:{os.getpid()}"


def is_dead(claimed_by: str) -> bool:
    """True only when the claim names a process on this machine that no longer exists.
    Another machine's claim, or a pid that now belongs to someone else, is left to the lease:
    the answer errs towards "alive", which only ever delays a warning."""
    host, _, pid = claimed_by.rpartition(":")
    if host != HOST or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
