"""balancer.py - HAProxy in front of voxcartd processes, for integration tests.

    with balancer.Haproxy([srv1.port, srv2.port]) as lb:
        st, hdrs, body = lb.http("GET", "/health")
        lb.log_lines()    # with log_requests=True: which process answered each request

Runs Debian's haproxy on the repository's dist/haproxy/voxcart.cfg with its ports
replaced (a free one in front, the given ones behind), in the foreground, stopped on
exit.  lb.http() is lib.request() against it; source="127.0.0.2" makes the request
come from another loopback address (another shopper, as far as voxcartd can tell).
"""
import os
import re
import shutil
import subprocess
import tempfile
import time

import lib

CONFIG = os.path.join(lib.ROOT, "dist", "haproxy", "voxcart.cfg")


def available():
    return shutil.which("haproxy") is not None


def config_text(front_port, ports, log_requests=False):
    with open(CONFIG) as f:
        text = f.read()
    if log_requests:  # one line per request, naming the process that answered
        text = text.replace("local0 notice", "local0 info")
    text = text.replace("bind 127.0.0.1:8080", "bind 127.0.0.1:%d" % front_port)
    text = re.sub(r"(?m)^    server voxcartd\d+ .*\n", "", text)
    servers = "".join("    server voxcartd%d 127.0.0.1:%d\n" % (i + 1, p)
                      for i, p in enumerate(ports))
    return text.rstrip("\n") + "\n" + servers


class Haproxy:
    def __init__(self, ports, log_requests=False):
        self.log_requests = log_requests
        self.ports = list(ports)
        self.proc = None
        self.port = None

    def start(self, timeout=15):
        self.dir = tempfile.mkdtemp(prefix="voxcart-it-lb-")
        self.port = lib.free_port()
        self.cfg = os.path.join(self.dir, "haproxy.cfg")
        with open(self.cfg, "w") as f:
            f.write(config_text(self.port, self.ports, self.log_requests))
        self.log = open(os.path.join(self.dir, "haproxy.log"), "ab")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", self.cfg], stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("haproxy exited: " + self.log_tail())
            try:
                if lib.request(self.port, "GET", "/health", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("haproxy did not answer: " + self.log_tail())

    def log_lines(self):
        """HAProxy's log so far (with log_requests: a line per request)."""
        self.log.flush()
        try:
            with open(os.path.join(self.dir, "haproxy.log"), "rb") as f:
                return f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return []

    def log_tail(self, n=30):
        try:
            with open(os.path.join(self.dir, "haproxy.log"), "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def http(self, method, path, body=None, token=None, headers=None, timeout=15, source=None):
        if source is None:
            return lib.request(self.port, method, path, body, token, headers, timeout=timeout)
        return request_from(source, self.port, method, path, body, token, headers, timeout)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def request_from(source, port, method, path, body=None, token=None, headers=None, timeout=15):
    """lib.request() from the local address `source` (e.g. 127.0.0.2)."""
    import http.client as httpclient
    import json
    conn = httpclient.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                     source_address=(source, 0))
    hdrs = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    if token:
        hdrs["Authorization"] = "Bearer " + token
    try:
        conn.request(method, path, data, hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        rh = {k.lower(): v for k, v in resp.getheaders()}
        try:
            parsed = json.loads(raw) if raw else ""
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return resp.status, rh, parsed
    finally:
        conn.close()
