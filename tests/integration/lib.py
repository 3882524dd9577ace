"""lib.py - shared helpers for voxcart's integration scripts (Python 3, stdlib only).

    import lib
    checks = lib.Checks("api")
    with lib.Server() as srv:                    # a real ./voxcartd, temp db, free port
        st, hdrs, body = srv.http("GET", "/health")
        checks.eq("health is 200", st, 200)
        checks.error("no token -> 401", srv.http("GET", "/api/v1/me"), 401, "unauthorized")
    checks.finish()                              # prints "N passed, M failed", exits 1 on failure

`lib.http(...)` is the same as `srv.http(...)` on the most recently started server.
Set VOXCARTD to run another binary; VERBOSE=1 prints every passing check too.

VOXCART_TEST_DB=postgres runs every Server on PostgreSQL: a throwaway cluster
(scripts/pg-cluster.sh; the one named by VOXCART_TEST_PG_URL when set, as
run-integration.sh does for a whole run) and a database of its own per Server
(`srv.db` is then its postgresql:// URL; `lib.ON_POSTGRES` says so, for the few
checks that open the SQLite file themselves).
"""

import atexit
import http.client as httpclient
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VOXCARTD = os.environ.get("VOXCARTD", os.path.join(ROOT, "voxcartd"))
DEFAULT_CONFIG = "[auth]\nhash_cost = min\n[server]\nrate_limit = 0\n"

ON_POSTGRES = os.environ.get("VOXCART_TEST_DB", "sqlite") in ("postgres", "postgresql", "pg")
_pg_url = None   # the cluster's URL (postgresql://voxcart@127.0.0.1:PORT/voxcart)
_pg_seq = 0

_current = None  # the server lib.http() talks to
_live = set()    # servers to kill if the script dies (timeout, exception)


def _cleanup():
    for srv in list(_live):
        if srv.proc is not None and srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()


def _on_sigterm(signum, frame):
    # `timeout` sends SIGTERM: unwind (finally blocks, atexit) so no voxcartd is left.
    sys.exit(128 + signum)


atexit.register(_cleanup)
if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
    signal.signal(signal.SIGTERM, _on_sigterm)


def _pg_bin(name):
    import glob
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True,
                    key=lambda d: [int(x) if x.isdigit() else 0 for x in d.split("/")[-2].split(".")]):
        if os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    return shutil.which(name) or name


def pg_cluster():
    """The URL of the test run's PostgreSQL cluster, started on first use (and
    destroyed when this script ends) unless VOXCART_TEST_PG_URL names one."""
    global _pg_url
    if _pg_url:
        return _pg_url
    given = os.environ.get("VOXCART_TEST_PG_URL")
    if given:
        _pg_url = given
        return _pg_url
    d = tempfile.mkdtemp(prefix="voxcart-pg-it-")
    out = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", d],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        raise RuntimeError("no PostgreSQL cluster for VOXCART_TEST_DB=postgres: " + out.stderr)
    atexit.register(lambda: subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"),
                                            "destroy", d], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))
    _pg_url = out.stdout.strip().splitlines()[-1]
    return _pg_url


def pg_database():
    """A new empty database on the test cluster; its URL."""
    global _pg_seq
    base = pg_cluster()
    _pg_seq += 1
    name = "it_%d_%d_%d" % (os.getpid(), int(time.time() * 1000) % 100000000, _pg_seq)
    subprocess.run([_pg_bin("psql"), "-q", "-X", base, "-c", "CREATE DATABASE %s" % name],
                   check=True, stdout=subprocess.DEVNULL)
    return base.rsplit("/", 1)[0] + "/" + name


