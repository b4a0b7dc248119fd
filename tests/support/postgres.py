"""A throwaway PostgreSQL cluster for the test session, from the server binaries on the machine."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager


def find_pg_bin() -> str | None:
    initdb = shutil.which("initdb") or next(iter(sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None)
    return os.path.dirname(os.path.realpath(initdb)) if initdb else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def postgres_cluster():
    """Yield the URL of a running server's 'postgres' database; stop and delete it after."""
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    workdir = tempfile.mkdtemp(prefix="network-pg-")
    datadir = os.path.join(workdir, "data")
    # The server refuses to run as root: run it as the `postgres` user when we are root.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(workdir, "postgres")
    port = free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True)  # noqa: E731
    run(f"{pg_bin}/initdb", "-D", datadir, "-U", "postgres", "-A", "trust", "-E", "UTF8",
        "--no-sync")
    run(f"{pg_bin}/pg_ctl", "-D", datadir, "-w", "-l", os.path.join(workdir, "log"), "-o",
        f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, f"{pg_bin}/pg_ctl", "-D", datadir, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    import psycopg

    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name
