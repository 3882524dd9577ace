#!/usr/bin/env python3
"""idle_sessions.py - memory per idle logged-in buddy session, and /health latency
while they are held (issue 16's connection target).

Starts its own voxcartd (release build), registers one shopper per 7 sessions (the
per-account cap is 8), opens N WebSocket sessions that each say hello and then stay
idle, and reports the server's RSS growth per session and /health p50/p99 measured
while the sessions are open.  Sessions come from several loopback source addresses
so that N is not capped by one address's ephemeral ports; N is capped by this
process's open-file limit (printed).

    python3 tests/bench/idle_sessions.py [N] [--json OUT]     (default 15000)

`make bench` (tests/bench/run.sh) runs it with BENCH_IDLE_SESSIONS sessions.
"""
import base64
import json
import os
import resource
import selectors
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import lib  # noqa: E402


NO_HELLO = bool(os.environ.get("IDLE_NO_HELLO"))  # upgrade only: what lws alone costs
PING_ONLY = bool(os.environ.get("IDLE_PING_ONLY"))  # upgrade and one ping, no hello


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def masked_text(payload):
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def main():
    args = sys.argv[1:]
    out = None
    if "--json" in args:
        i = args.index("--json")
        out = args[i + 1]
        del args[i:i + 2]
    want = int(args[0]) if args else 15000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    n = min(want, hard - 200)
    if n < want:
        print("idle_sessions: open-file limit %d caps the run at %d sessions" % (hard, n))
    conf = "[auth]\nhash_cost = min\n[server]\nrate_limit = 0\n[buddy]\nhello_timeout = 3600\n"
    srv = lib.Server(config=conf).start()
    try:
        per = 7
        tokens = [srv.register("idle%d@example.com" % i)["access_token"]
                  for i in range((n + per - 1) // per)]
        time.sleep(0.5)
        rss0 = rss_kb(srv.proc.pid)
        sel = selectors.DefaultSelector()
        socks = []
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET /api/v1/buddy HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Protocol: voxcart.v1\r\n\r\n" % (srv.port, key)).encode()
        t0 = time.time()
        ready = 0
        batch = 500
        for start in range(0, n, batch):
            pend = {}
            for i in range(start, min(n, start + batch)):
                s = socket.socket()
                s.bind(("127.0.0.%d" % (2 + i // 20000), 0))
                s.connect(("127.0.0.1", srv.port))
                hello = masked_text(json.dumps({"type": "hello", "token": tokens[i // per],
                                                "speech": False}).encode())
                s.sendall(req)
                pend[s] = [hello, b""]
                socks.append(s)
                sel.register(s, selectors.EVENT_READ)
            deadline = time.time() + 60
            while pend and time.time() < deadline:
                for k, _ in sel.select(timeout=1):
                    s = k.fileobj
                    if s not in pend:
                        continue
                    data = s.recv(65536)
                    st = pend[s]
                    st[1] += data
                    if st[0] and b"\r\n\r\n" in st[1]:
                        st[1] = st[1].split(b"\r\n\r\n", 1)[1]
                        if PING_ONLY:
                            s.sendall(masked_text(b'{"type":"ping"}'))
                        elif not NO_HELLO:
                            s.sendall(st[0])
                        st[0] = None
                    if st[0] is None and ((NO_HELLO and not PING_ONLY) or
                                          (PING_ONLY and b'pong' in st[1]) or b'"ready"' in st[1]):
                        ready += 1
                        del pend[s]
                        sel.unregister(s)
            for s in pend:
                sel.unregister(s)
        open_s = time.time() - t0
        time.sleep(1.0)
        rss1 = rss_kb(srv.proc.pid)
        lat = []
        for _ in range(200):
            t = time.time()
            st, _, _ = srv.http("GET", "/health", timeout=10)
            lat.append((time.time() - t) * 1000)
            time.sleep(0.01)
        lat.sort()
        per_kb = (rss1 - rss0) / max(ready, 1)
        print("idle_sessions: %d of %d sessions ready in %.1f s" % (ready, n, open_s))
        print("idle_sessions: RSS %d -> %d KiB: %.2f KiB per session" % (rss0, rss1, per_kb))
        p50, p99 = statistics.median(lat), lat[int(len(lat) * 0.99) - 1]
        print("idle_sessions: /health while held: p50 %.2f ms, p99 %.2f ms" % (p50, p99))
        if out:
            with open(out, "w") as f:
                json.dump({"sessions_wanted": want, "sessions_ready": ready,
                           "open_s": round(open_s, 1), "rss_before_kb": rss0,
                           "rss_after_kb": rss1, "kib_per_session": round(per_kb, 2),
                           "health_p50_ms": round(p50, 2), "health_p99_ms": round(p99, 2),
                           "load_avg": os.getloadavg()[0]}, f, indent=2)
                f.write("\n")
        for s in socks:
            s.close()
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
