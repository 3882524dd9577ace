#!/usr/bin/env python3
"""test_memory.py - memory that must not grow with use (issue 15, found by make soak).

Every catalog change makes the next spoken turn load the new language model into its
pooled decoder; the model it replaced used to stay loaded (~2 MB a change: 27 MB ->
1.2 GB in an 11-minute soak).  Here: catalog edits each followed by a spoken turn;
the server's RSS after the warm-up must stay flat.  Linux only (/proc).
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from wsclient import WS, frame  # noqa: E402

C = lib.Checks("test_memory")
CATALOG = os.path.join(lib.ROOT, "tests", "fixtures", "test_catalog.csv")
SILENCE = bytes([0xF8, 0xFF, 0xFE])
ROUNDS = int(os.environ.get("MEMORY_ROUNDS", "60"))


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def spoken_turn(srv, tok):
    ws = WS(srv.port, timeout=30)
    ws.send_json({"type": "hello", "token": tok, "speech": False})
    ws.recv()
    ws.send_json({"type": "audio.start", "turn": 1})
    for seq in range(25):
        ws.send_binary(frame(1, 0, 1, seq, SILENCE))
    ws.send_json({"type": "audio.stop", "turn": 1})
    ws.events_until(lambda k, m: k == "text" and m.get("type") in ("reply.done", "error"))
    ws.close()


def main():
    if not os.path.exists("/proc/self/status"):
        print("test_memory: no /proc; skipped\n0 passed, 0 failed")
        return
    with lib.Server(args=["--import-catalog", CATALOG]) as srv:
        tok = srv.register("mem@test.io")["access_token"]
        seller = srv.register("mem-seller@test.io", role="seller")["access_token"]
        pid = srv.create_product(seller, title="Memory thing", stock=10)["id"]
        with open("/proc/%d/maps" % srv.proc.pid) as f:
            maps = f.read()
        if "libasan" in maps or "libtsan" in maps:
            # a sanitizer's allocator holds freed memory back (quarantine): RSS says nothing
            print("test_memory: sanitizer build, RSS not measured")
            C.eq("clean shutdown", srv.stop(), 0)
            C.finish()
        samples = []
        for i in range(ROUNDS):
            srv.http("PATCH", "/api/v1/products/%d" % pid, {"price_cents": 100 + i}, token=seller)
            spoken_turn(srv, tok)
            samples.append(rss_mb(srv.proc.pid))
        warm = samples[ROUNDS // 3]
        peak = max(samples[ROUNDS // 3:])
        print("RSS after warm-up %.1f MB, peak after %.1f MB, last %.1f MB (%d rounds)" %
              (warm, peak, samples[-1], ROUNDS))
        C.check("RSS flat through catalog changes and spoken turns (grew %.1f MB)" % (peak - warm),
                peak - warm < 30, samples)
        C.eq("clean shutdown", srv.stop(), 0)
    C.finish()


if __name__ == "__main__":
    main()
