#!/usr/bin/env python3
"""test_stress.py - everything at once, for race detection (issue 15).

For STRESS_SECONDS (default 20) several threads hit one voxcartd together: a seller
edits the catalog (new products, price and stock changes, deletes), shoppers search,
add to carts and check out, buddy sessions take typed turns over the WebSocket and
REST, spoken turns send Opus frames, and clients hang up in the middle of turns.
No answer may be a 5xx, the server must keep serving and exit cleanly, and its log
must hold no sanitizer report.  Run against the ThreadSanitizer build in CI:

    make SANITIZE=thread voxcartd && scripts/run-integration.sh test_stress.py
"""

import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from wsclient import WS, Closed, frame  # noqa: E402

C = lib.Checks("test_stress")
CATALOG = os.path.join(lib.ROOT, "tests", "fixtures", "test_catalog.csv")
SECONDS = float(os.environ.get("STRESS_SECONDS", "20"))
SILENCE = bytes([0xF8, 0xFF, 0xFE])
ADDR = {"name": "Ann Shopper", "line1": "1 Main St", "city": "Springfield",
        "postal_code": "12345", "country": "US"}
WORDS = ["bananas", "coffee", "milk", "organic", "dark roast", "tea", "apples", "bread"]
SAYS = ["do you have bananas", "add two organic bananas", "show my cart", "remove the bananas",
        "what is the cheapest coffee", "add a dark roast coffee", "how much is my cart",
        "clear my cart", "the second one", "check me out", "no", "thanks"]

lock = threading.Lock()
counts = {}
problems = []


def count(name, n=1):
    with lock:
        counts[name] = counts.get(name, 0) + n


def problem(what):
    with lock:
        if len(problems) < 20:
            problems.append(what)


def ok_status(name, st, body=None):
    count(name)
    if st is None or st >= 500:
        problem("%s -> %r %r" % (name, st, str(body)[:200]))


def until(deadline):
    return time.time() < deadline


def seller_loop(srv, tok, pids, deadline):
    rnd = random.Random(1)
    while until(deadline):
        r = rnd.random()
        if r < 0.3:
            st, _, b = srv.http("POST", "/api/v1/products", {
                "title": "Stress %s %d" % (rnd.choice(WORDS), rnd.randrange(10 ** 6)),
                "price_cents": rnd.randrange(1, 10000), "stock": rnd.randrange(0, 50),
                "category": "Misc"}, token=tok)
            ok_status("product create", st, b)
            if st == 201:
                with lock:
                    pids.append(b["id"])
        elif r < 0.9 and pids:
            pid = rnd.choice(pids)
            st, _, b = srv.http("PATCH", "/api/v1/products/%d" % pid,
                                {"price_cents": rnd.randrange(1, 10000),
                                 "stock": rnd.randrange(0, 50)}, token=tok)
            ok_status("product edit", st, b)
        elif pids:
            pid = rnd.choice(pids)
            st, _, b = srv.http("DELETE", "/api/v1/products/%d" % pid, token=tok)
            ok_status("product delete", st, b)


def search_loop(srv, deadline, seed):
    rnd = random.Random(seed)
    while until(deadline):
        q = rnd.choice(WORDS).replace(" ", "%20")
        st, _, b = srv.http("GET", "/api/v1/products?q=%s&limit=%d" % (q, rnd.randrange(1, 50)))
        ok_status("search", st, b)


def shopper_loop(srv, tok, pids, deadline, seed):
    rnd = random.Random(seed)
    while until(deadline):
        with lock:
            pid = rnd.choice(pids) if pids else None
        if pid is None:
            time.sleep(0.05)
            continue
        st, _, b = srv.http("POST", "/api/v1/cart/items", {"product_id": pid, "quantity": 1},
                            token=tok)
        ok_status("cart add", st, b)
        if rnd.random() < 0.4:
            st, _, b = srv.http("POST", "/api/v1/orders", {}, token=tok,
                                headers={"Idempotency-Key": "k%d" % rnd.randrange(10 ** 9)})
            ok_status("checkout", st, b)
        if rnd.random() < 0.2:
            st, _, b = srv.http("DELETE", "/api/v1/cart", token=tok)
            ok_status("cart clear", st, b)


