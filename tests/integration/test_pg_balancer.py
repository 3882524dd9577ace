#!/usr/bin/env python3
"""test_pg_balancer.py - one shop on three voxcartd behind HAProxy, on one PostgreSQL
database (issue 12), as `make scale-demo` runs it: dist/haproxy/voxcart.cfg in front
(tests/integration/balancer.py), every request through the balancer.

  - shared data: a shopper registers and logs in on one process, fills the cart on
    another and checks out on a third (HAProxy's log says which process answered);
    a seller's price change and new product, made through the balancer, show on every
    process (product page, search, category + price list) within a second;
  - kill -9 of one process while eight shoppers keep checking out through the
    balancer, retrying what got no answer with the same Idempotency-Key: no
    acknowledged order is lost, no key is charged twice (each shopper's orders are
    exactly the ones acknowledged), every order is whole and paid, for every product
    initial stock = stock + units sold, and shopping goes on on the other two.

Always PostgreSQL (lib.pg_cluster: the run's, or one of its own); skipped, with a
message, when haproxy is not installed (`make deps` installs it).
"""
import http.client as httpclient
import random
import re
import threading
import time

import balancer
import lib

C = lib.Checks("pg_balancer")
CONF = lib.DEFAULT_CONFIG + "trusted_proxies = 127.0.0.1\n[orders]\npending_payment_seconds = 600\n"
ADDR = {"name": "Ann Shopper", "line1": "1 Main St", "city": "Springfield",
        "postal_code": "12345", "country": "US"}
VISA = "4242 4242 4242 4242"


def api(lb, method, path, body=None, token=None, headers=None):
    return lb.http(method, "/api/v1" + path, body, token=token, headers=headers)


def served_by(lb, method, path):
    """The processes HAProxy sent `method path` to so far, in order (its request log)."""
    pat = re.compile(r'voxcartd/(voxcartd\d+) .*"%s %s[ ?]' % (method, re.escape(path)))
    return [m.group(1) for m in map(pat.search, lb.log_lines()) if m]


def within(what, cond, limit=1.0):
    t0 = time.time()
    while True:
        ok, got = cond()
        took = time.time() - t0
        if ok or took > 5:
            break
        time.sleep(0.02)
    C.check("%s (%.0f ms)" % (what, took * 1000), ok and took < limit, got)


