"""test_trusted_proxy.py - [server] trusted_proxies: the client address behind a balancer.

Rate limits count per client address.  Only a connection from a trusted proxy has
its X-Forwarded-For believed (the rightmost address that is not a trusted proxy);
from anyone else the header changes nothing, so it cannot be used to dodge a limit.
Prints `N passed, M failed` last; exits 1 on any failure.
"""
import os
import subprocess
import sys
import tempfile

import lib

C = lib.Checks("trusted_proxy")
LIMIT = "[auth]\nhash_cost = min\n[server]\nrate_limit = 1\nrate_burst = 3\n"


def burst(srv, xff, n=4):
    """n requests at once (well inside a second) with that X-Forwarded-For."""
    codes = []
    for _ in range(n):
        hdrs = {"X-Forwarded-For": xff} if xff is not None else None
        codes.append(srv.http("GET", "/health", headers=hdrs)[0])
    return codes


def raw_xff(srv, lines):
    req = b"GET /health HTTP/1.1\r\nHost: x\r\n"
    for l in lines:
        req += b"X-Forwarded-For: " + l.encode() + b"\r\n"
    return lib.raw_request(srv.port, req + b"Connection: close\r\n\r\n")[0]


def t_trusted():
    with lib.Server(LIMIT + "trusted_proxies = 127.0.0.1, 10.0.0.0/8\n") as srv:
        C.eq("trusted: shopper A limited after the burst", burst(srv, "203.0.113.1"),
             [200, 200, 200, 429])
        C.eq("trusted: shopper B has a bucket of its own", burst(srv, "203.0.113.2", 3),
             [200, 200, 200])
        # A forged left part does not move the count: the rightmost hop is the client.
        C.eq("trusted: forged left entries still count against A",
             burst(srv, "198.51.100.50, 203.0.113.1", 1), [429])
        C.eq("trusted: an inner trusted proxy is skipped",
             burst(srv, "203.0.113.1, 10.9.9.9", 1), [429])
        # Two header lines are one list; the last line is the one our proxy wrote.
        C.eq("trusted: two X-Forwarded-For lines read as one list",
             raw_xff(srv, ["198.51.100.77", "203.0.113.1"]), 429)
        # The proxy's own bucket (which the harness's start-up /health polls share).
        codes = burst(srv, None, 4)
        C.check("trusted: no header -> the proxy's own bucket", codes[0] == 200 and 429 in codes,
                codes)
        C.eq("trusted: garbage -> the proxy's own bucket (now spent)",
             burst(srv, "unknown", 1), [429])


def t_untrusted():
    with lib.Server(LIMIT) as srv:
        codes = [srv.http("GET", "/health", headers={"X-Forwarded-For": "203.0.113.%d" % i})[0]
                 for i in range(1, 5)]
        C.check("not configured: X-Forwarded-For ignored, one bucket", codes[-1] == 429, codes)
    with lib.Server(LIMIT + "trusted_proxies = 10.0.0.0/8\n") as srv:
        codes = [srv.http("GET", "/health", headers={"X-Forwarded-For": "203.0.113.%d" % i})[0]
                 for i in range(1, 5)]
        C.check("peer not trusted: X-Forwarded-For ignored", codes[-1] == 429, codes)


def t_bad_config():
    d = tempfile.mkdtemp(prefix="voxcart-it-")
    conf = os.path.join(d, "voxcart.conf")
    for value, want in (("localhost", "'localhost' is not an IPv4 or IPv6 address"),
                        ("10.0.0.0/40", "prefix length from 0 to 32")):
        with open(conf, "w") as f:
            f.write("[server]\ntrusted_proxies = %s\n" % value)
        p = subprocess.run([lib.VOXCARTD, "--config", conf, "--db", os.path.join(d, "x.db"),
                            "--port", "0"], capture_output=True, text=True, timeout=20)
        C.check("bad trusted_proxies '%s' refused at start" % value,
                p.returncode != 0 and want in p.stderr, (p.returncode, p.stderr[-300:]))


C.run("trusted proxy", t_trusted)
C.run("untrusted", t_untrusted)
C.run("bad config", t_bad_config)
C.finish()
