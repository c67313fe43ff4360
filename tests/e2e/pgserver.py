"""A throwaway PostgreSQL 15 server for differential tests and benchmarks.

initdb and pg_ctl refuse to run as root, so when we are root the cluster directory is
owned by, and the server runs as, the `postgres` user. The server listens on 127.0.0.1 only,
on a free port, with a socket directory inside its own temporary directory, and is stopped
by its postmaster PID.
"""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

PG_BIN = "/usr/lib/postgresql/15/bin"


def available():
    return os.path.exists(os.path.join(PG_BIN, "initdb"))


class PgServer:
    def __init__(self, port, settings=None, root=None, hba=None):
        self.port = port
        self.settings = dict(settings or {})
        self.hba = list(hba) if hba else None  # pg_hba.conf lines; None keeps initdb's trust
        self.tmp = tempfile.mkdtemp(prefix="pg-", dir=root)
        self.data = os.path.join(self.tmp, "data")
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")
            os.chown(self.tmp, self.user.pw_uid, self.user.pw_gid)
            os.chmod(self.tmp, 0o755)
        self.pid = None

    def _run(self, args, **kw):
        if self.user:
            uid, gid = self.user.pw_uid, self.user.pw_gid

            def demote():
                os.setgid(gid)
                os.setuid(uid)

            kw["preexec_fn"] = demote
        return subprocess.run(args, check=True, capture_output=True, text=True, **kw)

    def start(self):
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres",
                   "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        if self.hba is not None:
            hba_path = os.path.join(self.data, "pg_hba.conf")
            with open(hba_path, "w") as f:
                f.write("\n".join(self.hba) + "\n")
            if self.user:
                os.chown(hba_path, self.user.pw_uid, self.user.pw_gid)
        return self.run()

    def run(self):
        """Start the postmaster on the existing cluster (after start(), or after kill9())."""
        opts = ["-c listen_addresses=127.0.0.1", f"-p {self.port}",
                f"-c unix_socket_directories={self.tmp}"]
        opts += [f"-c {k}={v}" for k, v in self.settings.items()]
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-w", "-t", "60",
                   "-l", os.path.join(self.tmp, "server.log"), "-o", " ".join(opts), "start"])
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            self.pid = int(f.readline())
        return self

    def kill9(self):
        """SIGKILL the postmaster and its backends, as a crash would; the data directory
        stays for run() to recover."""
        if not self.pid:
            return
        children = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open(f"/proc/{d}/stat") as f:
                        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                if ppid == self.pid:
                    children.append(int(d))
        for pid in [self.pid] + children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in [self.pid] + children:
            for _ in range(200):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        self.pid = None

    def dsn(self, dbname="postgres"):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def stop(self):
        if self.pid:
            try:
                # Immediate shutdown: the cluster is deleted right after, so there is no
                # point in the shutdown checkpoint a fast shutdown (SIGINT) waits for.
                os.kill(self.pid, signal.SIGQUIT)
                for _ in range(600):
                    os.kill(self.pid, 0)
                    time.sleep(0.05)
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.pid = None
        shutil.rmtree(self.tmp, ignore_errors=True)