def shared_data(lb):
    seller = api(lb, "POST", "/auth/register", {"email": "seller@example.com",
                                                "password": "password123", "name": "Sal",
                                                "role": "seller"})[2]["access_token"]
    st, _, kettle = api(lb, "POST", "/products", {"title": "Balanced Kettle", "price_cents": 2500,
                                                  "stock": 10, "category": "Kitchen"},
                        token=seller)
    C.eq("a product made through the balancer", st, 201)
    pid = kettle["id"]

    # Register and log in on one process, the cart on another, checkout on a third.
    st, _, _ = api(lb, "POST", "/auth/register", {"email": "ann@example.com",
                                                  "password": "password123", "name": "Ann"})
    C.eq("register", st, 201)
    st, _, login = api(lb, "POST", "/auth/login", {"email": "ann@example.com",
                                                   "password": "password123"})
    C.eq("login", st, 200)
    tok = login["access_token"]
    # Round robin: login on process x, the cart on x+1, the order on x+2.
    st, _, _ = api(lb, "POST", "/cart/items", {"product_id": pid, "quantity": 2}, token=tok)
    C.check("cart add", st in (200, 201), st)
    st, _, _ = api(lb, "PATCH", "/me", {"shipping_address": ADDR}, token=tok)
    C.eq("address", st, 200)
    st, _, card = api(lb, "POST", "/payment-methods", {"card_number": VISA, "exp_month": 12,
                                                      "exp_year": 2040, "cvc": "123"}, token=tok)
    C.eq("card", st, 201)
    st, _, cart = api(lb, "GET", "/cart", token=tok)
    C.check("the cart, read back", st == 200 and [(i["product_id"], i["quantity"])
                                                  for i in cart["items"]] == [(pid, 2)], cart)
    st, _, order = api(lb, "POST", "/orders", {"payment_method_id": card["id"]}, token=tok,
                       headers={"Idempotency-Key": "ann-1"})
    C.check("checkout: paid", st == 201 and order.get("status") == "paid", (st, order))
    st, _, got = api(lb, "GET", "/orders/%d" % order.get("id", 0), token=tok)
    C.check("the order, read back", st == 200 and got.get("total_cents") == 5000, got)
    hops = {"login": served_by(lb, "POST", "/api/v1/auth/login"),
            "cart": served_by(lb, "POST", "/api/v1/cart/items"),
            "checkout": served_by(lb, "POST", "/api/v1/orders")}
    C.check("login, cart and checkout were answered by three different processes",
            all(len(v) == 1 for v in hops.values()) and
            len({v[0] for v in hops.values()}) == 3, hops)

    # A catalog change through the balancer shows on every process within a second.
    for _ in range(3):  # each process keeps the page, the search and the list in memory
        api(lb, "GET", "/products/%d" % pid)
        api(lb, "GET", "/products?q=kettle")
        api(lb, "GET", "/products?category=Kitchen&max_price=3000")
    st, _, _ = api(lb, "PATCH", "/products/%d" % pid, {"price_cents": 3100}, token=seller)
    C.eq("a new price through the balancer", st, 200)
    st, _, lamp = api(lb, "POST", "/products", {"title": "Balanced Lamp", "price_cents": 900,
                                                "stock": 3, "category": "Kitchen"}, token=seller)
    C.eq("a new product through the balancer", st, 201)

    def everywhere():
        # three requests in a row: round robin asks each process once
        pages = [api(lb, "GET", "/products/%d" % pid)[2] for _ in range(3)]
        found = [api(lb, "GET", "/products?q=balanced+lamp")[2] for _ in range(3)]
        lists = [api(lb, "GET", "/products?category=Kitchen&max_price=3000")[2] for _ in range(3)]
        ok = (all(p.get("price_cents") == 3100 for p in pages) and
              all(f.get("total") == 1 for f in found) and
              all([i["id"] for i in x.get("items", [])] == [lamp["id"]] for x in lists))
        return ok, (pages, found, lists)

    within("price and new product seen by every process (page, search, category + price)",
           everywhere)
    C.check("those reads were spread over the three processes",
            len(set(served_by(lb, "GET", "/api/v1/products/%d" % pid))) == 3,
            served_by(lb, "GET", "/api/v1/products/%d" % pid))
    return seller


