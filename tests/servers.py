"""Servers that tests start (the app, llama.cpp): each in its own process group, stopped with
everything it started, even when the test fails."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

GRACE = 10.0


# Signals whose disposition the test run may have inherited as « ignored »: a shell starts a
# background job (`cmd &`) with SIGINT ignored, `nohup` adds SIGHUP, and an ignored signal
# stays ignored across exec. Supervisors (systemd, supervisord, docker) start a server with
# the default dispositions, and so do the tests.
_RESET = (signal.SIGINT, signal.SIGHUP, signal.SIGTERM, signal.SIGQUIT)


def _default_signals() -> None:
    for sig in _RESET:
        signal.signal(sig, signal.SIG_DFL)


def spawn(command: list[str], **kwargs) -> subprocess.Popen:
    """Start ``command`` as the leader of a new process group (its children join it), with the
    default signal dispositions whatever the test run inherited."""
    kwargs.setdefault("stdout", subprocess.DEVNULL)
    kwargs.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen(command, start_new_session=True, preexec_fn=_default_signals, **kwargs)


def group_members(group: int) -> list[int]:
    """The live processes of process group ``group`` (read from /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp …: comm may hold spaces, so split after its ")".
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == group:
            members.append(int(entry.name))
    return members


def stop(process: subprocess.Popen, grace: float = GRACE) -> None:
    """SIGTERM to the whole group, SIGKILL to what is left after ``grace`` seconds."""
    group = process.pid
    for sig in (signal.SIGCONT, signal.SIGTERM):
        try:
            os.killpg(group, sig)
        except ProcessLookupError:
            break
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (process.poll() is None or group_members(group)):
        time.sleep(0.1)
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


@contextmanager
def running(command: list[str], **kwargs):
    """``spawn`` for the length of a ``with`` block, then ``stop``."""
    process = spawn(command, **kwargs)
    try:
        yield process
    finally:
        stop(process)
