#!/usr/bin/env python3
"""soak.py - an hour (or --seconds) of mixed load against one voxcartd (make soak).

Paced load at a rate the machine holds (--rate requests per second in all, spread
over worker threads): catalog searches and product pages, logins, cart changes and
checkouts, seller edits, buddy turns over REST and the WebSocket (typed, and now and
then spoken), clients hanging up mid-turn, and hostile WebSocket clients (garbage and
unmasked frames, oversized messages, bad audio frames, hello with audio in one write
then a hang-up, sockets that never say hello, pings never read).  Every --sample
seconds the server's RSS and open file descriptors are read from /proc.  At the end:
RSS and fds over time, errors (any 5xx, refused connection, timeout or unexpected
answer; what a hostile client gets is not an error, only the server failing to answer
the next normal request is), and latency percentiles per kind of request.  Exits 1 on
any error, when RSS grew more than 10% over the second half of the run (the first
half is warm-up: caches, the database's pages), or when fds grew by more than 20.

    python3 tests/soak/soak.py --seconds 3600            (make soak SOAK_TIME=3600)
    VOXCARTD=/path/to/asan/voxcartd nice -n 10 python3 tests/soak/soak.py --seconds 1800
"""

import argparse
import json
import os
import random
import socket
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import lib  # noqa: E402
from wsclient import WS, Closed, frame  # noqa: E402

CATALOG = os.path.join(lib.ROOT, "tests", "fixtures", "test_catalog.csv")
ADDR = {"name": "Ann Shopper", "line1": "1 Main St", "city": "Springfield",
        "postal_code": "12345", "country": "US"}
WORDS = ["bananas", "coffee", "milk", "organic", "dark roast", "tea", "apples", "bread",
         "yogurt", "cheese"]
SAYS = ["do you have bananas", "add two organic bananas", "show my cart", "remove the bananas",
        "what is the cheapest coffee", "add a dark roast coffee", "how much is my cart",
        "clear my cart", "the second one", "thanks"]
SILENCE = bytes([0xF8, 0xFF, 0xFE])


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.lat = {}
        self.errors = []
        self.nerrors = 0

    def ok(self, kind, secs):
        with self.lock:
            self.lat.setdefault(kind, []).append(secs)

    def error(self, kind, what):
        with self.lock:
            self.nerrors += 1
            if len(self.errors) < 30:
                self.errors.append("%s %s: %s" % (time.strftime("%H:%M:%S"), kind, what))


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]


def fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def timed(stats, kind, fn, want=None):
    t0 = time.time()
    try:
        st, _, body = fn()
    except OSError as e:
        stats.error(kind, repr(e))
        return None
    dt = time.time() - t0
    if st is None or st >= 500 or (want is not None and st not in want):
        stats.error(kind, "status %r %r" % (st, str(body)[:150]))
        return None
    stats.ok(kind, dt)
    return body


def rest_op(srv, rnd, stats, ctx):
    r = rnd.random()
    tok = rnd.choice(ctx["shoppers"])
    if r < 0.35:
        q = rnd.choice(WORDS).replace(" ", "%20")
        timed(stats, "search", lambda: srv.http("GET", "/api/v1/products?q=%s&limit=10" % q), {200})
    elif r < 0.50:
        pid = rnd.choice(ctx["pids"])
        timed(stats, "product", lambda: srv.http("GET", "/api/v1/products/%d" % pid), {200, 404})
    elif r < 0.65:
        pid = rnd.choice(ctx["pids"])
        timed(stats, "cart add", lambda: srv.http("POST", "/api/v1/cart/items",
                                                  {"product_id": pid, "quantity": 1}, token=tok),
              {200, 201, 404, 409})
    elif r < 0.72:
        timed(stats, "checkout", lambda: srv.http(
            "POST", "/api/v1/orders", {}, token=tok,
            headers={"Idempotency-Key": "soak-%d" % rnd.randrange(10 ** 12)}), {201, 402, 409, 422})
    elif r < 0.77:
        timed(stats, "cart", lambda: srv.http("GET", "/api/v1/cart", token=tok), {200})
    elif r < 0.80:
        timed(stats, "orders", lambda: srv.http("GET", "/api/v1/orders?limit=5", token=tok), {200})
    elif r < 0.83:
        email = rnd.choice(ctx["emails"])
        timed(stats, "login", lambda: srv.http("POST", "/api/v1/auth/login",
                                               {"email": email, "password": "password123"}), {200})
    elif r < 0.88:
        pid = rnd.choice(ctx["own"])
        timed(stats, "seller edit", lambda: srv.http(
            "PATCH", "/api/v1/products/%d" % pid,
            {"price_cents": rnd.randrange(100, 5000), "stock": 1000}, token=ctx["seller"]),
            {200, 404})
    else:
        timed(stats, "buddy REST", lambda: srv.http("POST", "/api/v1/buddy/messages",
                                                    {"text": rnd.choice(SAYS)}, token=tok,
                                                    timeout=60), {200})