def buddy_loop(srv, tok, deadline, seed):
    """Typed turns over the WebSocket; now and then a spoken one, a cancel, or a
    hang-up in the middle of a reply."""
    rnd = random.Random(seed)
    while until(deadline):
        try:
            ws = WS(srv.port, timeout=30)
            ws.send_json({"type": "hello", "token": tok, "client": "stress/1",
                          "speech": rnd.random() < 0.3})
            ready = ws.recv(timeout=30)[1]
            if ready.get("type") != "ready":
                problem("hello: %r" % ready)
                ws.sock.close()
                continue
            count("ws session")
            turn = 0
            for _ in range(rnd.randrange(1, 6)):
                if not until(deadline):
                    break
                turn += 1
                r = rnd.random()
                if r < 0.2:
                    ws.send_json({"type": "audio.start", "turn": turn})
                    for seq in range(rnd.randrange(5, 40)):
                        ws.send_binary(frame(1, 0, turn, seq, SILENCE))
                    ws.send_json({"type": "audio.stop", "turn": turn})
                    count("spoken turn")
                else:
                    ws.send_json({"type": "say", "turn": turn, "text": rnd.choice(SAYS)})
                    count("typed turn")
                if r > 0.9:
                    ws.sock.close()  # hang up mid-turn
                    count("hang-up mid-turn")
                    break
                if r > 0.8:
                    ws.send_json({"type": "cancel", "turn": turn})
                ev = ws.events_until(lambda k, m: k == "text" and m.get("type") in
                                     ("reply.done", "error") and m.get("turn") == turn,
                                     timeout=60)
                last = ev[-1][1]
                if last.get("type") == "error" and last.get("code") in ("internal",):
                    problem("turn error %r" % last)
            else:
                ws.close()
        except Closed as e:
            if e.code not in (1000, 1001, 1006, 4001, 4008, 4029):
                problem("ws closed %s" % e.code)
        except (OSError, TimeoutError) as e:
            problem("ws: %r" % e)
        if rnd.random() < 0.5:
            st, _, b = srv.http("POST", "/api/v1/buddy/messages", {"text": rnd.choice(SAYS)},
                                token=tok, timeout=60)
            ok_status("REST buddy turn", st, b)


def main():
    config = lib.DEFAULT_CONFIG + "log_level = warn\n"
    with lib.Server(config=config, args=["--import-catalog", CATALOG], keep=True) as srv:
        seller = srv.register("stress-seller@test.io", role="seller")["access_token"]
        shoppers = []
        for i in range(4):
            tok = srv.register("stress%d@test.io" % i)["access_token"]
            srv.http("PATCH", "/api/v1/me", {"shipping_address": ADDR}, token=tok)
            srv.http("POST", "/api/v1/payment-methods", {
                "card_number": "4242424242424242", "exp_month": 12,
                "exp_year": time.gmtime().tm_year + 3, "cvc": "123"}, token=tok)
            shoppers.append(tok)
        pids = [srv.create_product(seller, title="Stress base %d" % i, stock=1000)["id"]
                for i in range(5)]
        deadline = time.time() + SECONDS
        threads = [threading.Thread(target=seller_loop, args=(srv, seller, pids, deadline))]
        threads += [threading.Thread(target=search_loop, args=(srv, deadline, i)) for i in range(2)]
        threads += [threading.Thread(target=shopper_loop, args=(srv, shoppers[i], pids, deadline, i))
                    for i in range(2)]
        threads += [threading.Thread(target=buddy_loop, args=(srv, shoppers[2 + i], deadline, 10 + i))
                    for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=SECONDS + 120)
        C.check("every load thread finished", not any(t.is_alive() for t in threads))
        print("stress: %s" % ", ".join("%s %d" % kv for kv in sorted(counts.items())))
        C.check("no 5xx, no failed session", not problems, problems)
        C.check("the work was done", counts.get("search", 0) > 0 and counts.get("typed turn", 0) > 0
                and counts.get("checkout", 0) > 0 and counts.get("product edit", 0) > 0, counts)
        st = srv.http("GET", "/health", timeout=30)[0]
        C.check("still serving", st == 200 and srv.alive(), srv.log_tail(20))
        status = srv.stop(timeout=60)
        with open(srv.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        reports = [l for l in log.splitlines() if "WARNING: ThreadSanitizer" in l or
                   "runtime error" in l or "ERROR: AddressSanitizer" in l or
                   "ERROR: LeakSanitizer" in l]
        C.check("no sanitizer report in the server log (%d)" % len(reports), not reports,
                "\n".join(reports[:5]) + "\nlog: " + srv.log_path)
        C.eq("clean shutdown", status, 0)
        if status == 0 and not reports:
            import shutil
            shutil.rmtree(srv.dir, ignore_errors=True)
    C.finish()


if __name__ == "__main__":
    main()
