"""`npnru ui` as an operator runs it: the signal a supervisor sends stops the app, and nothing
(no Streamlit server, no child) is left listening or running afterwards."""

import os
import signal
import socket
import sys
import time

import pytest

from assistant.config import PROJECT_ROOT
from assistant.llm_server import free_port, wait_until_ready
from tests.servers import group_members, spawn, stop


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _signals(pid: int) -> str:
    """The signal masks of ``pid`` (ignored, caught) and its thread count, for the message."""
    try:
        lines = open(f"/proc/{pid}/status").read().splitlines()
    except OSError:
        return "processus disparu"
    return " ".join(line for line in lines if line.startswith(("SigIgn", "SigCgt", "Threads")))


# SIGINT failed in session 5's full runs of `.ci/run`, started here as a background job: the
# shell had set SIGINT to « ignored » (then `nohup` SIGHUP), and the app inherited it. spawn()
# now gives the app the default dispositions, as a supervisor does; the masks stay in the
# failure message.
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_to_npnru_ui_stops_the_app_and_leaves_nothing_behind(sig, tmp_path):
    port = free_port()
    env = {**os.environ, "NPNRU_DATA_DIR": str(tmp_path / "data")}
    process = spawn(
        [sys.executable, "-m", "assistant.cli", "ui", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", timeout=60, path="/_stcore/health")
        # The signal goes to the npnru process only, as systemd, supervisord or `docker stop`
        # send it; not to its process group.
        os.kill(process.pid, sig)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            process.poll() is None or _listening(port) or group_members(process.pid)
        ):
            time.sleep(0.1)
        assert process.poll() is not None, (
            f"npnru ui tourne encore 10 s après le signal ({_signals(process.pid)})"
        )
        assert not _listening(port), f"le port {port} écoute encore 10 s après le signal"
        assert group_members(process.pid) == [], "un processus lancé par npnru ui a survécu"
    finally:
        stop(process)