def ws_op(srv, rnd, stats, ctx):
    tok = rnd.choice(ctx["shoppers"])
    t0 = time.time()
    try:
        ws = WS(srv.port, timeout=30)
        ws.send_json({"type": "hello", "token": tok, "client": "soak/1",
                      "speech": rnd.random() < 0.3})
        ready = ws.recv(timeout=30)[1]
        if ready.get("type") != "ready":
            stats.error("ws hello", ready)
            ws.sock.close()
            return
        stats.ok("ws hello", time.time() - t0)
        for turn in range(1, rnd.randrange(2, 5)):
            t1 = time.time()
            spoken = rnd.random() < 0.15
            if spoken:
                ws.send_json({"type": "audio.start", "turn": turn})
                for seq in range(25):
                    ws.send_binary(frame(1, 0, turn, seq, SILENCE))
                ws.send_json({"type": "audio.stop", "turn": turn})
            else:
                ws.send_json({"type": "say", "turn": turn, "text": rnd.choice(SAYS)})
            if rnd.random() < 0.05:
                ws.sock.close()  # hang up mid-turn
                stats.ok("ws hang-up", 0.0)
                return
            ev = ws.events_until(lambda k, m: k == "text" and m.get("turn") == turn and
                                 m.get("type") in ("reply.done", "error"), timeout=60)
            last = ev[-1][1]
            if last.get("type") == "error":
                stats.error("ws turn", last)
            else:
                stats.ok("ws spoken turn" if spoken else "ws typed turn", time.time() - t1)
        ws.close()
    except (Closed, OSError, TimeoutError) as e:
        stats.error("ws", repr(e))


