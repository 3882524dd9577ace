#!/usr/bin/env python3
"""Commerce benchmark against a real voxcartd: checkouts per second and their p50/p99
with N concurrent shoppers (each: add to cart, then POST /orders charging the sandbox
card), and requests per second of cart add and cart show.

  commerce_bench.py --port P [--shoppers 32] [--seconds 10] [--json OUT]

Every shopper has its own keep-alive connection.  Python threads drive the load, so
the figures include the client's own overhead; they are a floor for the server."""

import argparse
import http.client
import json
import os
import threading
import time


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))], 2)


class Client:
    def __init__(self, port, token=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = token

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        self.conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, (json.loads(data) if data else None)


def setup(port, n):
    # Accounts of this run's own (a database may already hold an earlier run's).
    tag = "%d-%d" % (os.getpid(), int(time.time()))
    c = Client(port)
    st, seller = c.call("POST", "/api/v1/auth/register", {"email": "bench-seller-%s@example.com" % tag,
                        "password": "password123", "name": "Bench Seller", "role": "seller"})
    c.token = seller["access_token"]
    st, p = c.call("POST", "/api/v1/products", {"title": "Bench Coffee Beans", "price_cents": 1299,
                   "stock": 1000000, "category": "Coffee & Tea"})
    product = p["id"]
    tokens = []
    for i in range(n):
        st, u = c.call("POST", "/api/v1/auth/register", {"email": "shopper%d-%s@bench.example" % (i, tag),
                       "password": "password123", "name": "Shopper %d" % i})
        s = Client(port, u["access_token"])
        s.call("PATCH", "/api/v1/me", {"shipping_address": {"name": "S", "line1": "1 Road",
               "city": "Town", "postal_code": "1", "country": "US"}})
        st, card = s.call("POST", "/api/v1/payment-methods", {"card_number": "4242424242424242",
                          "exp_month": 12, "exp_year": 2030, "cvc": "123"})
        tokens.append((u["access_token"], card["id"]))
    return product, tokens


def run_phase(port, tokens, seconds, work):
    lat, errors = {}, []
    stop = time.time() + seconds
    lock = threading.Lock()

    def worker(tok, card):
        c = Client(port, tok)
        mine = {}
        while time.time() < stop:
            for name, ms, ok in work(c, card):
                mine.setdefault(name, []).append(ms)
                if not ok:
                    errors.append(name)
        with lock:
            for k, v in mine.items():
                lat.setdefault(k, []).extend(v)

    threads = [threading.Thread(target=worker, args=t) for t in tokens]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - t0
    out = {}
    for k, v in lat.items():
        out[k] = {"count": len(v), "per_s": round(len(v) / wall, 1), "p50_ms": pct(v, 50),
                  "p99_ms": pct(v, 99)}
    out["errors"] = len(errors)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--shoppers", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--json")
    a = ap.parse_args()
    product, tokens = setup(a.port, a.shoppers)

    def timed(c, name, method, path, body, want):
        t0 = time.perf_counter()
        st, _ = c.call(method, path, body)
        return name, (time.perf_counter() - t0) * 1000, st == want

    def checkout(c, card):
        return [timed(c, "cart_add", "POST", "/api/v1/cart/items", {"product_id": product, "quantity": 1}, 200),
                timed(c, "checkout", "POST", "/api/v1/orders", {"payment_method_id": card}, 201)]

    def cart_ops(c, card):
        return [timed(c, "cart_add", "POST", "/api/v1/cart/items", {"product_id": product, "quantity": 1}, 200),
                timed(c, "cart_show", "GET", "/api/v1/cart", None, 200),
                timed(c, "cart_set", "PUT", "/api/v1/cart/items/%d" % product, {"quantity": 1}, 200)]

    res = {"shoppers": a.shoppers, "seconds": a.seconds,
           "checkout_phase": run_phase(a.port, tokens, a.seconds, checkout),
           "cart_phase": run_phase(a.port, tokens, a.seconds, cart_ops)}
    print(json.dumps(res, indent=2))
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
