"""A throwaway Dovecot IMAP server for the test session, with one mailbox: the bounces'."""

import getpass
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.postgres import free_port

USER = "bounces"
PASSWORD = "mot-de-passe-de-test"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {workdir}/run
state_dir = {workdir}/state
log_path = {workdir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
# A wrong password is refused at once (2 s by default, longer than the tests' timeouts).
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
# No chroot: an unprivileged Dovecot cannot make one.
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {workdir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={workdir}/home/%u
}}
mail_location = maildir:~/Maildir
"""


@dataclass
class ImapAccount:
    host: str
    port: int
    user: str
    password: str

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port, timeout=5)
        imap.login(self.user, self.password)
        imap.select("INBOX")
        return imap

    def deliver(self, raw: bytes) -> None:
        """Put a message in the inbox, unseen, as the mail server delivering it would."""
        imap = self.connect()
        try:
            status, answer = imap.append("INBOX", None, None, raw.replace(b"\r\n", b"\n")
                                         .replace(b"\n", b"\r\n"))
            assert status == "OK", answer
        finally:
            imap.logout()

    def unseen(self) -> int:
        imap = self.connect()
        try:
            return len(imap.uid("SEARCH", None, "UNSEEN")[1][0].split())
        finally:
            imap.logout()

    def empty(self) -> None:
        imap = self.connect()
        try:
            if int(imap.select("INBOX")[1][0]):
                imap.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                imap.expunge()
        finally:
            imap.logout()


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot",) if os.access(path, os.X_OK)), None)


def _accounts() -> dict:
    """Who Dovecot's processes and the mailbox run as: never root (Dovecot refuses uid 0)."""
    if os.geteuid() != 0:
        me = getpass.getuser()
        return {"internal_user": me, "login_user": me,
                "internal_group": grp.getgrgid(os.getegid()).gr_name,
                "uid": os.geteuid(), "gid": os.getegid()}
    # As root: the Debian package's own users, and `nobody` for the mailbox.
    nobody = pwd.getpwnam("nobody")
    return {"internal_user": "dovecot", "login_user": "dovenull", "internal_group": "dovecot",
            "uid": nobody.pw_uid, "gid": nobody.pw_gid}


@contextmanager
def dovecot_server():
    """Yield the account of a running Dovecot's only mailbox; stop and delete it after."""
    binary = find_dovecot()
    if binary is None:
        raise FileNotFoundError("dovecot not found (apt-get install dovecot-imapd)")
    workdir = tempfile.mkdtemp(prefix="network-imap-")
    accounts = _accounts()
    port = free_port()
    # The mail processes run as the mailbox's user: they must reach their home.
    os.chmod(workdir, 0o755)
    home = os.path.join(workdir, "home")
    os.mkdir(home)
    os.chown(home, accounts["uid"], accounts["gid"])
    with open(os.path.join(workdir, "users"), "w") as users:
        users.write(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    os.chmod(os.path.join(workdir, "users"), 0o644)
    config = os.path.join(workdir, "dovecot.conf")
    with open(config, "w") as file:
        file.write(CONFIG.format(workdir=workdir, port=port, **accounts))
    with open(os.path.join(workdir, "dovecot.log"), "ab") as output:
        process = subprocess.Popen([binary, "-F", "-c", config], stdout=output, stderr=output)
    try:
        _wait_for(port, process, workdir)
        yield ImapAccount("127.0.0.1", port, USER, PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen, workdir: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot stopped at start: {_log(workdir)}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"dovecot did not listen on port {port}: {_log(workdir)}")


def _log(workdir: str) -> str:
    try:
        with open(os.path.join(workdir, "dovecot.log")) as log:
            return log.read()[-2000:]
    except OSError:
        return ""