def raw_frame(opcode, payload, mask=True, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack(">H", n)
    else:
        head += bytes([m | 127]) + struct.pack(">Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def hostile_op(srv, rnd, stats, ctx):
    """One hostile or careless WebSocket client; the server may close it however it
    likes.  Counted as "hostile"; only an exception the server causes on the next
    normal request (timed by the caller) is an error."""
    tok = rnd.choice(ctx["shoppers"])
    hello = raw_frame(0x1, json.dumps({"type": "hello", "token": tok, "speech": False}).encode())
    kinds = ["garbage", "unmasked", "oversized", "bad audio", "hello+audio hang-up",
             "no hello", "ping no read", "bad json", "fragments"]
    kind = rnd.choice(kinds)
    t0 = time.time()
    try:
        ws = WS(srv.port, timeout=10)
    except OSError as e:
        stats.error("hostile connect", repr(e))
        return
    s = ws.sock
    try:
        if kind == "garbage":
            s.sendall(os.urandom(rnd.randrange(1, 4096)))
        elif kind == "unmasked":
            s.sendall(hello + raw_frame(0x1, b'{"type":"ping"}', mask=False))
        elif kind == "oversized":
            s.sendall(hello + raw_frame(0x1, b'{"type":"say","turn":1,"text":"' +
                                        b"a" * (300 * 1024) + b'"}'))
        elif kind == "bad audio":
            data = hello + raw_frame(0x1, b'{"type":"audio.start","turn":1}')
            for seq in range(rnd.randrange(1, 40)):
                junk = os.urandom(rnd.randrange(0, 200))
                data += raw_frame(0x2, frame(1, rnd.randrange(256), 1, rnd.choice([seq, 0, 2 ** 32 - 1]),
                                             junk) if rnd.random() < 0.8 else junk)
            s.sendall(data + raw_frame(0x1, b'{"type":"audio.stop","turn":1}'))
        elif kind == "hello+audio hang-up":
            data = hello + raw_frame(0x1, b'{"type":"audio.start","turn":1}')
            for seq in range(5):
                data += raw_frame(0x2, frame(1, 0, 1, seq, SILENCE))
            s.sendall(data)
        elif kind == "no hello":
            time.sleep(rnd.random() * 2)
        elif kind == "ping no read":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(hello + raw_frame(0x1, b'{"type":"ping"}') * rnd.randrange(100, 3000))
        elif kind == "bad json":
            s.sendall(hello + raw_frame(0x1, rnd.choice([
                b'{"type":"say","turn":1e308,"text":"x"}', b'{"type":"say","turn":-1}',
                b'{"type":"cancel","turn":"x"}', b'{"type":"say","turn":1,"text":"a\u0000b"}',
                b'[[[[[[[[[[[[[[[[[[[[', b'{"type":' + b'"x' * 500, b"\xff\xfe"])))
        elif kind == "fragments":
            s.sendall(hello + raw_frame(0x1, b'{"type":"sa', fin=False) +
                      raw_frame(0x0, b'y","turn":1,"text":"hi"}', mask=rnd.random() < 0.5))
        # Read a little of whatever comes back, then hang up.
        s.settimeout(0.5)
        try:
            s.recv(65536)
        except OSError:
            pass
    except OSError:
        pass  # the server closed it: fine
    finally:
        s.close()
    stats.ok("hostile " + kind, time.time() - t0)


def relogin(srv, ctx, deadline, every=300):
    """Access tokens live 15 minutes: log everyone in again now and then, as a client
    would refresh."""
    while time.time() + every < deadline:
        time.sleep(every)
        for i, email in enumerate(ctx["emails"]):
            st, _, b = srv.http("POST", "/api/v1/auth/login",
                                {"email": email, "password": "password123"})
            if st == 200:
                ctx["shoppers"][i] = b["access_token"]
        st, _, b = srv.http("POST", "/api/v1/auth/login",
                            {"email": "soak-seller@test.io", "password": "password123"})
        if st == 200:
            ctx["seller"] = b["access_token"]


def worker(srv, seed, rate, deadline, stats, ctx, hostile):
    rnd = random.Random(seed)
    gap = 1.0 / rate
    nxt = time.time()
    while time.time() < deadline:
        r = rnd.random()
        if r < 0.08:
            ws_op(srv, rnd, stats, ctx)
        elif r < 0.08 + hostile:
            hostile_op(srv, rnd, stats, ctx)
        else:
            rest_op(srv, rnd, stats, ctx)
        nxt += gap
        pause = nxt - time.time()
        if pause > 0:
            time.sleep(pause)
        elif pause < -5:
            nxt = time.time()  # fell behind: do not burst to catch up


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3600)
    ap.add_argument("--rate", type=float, default=40, help="requests per second in all")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--sample", type=float, default=10, help="seconds between RSS samples")
    ap.add_argument("--hostile", type=float, default=0.04,
                    help="share of operations that are hostile WebSocket clients")
    a = ap.parse_args()

    config = lib.DEFAULT_CONFIG + "log_level = warn\n"
    srv = lib.Server(config=config, args=["--import-catalog", CATALOG], keep=True).start()
    pid = srv.proc.pid
    stats = Stats()
    try:
        seller = srv.register("soak-seller@test.io", role="seller")["access_token"]
        ctx = {"seller": seller, "shoppers": [], "emails": []}
        for i in range(8):
            email = "soak%d@test.io" % i
            tok = srv.register(email)["access_token"]
            srv.http("PATCH", "/api/v1/me", {"shipping_address": ADDR}, token=tok)
            srv.http("POST", "/api/v1/payment-methods", {
                "card_number": "4242424242424242", "exp_month": 12,
                "exp_year": time.gmtime().tm_year + 3, "cvc": "123"}, token=tok)
            ctx["shoppers"].append(tok)
            ctx["emails"].append(email)
        ctx["pids"] = [srv.create_product(seller, title="Soak item %d" % i, stock=10 ** 6,
                                          price_cents=100 + i)["id"] for i in range(20)]
        ctx["own"] = list(ctx["pids"])
        st, _, page = srv.http("GET", "/api/v1/products?limit=100")
        ctx["pids"] += [p["id"] for p in page.get("items", [])]

        t_start = time.time()
        deadline = t_start + a.seconds
        threads = [threading.Thread(target=worker, args=(srv, i, a.rate / a.threads, deadline,
                                                         stats, ctx, a.hostile), daemon=True)
                   for i in range(a.threads)]
        threads.append(threading.Thread(target=relogin, args=(srv, ctx, deadline), daemon=True))
        for t in threads:
            t.start()
        samples = []
        while time.time() < deadline:
            kb = rss_kb(pid)
            el = time.time() - t_start
            with stats.lock:
                done = sum(len(v) for v in stats.lat.values())
                errs = stats.nerrors
            nfd = fds(pid)
            samples.append((el, kb, nfd))
            print("t=%6.0fs rss=%7.1f MB fds=%s requests=%d errors=%d" % (el, (kb or 0) / 1024.0, nfd,
                                                                          done, errs))
            sys.stdout.flush()
            if not srv.alive():
                stats.error("server", "died; log:\n" + srv.log_tail(20))
                break
            time.sleep(min(a.sample, max(0.0, deadline - time.time())))
        for t in threads:
            t.join(timeout=120)
        # Let hang-ups and closes settle before the last fd count.
        time.sleep(3)
        samples.append((time.time() - t_start, rss_kb(pid), fds(pid)))
    finally:
        status = srv.stop(timeout=60)

    elapsed = samples[-1][0] if samples else 0
    total = sum(len(v) for v in stats.lat.values())
    print("\n== soak: %.0f s, %d requests (%.1f/s), %d errors, exit status %r" %
          (elapsed, total, total / max(elapsed, 1), stats.nerrors, status))
    print("\nRSS (MB) and open fds over time:")
    step = max(1, len(samples) // 12)
    for el, kb, nfd in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
        print("  t=%6.0fs  %7.1f  %5s" % (el, (kb or 0) / 1024.0, nfd))
    half = [kb for el, kb, _ in samples if kb and el >= elapsed / 2]
    fdl = [n for _, _, n in samples if n is not None]
    fd_growth = fdl[-1] - fdl[0] if len(fdl) >= 2 else 0
    print("fds: first %s, last %s, max %s" % (fdl[0] if fdl else "?", fdl[-1] if fdl else "?",
                                             max(fdl) if fdl else "?"))
    growth = (half[-1] - half[0]) / half[0] * 100 if len(half) >= 2 else 0.0
    print("second half: %.1f -> %.1f MB (%+.1f%%)" % (half[0] / 1024.0 if half else 0,
                                                     half[-1] / 1024.0 if half else 0, growth))
    print("\nlatency (ms)                    count     p50     p90     p99     max")
    everything = []
    for kind in sorted(stats.lat):
        xs = stats.lat[kind]
        everything += xs
        print("  %-28s %6d %7.1f %7.1f %7.1f %7.1f" % (kind, len(xs), pct(xs, 50) * 1e3,
                                                      pct(xs, 90) * 1e3, pct(xs, 99) * 1e3,
                                                      max(xs) * 1e3))
    print("  %-28s %6d %7.1f %7.1f %7.1f %7.1f" % ("all", len(everything), pct(everything, 50) * 1e3,
                                                  pct(everything, 90) * 1e3,
                                                  pct(everything, 99) * 1e3,
                                                  max(everything or [0]) * 1e3))
    if stats.errors:
        print("\nerrors (first %d of %d):" % (len(stats.errors), stats.nerrors))
        for e in stats.errors:
            print("  " + e)
    try:
        with open(srv.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
    except OSError:
        log = ""
    sanitizer = [l for l in log.splitlines() if "runtime error" in l or "Sanitizer" in l]
    if sanitizer:
        print("\nsanitizer reports in the server log (%s):" % srv.log_path)
        for l in sanitizer[:10]:
            print("  " + l)
    bad = stats.nerrors > 0 or status != 0 or growth > 10.0 or fd_growth > 20 or sanitizer
    print("server log: %s" % srv.log_path)
    print("\nsoak: %s" % ("FAILED" if bad else "ok"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