def kill_one(lb, servers, seller):
    initial = {}
    for k in range(3):
        st, _, p = api(lb, "POST", "/products", {"title": "Crash item %d" % k, "stock": 400,
                                                 "price_cents": 100 + k, "category": "Crash"},
                       token=seller)
        initial[p["id"]] = 400
    pids = list(initial)
    shoppers = []
    for i in range(8):
        tok = api(lb, "POST", "/auth/register", {"email": "s%d@example.com" % i,
                                                 "password": "password123",
                                                 "name": "S"})[2]["access_token"]
        api(lb, "PATCH", "/me", {"shipping_address": ADDR}, token=tok)
        c = api(lb, "POST", "/payment-methods", {"card_number": VISA, "exp_month": 12,
                                                 "exp_year": 2040, "cvc": "123"},
                token=tok)[2]["id"]
        shoppers.append((i, tok, c))
    acked = {i: {} for i, _, _ in shoppers}  # shopper -> {order id: key}
    unanswered = []  # keys given up on (none expected)
    failures = []
    lock = threading.Lock()
    stop = threading.Event()
    killed = threading.Event()
    after_kill = [0]

    def call(method, path, body, tok, key=None):
        """Retries what got no answer (or the balancer's 502/503/504): a client's way."""
        for attempt in range(40):
            try:
                h = {"Idempotency-Key": key} if key else None
                st, _, b = api(lb, method, path, body, token=tok, headers=h)
                if st not in (502, 503, 504):
                    return st, b
            except (OSError, httpclient.HTTPException):
                pass
            time.sleep(0.05 * min(attempt + 1, 10))  # back off before retrying
        return None, None

    def stream(i, tok, c):
        rnd = random.Random(i)
        n = 0
        while not stop.is_set():
            want = {pid: rnd.randint(1, 3) for pid in rnd.sample(pids, rnd.randint(1, 3))}
            for pid, q in want.items():  # PUT sets the quantity: safe to repeat
                st, b = call("PUT", "/cart/items/%d" % pid, {"quantity": q}, tok)
                if st not in (200, 201):
                    with lock:
                        failures.append(("cart", st, b))
            n += 1
            key = "s%d-order-%d" % (i, n)
            st, o = call("POST", "/orders", {"payment_method_id": c}, tok, key)
            with lock:
                if st == 201:
                    acked[i][o["id"]] = key
                    if killed.is_set():
                        after_kill[0] += 1
                elif st is None:
                    unanswered.append(key)
                else:
                    failures.append(("order", st, o))

    ts = [threading.Thread(target=stream, args=s) for s in shoppers]
    for t in ts:
        t.start()

    def count():
        with lock:
            return sum(len(v) for v in acked.values())

    deadline = time.time() + 60
    while count() < 12 and time.time() < deadline:
        time.sleep(0.05)
    victim = servers[1]
    victim.proc.kill()  # SIGKILL, mid-stream
    victim.proc.wait()
    killed.set()
    C.check("orders were flowing when a process was killed", count() >= 12, count())
    deadline = time.time() + 60
    while after_kill[0] < 16 and time.time() < deadline:
        time.sleep(0.05)
    stop.set()
    for t in ts:
        t.join(timeout=120)
    C.check("shoppers kept checking out through the balancer after the kill",
            after_kill[0] >= 16, after_kill[0])
    C.check("every checkout got an answer (retried with its key)", not unanswered, unanswered)
    C.check("no request failed otherwise", not failures, failures[:5])

    seen = {}
    lost, extra = [], []
    for i, tok, _c in shoppers:
        mine = {}
        offset = 0
        while True:
            st, page = call("GET", "/orders?limit=100&offset=%d" % offset, None, tok)
            if st != 200:
                break
            for o in page["items"]:
                mine[o["id"]] = o
            offset += 100
            if offset >= page["total"]:
                break
        seen.update(mine)
        lost += [oid for oid in acked[i] if oid not in mine]
        extra += [oid for oid in mine if oid not in acked[i]]
    C.check("no acknowledged order lost (%d orders)" % len(seen), not lost and seen, lost[:5])
    C.check("no key charged twice: each shopper's orders are exactly those acknowledged",
            not extra, extra[:5])
    whole = [o["id"] for o in seen.values() if not (
        o["items"] and o["status"] == "paid" and
        o["subtotal_cents"] == sum(i["unit_price_cents"] * i["quantity"] for i in o["items"]) and
        o["payment"] is not None and o["payment"]["amount_cents"] == o["total_cents"])]
    C.check("every order is whole and paid once", not whole, whole[:5])
    sold = {pid: 0 for pid in pids}
    for o in seen.values():
        for i in o["items"]:
            sold[i["product_id"]] += i["quantity"]
    stock = {pid: call("GET", "/products/%d" % pid, None, None)[1]["stock"] for pid in pids}
    C.check("for every product: initial stock == stock + units sold",
            all(initial[pid] == stock[pid] + sold[pid] for pid in pids),
            [(pid, initial[pid], stock[pid], sold[pid]) for pid in pids])


def main():
    if not balancer.available():
        print("test_pg_balancer: SKIPPED: haproxy is not installed (make deps installs it)")
        C.finish()
    try:
        url = lib.pg_database()
    except Exception as e:  # no PostgreSQL here: say so, fail
        C.check("a PostgreSQL cluster for the test (make deps)", False, str(e))
        C.finish()
    servers = [lib.Server(config=CONF, db=url, name="vx%d" % i) for i in range(3)]
    lb = None
    try:
        for s in servers:
            s.start()
        lb = balancer.Haproxy([s.port for s in servers], log_requests=True).start()
        C.run("shared data through the balancer", lambda: shared_data(lb))
        seller = api(lb, "POST", "/auth/login", {"email": "seller@example.com",
                                                 "password": "password123"})[2]["access_token"]
        C.run("kill -9 of one process behind the balancer", lambda: kill_one(lb, servers, seller))
    finally:
        if C.failed:
            for s in servers:
                print("--- %s:\n%s" % (s.name, open(s.log_path, errors="replace").read()[-3000:]))
        if lb:
            lb.stop()
        for s in servers:
            s.stop()
    C.finish()


if __name__ == "__main__":
    main()
