"""The real services of a team deployment, started by the tests on loopback and stopped after:
a Chroma server (`chroma run`, shipped with chromadb) and PostgreSQL (Debian's `postgresql`:
`initdb` in a temporary folder, `pg_ctl` start and stop). PostgreSQL refuses to run as root:
as root, its commands run as the `postgres` user the Debian package creates."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.llm_server import free_port, wait_until_ready
from tests.servers import running


@contextmanager
def chroma_server(port: int | None = None, path: Path | None = None):
    """(host, port) of a `chroma run` on ``path`` (default: an empty folder, deleted after)."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.is_file():
        pytest.skip(f"commande chroma absente ({chroma}) : pip install chromadb")
    port = port or free_port()
    folder = path or Path(tempfile.mkdtemp(prefix="npnru-chroma-"))
    command = [
        str(chroma),
        "run",
        "--path",
        str(folder),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    try:
        with running(command):
            wait_until_ready(f"http://127.0.0.1:{port}", timeout=60, path="/api/v2/heartbeat")
            yield "127.0.0.1", port
    finally:
        if path is None:
            shutil.rmtree(folder, ignore_errors=True)


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        pytest.skip("PostgreSQL absent : apt-get install postgresql (voir .ci/run)")
    return Path(found[-1]).parent


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL's commands as a user it accepts: ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("utilisateur postgres absent : apt-get install postgresql")
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def postgres():
    """The SQLAlchemy URL of a fresh PostgreSQL server's ``postgres`` database."""
    binaries = pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="npnru-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        for path in (folder, sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = free_port()
    run = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        subprocess.run(
            _as_owner(
                [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
                + ["-E", "UTF8", "--no-locale"]
            ),
            **run,
        )
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_owner(
                [str(binaries / "pg_ctl"), "-D", str(data), "-o", options]
                + ["-l", str(folder / "journal.log"), "-w", "-t", "60", "start"]
            ),
            **run,
        )
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def new_database(url: str, name: str) -> str:
    """A new empty database on the server of ``url``; its URL."""
    from sqlalchemy import create_engine, text

    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as db:
        db.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


NGINX_CONF = """
daemon off;
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    log_format upstream '$remote_addr $upstream_addr "$request" $status';
    access_log {folder}/access.log upstream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream npnru {{
        ip_hash;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://npnru;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
            proxy_read_timeout 86400;
        }}
    }}
}}
"""


@contextmanager
def nginx_proxy(backends: list[int]):
    """(port, access log) of an nginx in front of ``backends`` (ports on 127.0.0.1) with
    sticky sessions (``ip_hash``), the configuration of docs/deploiement.md."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).is_file():
        pytest.skip("nginx absent : apt-get install nginx (voir .ci/run)")
    folder = Path(tempfile.mkdtemp(prefix="npnru-nginx-"))
    port = free_port()
    conf = NGINX_CONF.format(
        # Its workers write in our temporary folder: as root, they run as root too.
        user="user root;" if os.geteuid() == 0 else "",
        folder=folder,
        port=port,
        servers="\n".join(f"        server 127.0.0.1:{p};" for p in backends),
    )
    (folder / "nginx.conf").write_text(conf, encoding="utf-8")
    try:
        with running([nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")]):
            wait_until_ready(f"http://127.0.0.1:{port}", timeout=60, path="/_stcore/health")
            yield port, folder / "access.log"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