def pg_query(url, sql):
    """Runs sql on the database url (psql -At); its output."""
    return subprocess.run([_pg_bin("psql"), "-X", "-At", url, "-c", sql], check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def pg_dump(url):
    """The data of the database url as SQL text (pg_dump)."""
    return subprocess.run([_pg_bin("pg_dump"), "--data-only", url], check=True,
                          stdout=subprocess.PIPE, text=True).stdout


def free_port():
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _decode(data, headers):
    if not data:
        return ""
    text = data.decode("utf-8", errors="replace")
    ctype = headers.get("content-type", "")
    if "json" in ctype or text[:1] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def request(port, method, path, body=None, token=None, headers=None, raw=None, timeout=15,
            host="127.0.0.1", closed_ok=False):
    """One HTTP request on a fresh connection; returns (status, headers, body).

    body: a Python value sent as JSON, or bytes/str sent as they are.
    raw: bytes sent as the body verbatim (wins over body).
    headers: extra headers (dict); token adds "Authorization: Bearer <token>".
    The answer's headers come back as a dict with lower-case names; the body is the
    parsed JSON when it is JSON, else the text ("" when empty).
    closed_ok: when the server closes the connection without an answer, return
    (None, {}, why) instead of raising.
    """
    hdrs = {}
    payload = None
    if raw is not None:
        payload = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    elif body is not None:
        if isinstance(body, bytes):
            payload = body
        elif isinstance(body, str):
            payload = body.encode("utf-8")
        else:
            payload = json.dumps(body).encode("utf-8")
        hdrs["Content-Type"] = "application/json"
    if payload is not None:
        hdrs["Content-Length"] = str(len(payload))
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    if headers:
        hdrs.update(headers)
    conn = httpclient.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        if payload:
            try:
                conn.send(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer (413) before reading it all
        try:
            resp = conn.getresponse()
            data = resp.read()
        except (httpclient.RemoteDisconnected, httpclient.BadStatusLine, ConnectionResetError,
                BrokenPipeError) as e:
            if not closed_ok:
                raise
            return None, {}, "connection closed: %r" % (e,)
        rh = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, rh, _decode(data, rh)
    finally:
        conn.close()


def raw_request(port, data, timeout=15, host="127.0.0.1"):
    """Sends data (bytes: a whole request, however malformed) on a fresh connection
    and returns (status, headers, body) of the first answer, or (None, {}, why) when
    the server closed the connection (or went quiet for `timeout`) without a
    complete answer."""
    s = socket.create_connection((host, port), timeout=timeout)
    blob = b""
    why = "closed"
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            why = repr(e)  # an answer may still be waiting
        while True:
            head, sep, rest = blob.partition(b"\r\n\r\n")
            if sep:
                m = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                want = int(m[0].split(b":", 1)[1]) if m else None
                if want is not None and len(rest) >= want:
                    break
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout, OSError) as e:
                why = repr(e)
                break
            if not b:
                break
            blob += b
    finally:
        s.close()
    if not blob.startswith(b"HTTP/") or b"\r\n\r\n" not in blob:
        return None, {}, "no answer (%s): %r" % (why, blob[:200])
    head, _, body = blob.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None, {}, blob.decode("latin-1")
    rh = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        rh[k.strip().lower()] = v.strip()
    if "content-length" in rh:
        body = body[: int(rh["content-length"])]
    return status, rh, _decode(body, rh)


def http(method, path, body=None, token=None, headers=None, raw=None, timeout=15,
         closed_ok=False):
    """request() against the most recently started Server."""
    if _current is None:
        raise RuntimeError("lib.http: no server started")
    return _current.http(method, path, body, token, headers, raw, timeout, closed_ok)


class Server:
    """A voxcartd on a free port with a temporary database and the given config."""

    def __init__(self, config=DEFAULT_CONFIG, args=(), name="voxcartd", keep=False, db=None):
        self.config = config
        self.given_db = db  # a database to share (a postgresql:// URL), else a new one
        self.args = list(args)
        self.name = name
        self.keep = keep
        self.proc = None
        self.port = None
        self.dir = None
        self.exit_status = None

    # -- life cycle ---------------------------------------------------------------
    def start(self, timeout=20):
        global _current
        if not os.access(VOXCARTD, os.X_OK):
            raise RuntimeError("%s is missing: run `make voxcartd` first" % VOXCARTD)
        self.dir = tempfile.mkdtemp(prefix="voxcart-it-")
        self.db = self.given_db or (pg_database() if ON_POSTGRES
                                    else os.path.join(self.dir, "test.db"))
        self.conf_path = os.path.join(self.dir, "voxcart.conf")
        with open(self.conf_path, "w") as f:
            f.write(self.config)
        self.log_path = os.path.join(self.dir, "server.log")
        last = ""
        for _attempt in range(3):  # a "free" port can be taken meanwhile
            self.port = free_port()
            self._log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [VOXCARTD, "--port", str(self.port), "--db", self.db, "--config", self.conf_path]
                + self.args,
                stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            deadline = time.time() + timeout
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    st, _, body = request(self.port, "GET", "/health", timeout=2)
                    if st == 200:
                        _current = self
                        _live.add(self)
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            last = self.log_tail()
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._log.close()
        raise RuntimeError("voxcartd did not come up; its log:\n" + last)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM, wait, and return the exit status (0 is a clean shutdown)."""
        global _current
        if self.proc is None:
            return self.exit_status
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.exit_status = "hung (killed)"
        if self.exit_status is None:
            self.exit_status = self.proc.returncode
        self._log.close()
        self.proc = None
        _live.discard(self)
        if _current is self:
            _current = None
        if not self.keep and self.dir and self.exit_status == 0:
            shutil.rmtree(self.dir, ignore_errors=True)
        return self.exit_status

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- requests -------------------------------------------------------------------
    def http(self, method, path, body=None, token=None, headers=None, raw=None, timeout=15,
             closed_ok=False):
        return request(self.port, method, path, body, token, headers, raw, timeout,
                       closed_ok=closed_ok)

    def raw(self, data, timeout=15):
        return raw_request(self.port, data, timeout)

    # -- conveniences ---------------------------------------------------------------
    def register(self, email, password="password123", name="Test User", role=None):
        """Registers an account; returns the 201 body (user, tokens) or raises."""
        body = {"email": email, "password": password, "name": name}
        if role:
            body["role"] = role
        st, _, b = self.http("POST", "/api/v1/auth/register", body)
        if st != 201:
            raise RuntimeError("register %s: %s %r" % (email, st, b))
        return b

    def login(self, email, password="password123"):
        st, _, b = self.http("POST", "/api/v1/auth/login", {"email": email, "password": password})
        if st != 200:
            raise RuntimeError("login %s: %s %r" % (email, st, b))
        return b

    def create_product(self, token, **fields):
        body = {"title": "Test product", "price_cents": 100, "stock": 10, "category": "Misc"}
        body.update(fields)
        st, _, b = self.http("POST", "/api/v1/products", body, token=token)
        if st != 201:
            raise RuntimeError("create product: %s %r" % (st, b))
        return b


class Checks:
    """Named checks; finish() prints failures and `N passed, M failed` last."""

    def __init__(self, name=None):
        self.name = name
        self.passed = 0
        self.failed = []
        self.verbose = bool(os.environ.get("VERBOSE"))
        self.t0 = time.time()

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            if self.verbose:
                print("ok   %s" % name)
        else:
            self.failed.append(name)
            print("FAIL %s%s" % (name, (": " + str(detail)) if detail != "" else ""))
            sys.stdout.flush()
        return bool(ok)

    def eq(self, name, got, want):
        return self.check(name, got == want, "got %r, want %r" % (_short(got), _short(want)))

    def status(self, name, resp, want):
        """resp is (status, headers, body); checks the status alone."""
        st, _, body = resp
        return self.check(name, st == want, "status %r, want %r; body %r" % (st, want, _short(body)))

    def error(self, name, resp, status, code, field=None):
        """Checks a PROTOCOL.md error answer: status, JSON body {"error":{code,message}},
        the code, and the field when one is given."""
        st, hdrs, body = resp
        err = body.get("error") if isinstance(body, dict) else None
        why = []
        if st != status:
            why.append("status %r, want %r" % (st, status))
        if not isinstance(err, dict):
            why.append("no error object")
        else:
            if err.get("code") != code:
                why.append("code %r, want %r" % (err.get("code"), code))
            if not isinstance(err.get("message"), str) or not err.get("message"):
                why.append("no message")
            if field is not None and err.get("field") != field:
                why.append("field %r, want %r" % (err.get("field"), field))
        if st is not None and "json" not in hdrs.get("content-type", ""):
            why.append("content-type %r" % hdrs.get("content-type"))
        return self.check(name, not why, "; ".join(why) + "; body %r" % (_short(body),))

    def run(self, name, fn, *args):
        """Runs fn(*args); an exception counts as one failed check instead of ending
        the script."""
        try:
            return fn(*args)
        except Exception as e:  # noqa: BLE001 - report and go on
            self.check("%s (raised)" % name, False, "%s\n%s" % (e, traceback.format_exc()))
            return None

    def finish(self):
        total_failed = len(self.failed)
        if total_failed:
            print("\nfailed checks:")
            for n in self.failed:
                print("  - " + n)
        label = (self.name + ": ") if self.name else ""
        print("%s(%.1fs)" % (label, time.time() - self.t0))
        print("%d passed, %d failed" % (self.passed, total_failed))
        sys.stdout.flush()
        sys.exit(1 if total_failed else 0)


def wait_until(fn, timeout=30.0, every=0.05):
    """Calls fn() until it returns something true or timeout seconds have passed; returns
    that value (or the last false one).  For checks that wait for a condition instead of
    for a fixed time: a slow or loaded machine only makes them take longer."""
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() >= deadline:
            return v
        time.sleep(every)


def unread_by_server(server_port, client_ports):
    """Of the TCP connections from client_ports (local ports of this process's sockets)
    to server_port on this machine, those whose bytes the server has not read yet: not
    accepted (no inode: still in the listen queue) or with bytes waiting in the
    server-side socket's receive queue (/proc/net/tcp).  Empty once the server has
    everything that was sent (a connection already over counts as read), whatever the
    machine's load."""
    want = set(client_ports)
    unread = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) < 10:
                continue
            lport = int(f[1].rsplit(":", 1)[1], 16)
            rport = int(f[2].rsplit(":", 1)[1], 16)
            if lport != server_port or rport not in want:
                continue
            # ESTABLISHED or SYN_RECV: not accepted yet (inode 0) or bytes waiting.  Any
            # other state (the exchange is over, the socket closing) or no entry at all
            # (closed) means the server has read what it will read.
            if f[3] in ("01", "03") and (int(f[9]) == 0 or int(f[4].split(":")[1], 16) > 0):
                unread.add(rport)
    return unread


def _short(v, n=300):
    s = repr(v)
    return s if len(s) <= n else s[:n] + "..."
