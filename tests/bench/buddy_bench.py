#!/usr/bin/env python3
"""Buddy benchmark: typed turns over the WebSocket against a real voxcartd.

Measures, on a large catalog: `say` -> first reply.delta and -> reply.done (p50,
p99) for one session and for many concurrent sessions; then how many idle sessions
the server holds and its memory per session (RSS growth / sessions).

  buddy_bench.py [--port P --token-file F] [--products N] [--sessions 200]
                 [--one-turns 200] [--turns 3] [--idle 2000] [--json OUT]

--one-turns: turns of the one session (its p99 is the 99th percentile of these: with
the 40 of before it was their largest); --turns: turns of each concurrent session.

Without --port it generates a catalog (gen_catalog.py), starts voxcartd on it and
registers shoppers itself.  Needs only the Python standard library."""

import argparse
import asyncio
import base64
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

UTTERANCES = [
    "do you have dark roast coffee", "add two bananas", "show me headphones under 100 dollars",
    "what's in my cart", "add a dozen eggs", "remove the bananas", "what is the cheapest milk",
    "i need some olive oil", "make it three", "how much is my cart",
]


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return round(s[k], 2)


def post(port, path, body, token=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


class AsyncWS:
    """Just enough RFC 6455 for the bench (client frames masked, no fragmentation sent)."""

    async def connect(self, port):
        self.r, self.w = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        self.w.write(("GET /api/v1/buddy HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Protocol: voxcart.v1\r\n\r\n" % key).encode())
        head = await self.r.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError(head[:80])

    def send(self, obj):
        data = json.dumps(obj).encode()
        n = len(data)
        hdr = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
        mask = os.urandom(4)
        self.w.write(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    async def recv(self):
        while True:
            b0, b1 = await self.r.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", await self.r.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", await self.r.readexactly(8))[0]
            payload = await self.r.readexactly(n)
            op = b0 & 0x0F
            if op == 0x8:
                raise ConnectionError("closed")
            if op == 0x1:
                return json.loads(payload)
            # binary (speech) frames are not asked for; ignore anything else


async def session(port, token, turns, first, done, speech=False):
    ws = AsyncWS()
    await ws.connect(port)
    ws.send({"type": "hello", "token": token, "speech": speech})
    while (await ws.recv()).get("type") != "ready":
        pass
    for i in range(turns):
        t0 = time.perf_counter()
        ws.send({"type": "say", "turn": i + 1, "text": UTTERANCES[i % len(UTTERANCES)]})
        got_first = False
        while True:
            m = await ws.recv()
            if m.get("type") == "reply.delta" and not got_first:
                first.append((time.perf_counter() - t0) * 1000)
                got_first = True
            if m.get("type") == "reply.done" and m.get("turn") == i + 1:
                done.append((time.perf_counter() - t0) * 1000)
                break
    ws.w.close()


def cpu_s(pid):
    """The server's CPU time so far (user + system, seconds), or None without its pid."""
    if not pid:
        return None
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_turn(c0, c1, turns):
    if c0 is None or c1 is None or not turns:
        return None
    return round((c1 - c0) * 1000.0 / turns, 2)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def idle_sessions(port, token, count):
    held = []
    try:
        for _ in range(count):
            ws = AsyncWS()
            await ws.connect(port)
            ws.send({"type": "hello", "token": token, "speech": False})
            held.append(ws)
        for ws in held:
            while (await asyncio.wait_for(ws.recv(), 30)).get("type") != "ready":
                pass
    except (OSError, ConnectionError, asyncio.TimeoutError) as e:
        print("idle: stopped at %d sessions: %s" % (len(held), e))
    return held


def start_server(products, tmp):
    cat = os.path.join(tmp, "cat.csv")
    subprocess.check_call([sys.executable, os.path.join(HERE, "gen_catalog.py"), str(products), cat])
    conf = os.path.join(tmp, "b.conf")
    with open(conf, "w") as f:
        f.write("[auth]\nhash_cost = min\n[server]\nrate_limit = 0\n"
                # one session sends its turns back to back: faster than a shopper
                "[buddy]\nmessage_rate = 0\n")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    log = open(os.path.join(tmp, "server.log"), "wb")
    proc = subprocess.Popen([os.path.join(ROOT, "voxcartd"), "--db", os.path.join(tmp, "b.db"),
                             "--import-catalog", cat, "--port", str(port), "--config", conf,
                             "--log-level", "warn"], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(1200):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("voxcartd did not start")


async def run(args, port, proc):
    tag = "%d-%d" % (os.getpid(), int(time.time()))
    tokens = [post(port, "/api/v1/auth/register", {"email": "bench%d-%s@example.com" % (i, tag),
                                                   "password": "password123", "name": "Bench"})["access_token"]
              for i in range(args.sessions)]
    res = {}
    pid = proc.pid if proc else args.pid
    first, done = [], []
    c0 = cpu_s(pid)
    await session(port, tokens[0], args.one_turns, first, done)
    c1 = cpu_s(pid)
    # CPU per turn (the server's user + system time over the phase): steadier than
    # wall-clock on a shared machine.  It includes the session's hello and ready.
    res["one_session"] = {"turns": len(done), "first_delta_p50_ms": pct(first, 50),
                          "first_delta_p99_ms": pct(first, 99), "done_p50_ms": pct(done, 50),
                          "done_p99_ms": pct(done, 99), "first_turn_ms": round(done[0], 2) if done else None,
                          "cpu_ms_per_turn": cpu_per_turn(c0, c1, len(done))}
    first, done = [], []
    c0 = cpu_s(pid)
    p0 = time.process_time()
    t0 = time.perf_counter()
    await asyncio.gather(*(session(port, tokens[i], args.turns, first, done)
                           for i in range(args.sessions)))
    wall = time.perf_counter() - t0
    client_cpu = time.process_time() - p0
    c1 = cpu_s(pid)
    res["concurrent"] = {"sessions": args.sessions, "turns": len(done),
                         "turns_per_s": round(len(done) / wall, 1),
                         "first_delta_p50_ms": pct(first, 50), "first_delta_p99_ms": pct(first, 99),
                         "done_p50_ms": pct(done, 50), "done_p99_ms": pct(done, 99),
                         "cpu_ms_per_turn": cpu_per_turn(c0, c1, len(done)),
                         # the bench's own CPU share of the wall time: near 1.0, this
                         # Python client (one thread) is what limits turns/s
                         "client_cpu_share": round(client_cpu / wall, 2) if wall > 0 else None}
    if pid and args.idle > 0:
        before = rss_kb(pid)
        held = await idle_sessions(port, tokens[0], args.idle)
        await asyncio.sleep(0.5)
        after = rss_kb(pid)
        res["idle"] = {"sessions_held": len(held), "rss_before_kb": before, "rss_after_kb": after,
                       "kb_per_session": round((after - before) / max(1, len(held)), 1)}
        for ws in held:
            ws.w.close()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    ap.add_argument("--products", type=int, default=100000)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--one-turns", type=int, default=200, help="turns of the one session")
    ap.add_argument("--turns", type=int, default=3, help="turns of each concurrent session")
    ap.add_argument("--idle", type=int, default=2000)
    ap.add_argument("--pid", type=int, help="voxcartd's pid (for its memory) with --port")
    ap.add_argument("--json")
    args = ap.parse_args()
    proc = None
    tmp = tempfile.mkdtemp(prefix="voxcart-buddy-bench-")
    try:
        if args.port:
            port = args.port
        else:
            t0 = time.time()
            proc, port = start_server(args.products, tmp)
            print("buddy bench: %d products imported, server up in %.1fs" % (args.products, time.time() - t0))
        res = asyncio.run(run(args, port, proc))
        res["products"] = args.products
        print(json.dumps(res, indent=2))
        if args.json:
            os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
            with open(args.json, "w") as f:
                json.dump(res, f, indent=2)
    finally:
        if proc:
            proc.terminate()
            proc.wait()
        subprocess.call(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
