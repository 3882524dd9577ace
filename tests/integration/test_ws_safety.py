#!/usr/bin/env python3
"""The buddy WebSocket against careless and hostile clients (issue 15): sockets that
hang up mid-recording, messages sent together with hello, clients that never read or
never say hello, floods, and sessions that outlive their login.  Each check first
does the thing, then asks whether the server is still alive and still answering."""

import json
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from wsclient import WS, Closed, frame  # noqa: E402

CATALOG = os.path.join(lib.ROOT, "tests", "fixtures", "test_catalog.csv")
CONFIG = "[auth]\nhash_cost = min\n[server]\nrate_limit = 0\n"


def masked(opcode, payload):
    """One client frame (masked, final)."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def jframe(obj):
    return masked(0x1, json.dumps(obj).encode())


def healthy(srv):
    if not srv.alive():
        return False
    try:
        st, _, _ = srv.http("GET", "/health", timeout=10)
        return st == 200
    except OSError:
        return False


def opus_silence_packets(n):
    """n Opus packets of 20 ms silence at 16 kHz, made by opusenc-free means: the
    TOC byte of a CELT-only 20 ms frame with no data is a valid (silent) packet."""
    return [bytes([0xF8, 0xFF, 0xFE]) for _ in range(n)]


def main():
    c = lib.Checks("ws_safety")
    srv = lib.Server(config=CONFIG, args=["--import-catalog", CATALOG]).start()
    try:
        tok = srv.register("safe1@example.com")["access_token"]

        # 1. hello (any token) and audio.start in one write, then hang up.
        for i in range(5):
            ws = WS(srv.port)
            ws.sock.sendall(jframe({"type": "hello", "token": "not-a-token", "speech": False})
                            + jframe({"type": "audio.start", "turn": 1}))
            ws.sock.close()
        time.sleep(0.5)
        c.check("hello + audio.start then hang up (unauthenticated): server alive", healthy(srv),
                srv.log_tail())

        # 1b. a logged-in push-to-talk client that drops mid-recording.
        for i in range(3):
            ws = WS(srv.port)
            ws.send_json({"type": "hello", "token": tok, "speech": False})
            ws.recv()
            ws.send_json({"type": "audio.start", "turn": 1})
            for seq, p in enumerate(opus_silence_packets(20)):
                ws.send_binary(frame(1, 0, 1, seq, p))
            ws.sock.close()
        time.sleep(0.5)
        c.check("logged-in client drops mid-recording: server alive", healthy(srv),
                srv.log_tail())

        # 1c. the same with hello, audio and a hang-up in one write.
        for i in range(5):
            ws = WS(srv.port)
            data = jframe({"type": "hello", "token": tok, "speech": False}) + \
                jframe({"type": "audio.start", "turn": 1})
            for seq, p in enumerate(opus_silence_packets(5)):
                data += masked(0x2, frame(1, 0, 1, seq, p))
            ws.sock.sendall(data)
            ws.sock.close()
        time.sleep(0.5)
        c.check("hello + audio in one write then hang up: server alive", healthy(srv),
                srv.log_tail())

        # 5. a session lives as long as its login: a refresh keeps it, logout ends it.
        reg = srv.register("safe5@example.com")
        tok5, ref5 = reg["access_token"], reg["refresh_token"]
        ws = WS(srv.port)
        ws.send_json({"type": "hello", "token": tok5, "speech": False})
        c.eq("hello ok", ws.recv()[1].get("type"), "ready")
        st, _, fresh = srv.http("POST", "/api/v1/auth/refresh", {"refresh_token": ref5})
        c.eq("refresh", st, 200)
        ws.send_json({"type": "say", "turn": 1, "text": "add organic bananas"})
        ev = ws.events_until(lambda k, m: k == "text" and m.get("type") in ("reply.done", "error"))
        c.eq("after a refresh the session still acts", ev[-1][1].get("type"), "reply.done")
        st, _, cart = srv.http("GET", "/api/v1/cart", token=fresh["access_token"])
        n_before = len(cart.get("items", []))
        c.check("the turn added to the cart", n_before == 1, cart)
        st, _, _ = srv.http("POST", "/api/v1/auth/logout", token=fresh["access_token"])
        c.eq("logout", st, 204)
        st, _, _ = srv.http("GET", "/api/v1/me", token=tok5)
        c.eq("the login's first access token is refused too", st, 401)
        ws.send_json({"type": "say", "turn": 2, "text": "add a greek yogurt and check out"})
        got, closed = [], None
        try:
            while True:
                got.append(ws.recv(timeout=10)[1])
        except Closed as e:
            closed = e.code
        except (OSError, TimeoutError):
            pass
        c.check("after logout a turn is refused", any(m.get("type") == "error" and
                m.get("code") == "unauthorized" for m in got if isinstance(m, dict)), got)
        c.eq("after logout the socket is closed (4001)", closed, 4001)
        tok5b = srv.login("safe5@example.com")["access_token"]
        st, _, cart = srv.http("GET", "/api/v1/cart", token=tok5b)
        c.eq("after logout the cart is unchanged", len(cart.get("items", [])), n_before)
        st, _, orders = srv.http("GET", "/api/v1/orders", token=tok5b)
        c.eq("after logout no order was placed", len(orders.get("items", [])), 0)
    finally:
        st = srv.stop()
        c.check("server exits cleanly", st == 0, "exit status %r\n%s" % (st, srv.log_tail()))

    limits(c)
    lanes(c)
    return c.finish()


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def mem_bound_kb(pid):
    """How much a flood may grow the server: 50 MB, or 400 MB for a build with
    AddressSanitizer, whose quarantine keeps freed memory (up to 256 MB) resident."""
    try:
        with open("/proc/%d/maps" % pid) as f:
            asan = "libasan" in f.read()
    except OSError:
        asan = False
    return (400 if asan else 50) * 1024


def closed_by_server(sock, timeout=10):
    """True when the server ends the connection (close frame or EOF) within timeout;
    whatever else arrives is read and dropped."""
    sock.settimeout(timeout)
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            data = sock.recv(65536)
            if not data:
                return True
            if b"\x88" in data[:2] or data[:1] == b"\x88":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


def flood_without_reading(port, n, chunk=2000):
    """Sends n pings after hello without ever reading; returns the socket."""
    ws = WS(port)
    ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ping = jframe({"type": "ping"})
    sent = 0
    try:
        while sent < n:
            ws.sock.sendall(ping * chunk)
            sent += chunk
    except OSError:
        pass
    return ws, sent


def limits(c):
    # 3. pings from a client that never reads: closed by the message rate limit ...
    conf = CONFIG + "[buddy]\nhello_timeout = 1\nsessions_per_user = 2\n"
    srv = lib.Server(config=conf, args=["--import-catalog", CATALOG]).start()
    try:
        rss0 = rss_kb(srv.proc.pid)
        ws, sent = flood_without_reading(srv.port, 200000)
        c.check("ping flood: the server closes the socket", closed_by_server(ws.sock),
                "sent %d pings" % sent)
        ws.sock.close()
        grown = rss_kb(srv.proc.pid) - rss0
        c.check("ping flood: memory does not grow (< 50 MB; 400 under ASan)",
                grown < mem_bound_kb(srv.proc.pid), "%d KiB" % grown)
        c.check("ping flood: server healthy", healthy(srv), srv.log_tail())

        # ... but a recording sent faster than real time is not a flood.
        tokr = srv.register("burst@example.com")["access_token"]
        ws = WS(srv.port)
        ws.send_json({"type": "hello", "token": tokr, "speech": False})
        ws.recv()
        data = jframe({"type": "audio.start", "turn": 1})
        for seq, p in enumerate(opus_silence_packets(600)):
            data += masked(0x2, frame(1, 0, 1, seq, p))
        ws.sock.sendall(data + jframe({"type": "audio.stop", "turn": 1}))
        try:
            ev = ws.events_until(lambda k, m: k == "text" and m.get("type") == "reply.done")
            ok = True
        except (Closed, OSError, TimeoutError) as e:
            ok, ev = False, e
        c.check("600 audio frames in one write: the turn is answered, not closed", ok, ev)
        ws.close()

        # ... a socket that never says hello is closed after hello_timeout.
        idle = [WS(srv.port) for _ in range(20)]
        time.sleep(2.5)
        shut = sum(1 for w in idle if closed_by_server(w.sock, timeout=2))
        c.eq("20 sockets without hello closed after hello_timeout", shut, 20)
        for w in idle:
            w.sock.close()
        # ... hello in time keeps the socket open.
        tok = srv.register("limits@example.com")["access_token"]
        ws = WS(srv.port)
        ws.send_json({"type": "hello", "token": tok, "speech": False})
        c.eq("hello in time: ready", ws.recv()[1].get("type"), "ready")
        time.sleep(1.5)
        ws.send_json({"type": "ping"})
        c.eq("after hello the deadline is gone", ws.recv()[1].get("type"), "pong")
        # ... sessions per account are capped.
        ws2 = WS(srv.port)
        ws2.send_json({"type": "hello", "token": tok, "speech": False})
        c.eq("second session: ready", ws2.recv()[1].get("type"), "ready")
        ws3 = WS(srv.port)
        ws3.send_json({"type": "hello", "token": tok, "speech": False})
        got = ws3.recv()[1]
        c.eq("third session of one account refused", got.get("code"), "too_many_sessions")
        c.check("third session closed", closed_by_server(ws3.sock), got)
        ws2.close()
        # The server frees the place once it has handled the close: wait for that (a
        # fixed 0.3 s was not always enough on a loaded machine), not for a set time.
        opened = []

        def third_place():
            w = WS(srv.port)
            opened.append(w)
            w.send_json({"type": "hello", "token": tok, "speech": False})
            try:
                return w.recv()[1].get("type") == "ready"
            except (Closed, OSError):
                return False
        c.check("a closed session frees its place", lib.wait_until(third_place, 30, 0.1),
                "still too_many_sessions after 30 s")
        for w in [ws, ws3] + opened:
            w.sock.close()
    finally:
        st = srv.stop()
        c.check("limits server exits cleanly", st == 0, srv.log_tail())

    # ... and with the rate limit off, by the cap on what waits to be written.
    conf = CONFIG + "[buddy]\nmessage_rate = 0\nwrite_timeout = 2\n"
    srv = lib.Server(config=conf, args=["--import-catalog", CATALOG]).start()
    try:
        rss0 = rss_kb(srv.proc.pid)
        ws, sent = flood_without_reading(srv.port, 400000)
        # What must hold is the bound on memory and a healthy server; whether the socket
        # is already closed depends on how far lws got with a write the client never
        # reads (it usually is; under heavy load it can take longer than we wait).
        closed = closed_by_server(ws.sock, timeout=20)
        print("note: unlimited ping flood (%d sent): socket %s" %
              (sent, "closed by the server" if closed else "still open after 20 s"))
        ws.sock.close()
        grown = rss_kb(srv.proc.pid) - rss0
        c.check("unlimited ping flood: memory bounded (< 50 MB; 400 under ASan)",
                grown < mem_bound_kb(srv.proc.pid), "%d KiB" % grown)
        c.check("unlimited ping flood: server healthy", healthy(srv), srv.log_tail())
    finally:
        st = srv.stop()
        c.check("second limits server exits cleanly", st == 0, srv.log_tail())


def lanes(c):
    """4. Slow work has its own workers: REST answers while password hashing (real
    Argon2id cost) and buddy turns queue up."""
    import threading
    conf = "[server]\nrate_limit = 0\n"
    srv = lib.Server(config=conf, args=["--import-catalog", CATALOG]).start()
    try:
        srv.register("lanes@example.com")
        stop = threading.Event()

        def logins():
            while not stop.is_set():
                try:
                    srv.http("POST", "/api/v1/auth/login",
                             {"email": "lanes@example.com", "password": "password123"}, timeout=60)
                except OSError:
                    pass
        threads = [threading.Thread(target=logins, daemon=True) for _ in range(24)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        worst = 0.0
        for _ in range(20):
            t0 = time.time()
            st, _, _ = srv.http("GET", "/api/v1/categories", timeout=30)
            worst = max(worst, time.time() - t0)
            time.sleep(0.05)
        stop.set()
        c.check("REST answers while 24 clients log in at once (worst of 20 < 2.5 s; 7.4 s before)",
                worst < 2.5, "%.2f s" % worst)
        for t in threads:
            t.join(timeout=60)
    finally:
        st = srv.stop()
        c.check("lanes server exits cleanly", st == 0, srv.log_tail())


if __name__ == "__main__":
    sys.exit(main())
