"""test_balancer.py - several voxcartd behind HAProxy (dist/haproxy/voxcart.cfg).

Each process here has its own SQLite database (shared data across processes needs
the PostgreSQL backend); what is checked is what the balancer and the processes do
together: REST spread round-robin request by request, a process stopped with
SIGTERM in the middle of traffic costs no request (it drains; its 503s and refused
connections are retried on the others), and with [server] trusted_proxies each
shopper behind HAProxy has a rate limit of their own (without it, all share the
balancer's).  Prints `N passed, M failed` last; exits 1 on any failure.
"""
import collections
import http.client
import json
import threading
import time

import balancer
import lib

C = lib.Checks("balancer")
BASE = "[auth]\nhash_cost = min\n[server]\n"


def tag(servers):
    """Product 1 of process i is titled "process i", so an answer says who gave it."""
    for i, s in enumerate(servers, 1):
        tok = s.register("seller%d@example.com" % i, role="seller")["access_token"]
        pid = s.create_product(tok, title="process %d" % i)["id"]
        assert pid == 1, pid


def who(lb_port, conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", lb_port, timeout=15)
    try:
        c.request("GET", "/api/v1/products/1")
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            return r.status
        return json.loads(body)["title"]
    finally:
        if conn is None:
            c.close()


def t_round_robin():
    servers = [lib.Server(BASE + "rate_limit = 0\ntrusted_proxies = 127.0.0.1\n").start()
               for _ in range(3)]
    try:
        tag(servers)
        with balancer.Haproxy([s.port for s in servers]) as lb:
            conn = http.client.HTTPConnection("127.0.0.1", lb.port, timeout=15)
            seen = collections.Counter(who(lb.port, conn) for _ in range(30))
            conn.close()
            C.eq("round robin: 30 requests on one keep-alive connection, 10 per process",
                 sorted(seen.items()), [("process 1", 10), ("process 2", 10), ("process 3", 10)])
            t_rolling(lb, servers)
    finally:
        for s in servers:
            s.stop()


def t_rolling(lb, servers):
    """SIGTERM one process in the middle of traffic: no request fails."""
    results = collections.Counter()
    errors = []
    stop = threading.Event()

    def client():
        while not stop.is_set():
            try:
                results[who(lb.port)] += 1
            except (OSError, http.client.HTTPException) as e:
                errors.append(repr(e))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    before = sum(results.values())
    status = servers[1].stop()
    time.sleep(2.5)  # HAProxy's checks take it out (fall 2, inter 1 s)
    results_after_down = collections.Counter(results)
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join()
    late = results - results_after_down
    C.eq("rolling: process 2 exits 0 after its drain", status, 0)
    C.check("rolling: traffic flowed before and during", before > 5 and sum(results.values()) > before,
            dict(results))
    C.eq("rolling: no request failed", (errors[:3], {k: v for k, v in results.items()
                                                     if not str(k).startswith("process")}),
         ([], {}))
    C.check("rolling: once it is down, only processes 1 and 3 answer",
            set(late) <= {"process 1", "process 3"} and sum(late.values()) > 0, dict(late))


def burst(lb, source, n):
    return [lb.http("GET", "/api/v1/products/1", source=source)[0] for _ in range(n)]


def t_shopper_address():
    # 2 requests a second, bursts of 4: HAProxy's health checks (1 a second, from
    # 127.0.0.1 without X-Forwarded-For) stay inside the balancer's own bucket.
    for trusted in (True, False):
        cfg = BASE + "rate_limit = 2\nrate_burst = 4\n"
        if trusted:
            cfg += "trusted_proxies = 127.0.0.1\n"
        srv = lib.Server(cfg).start()
        try:
            tag([srv])
            with balancer.Haproxy([srv.port]) as lb:
                # Start-up (the harness's /health polls, tag(), HAProxy's first checks)
                # took tokens of 127.0.0.1's bucket; a check refused 429 twice takes
                # the process out until two pass: let it refill and come back.
                time.sleep(3)
                a = burst(lb, "127.0.0.2", 8)
                b = burst(lb, "127.0.0.3", 1)
            if trusted:
                C.check("trusted: shopper 127.0.0.2 is limited", 429 in a, a)
                C.eq("trusted: shopper 127.0.0.3 has a bucket of their own", b, [200])
            else:
                C.check("untrusted: shopper 127.0.0.2 is limited", 429 in a, a)
                # 429, or 503 when HAProxy's own checks were refused meanwhile and it
                # took the process out: the harm of not trusting the balancer.
                C.check("untrusted: every shopper shares HAProxy's bucket", b in ([429], [503]), b)
        finally:
            srv.stop()


if not balancer.available():
    print("haproxy is not installed (make deps)")
    C.check("haproxy installed", False)
else:
    C.run("round robin and rolling restart", t_round_robin)
    C.run("shopper address", t_shopper_address)
C.finish()
