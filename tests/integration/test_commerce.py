#!/usr/bin/env python3
"""test_commerce.py - cart, cards, checkout, orders, seller endpoints of PROTOCOL.md.

Starts a real ./voxcartd (temp db, hash_cost = min, no rate limit, unpaid orders
expire after 3 s) and drives: the cart (merge, limits, stock, availability), saved
cards (Luhn, expiry, CVC, defaults, nothing of the number stored), checkout (every
error, decline changes nothing, paid and pending), pay, cancel and refund, expiry of
unpaid orders, Idempotency-Key (replay, concurrent duplicates, other paths, bad keys),
ownership (nobody sees another user's cart, cards or orders; sellers see only orders
with their items), seller orders/ship/stats; then no overselling (50 shoppers racing
for 10 units) and crash safety (kill -9 during a stream of checkouts, restart on the
same database, every order whole and stock accounted for).
Prints one line per check and `N passed, M failed` last; exits 1 on any failure.
"""

import http.client as httpclient
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

C = lib.Checks("test_commerce")
C.verbose = True  # one line per check
CONFIG = ("[auth]\nhash_cost = min\n[server]\nrate_limit = 0\n"
          "[orders]\npending_payment_seconds = 3\n")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ADDR = {"name": "Ann Shopper", "line1": "1 Main St", "city": "Springfield",
        "postal_code": "12345", "country": "US"}
VISA = "4242 4242 4242 4242"
DECLINE = "4000000000000002"
NOFUNDS = "4000-0000-0000-9995"
MC = "5555555555554444"
CARD_KEYS = {"id", "brand", "last4", "exp_month", "exp_year", "is_default"}
ORDER_KEYS = {"id", "user_id", "status", "items", "subtotal_cents", "total_cents", "currency",
              "shipping_address", "payment", "created_at", "updated_at"}
ITEM_KEYS = {"product_id", "seller_id", "title", "unit_price_cents", "quantity",
             "line_total_cents", "fulfillment"}
YEAR = time.gmtime().tm_year
MONTH = time.gmtime().tm_mon


class Daemon:
    """A voxcartd on a free port over a database that outlives it (for kill -9)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="voxcart-commerce-")
        self.db = lib.pg_database() if lib.ON_POSTGRES else os.path.join(self.dir, "v.db")
        self.conf = os.path.join(self.dir, "test.conf")
        self.log = os.path.join(self.dir, "server.log")
        with open(self.conf, "w") as f:
            f.write(CONFIG)
        self.proc = None
        self.port = None

    def start(self):
        if not os.access(lib.VOXCARTD, os.X_OK):
            raise RuntimeError("%s is missing: run `make voxcartd` first" % lib.VOXCARTD)
        for _ in range(3):
            self.port = lib.free_port()
            with open(self.log, "ab") as logf:
                self.proc = subprocess.Popen(
                    [lib.VOXCARTD, "--listen", "127.0.0.1", "--port", str(self.port),
                     "--db", self.db, "--config", self.conf],
                    stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            deadline = time.time() + 15
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    if lib.request(self.port, "GET", "/health", timeout=2)[0] == 200:
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        raise RuntimeError("voxcartd did not come up:\n" + self.log_text()[-3000:])

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "hung"
        return self.proc.returncode if self.proc else None

    def log_text(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def http(self, method, path, body=None, token=None, headers=None, raw=None, timeout=30):
        return lib.request(self.port, method, "/api/v1" + path, body, token, headers, raw,
                           timeout=timeout)

    def raw_post(self, path, body, token, key):
        """POST returning (status, raw body bytes), to compare replays byte for byte."""
        conn = httpclient.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            data = json.dumps(body).encode()
            conn.request("POST", "/api/v1" + path, data,
                         {"Authorization": "Bearer " + token, "Idempotency-Key": key,
                          "Content-Type": "application/json"})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()


D = None
_n = [0]


def user(role=None, address=False):
    """Registers an account; returns (token, id)."""
    _n[0] += 1
    body = {"email": "u%d-%d@test.io" % (_n[0], os.getpid()), "password": "password123",
            "name": "User %d" % _n[0]}
    if role:
        body["role"] = role
    st, _, b = D.http("POST", "/auth/register", body)
    if st != 201:
        raise RuntimeError("register: %s %r" % (st, b))
    tok = b["access_token"]
    if address:
        st, _, b2 = D.http("PATCH", "/me", {"shipping_address": ADDR}, token=tok)
        if st != 200:
            raise RuntimeError("save address: %s %r" % (st, b2))
    return tok, b["user"]["id"]


def product(seller, **fields):
    body = {"title": "Thing", "price_cents": 250, "stock": 10, "category": "Misc"}
    body.update(fields)
    st, _, b = D.http("POST", "/products", body, token=seller)
    if st != 201:
        raise RuntimeError("create product: %s %r" % (st, b))
    return b["id"]


def stock(pid):
    return D.http("GET", "/products/%d" % pid)[2]["stock"]


def set_stock(seller, pid, n):
    st, _, b = D.http("PATCH", "/products/%d" % pid, {"stock": n}, token=seller)
    if st != 200:
        raise RuntimeError("set stock: %s %r" % (st, b))


def cart(tok):
    return D.http("GET", "/cart", token=tok)[2]


def add(tok, pid, qty=1):
    return D.http("POST", "/cart/items", {"product_id": pid, "quantity": qty}, token=tok)


def card(tok, number=VISA, month=12, year=YEAR + 3, cvc="123"):
    st, _, b = D.http("POST", "/payment-methods", {"card_number": number, "exp_month": month,
                                                    "exp_year": year, "cvc": cvc}, token=tok)
    if st != 201:
        raise RuntimeError("add card: %s %r" % (st, b))
    return b["id"]


def checkout(tok, body=None, key=None):
    return D.http("POST", "/orders", body if body is not None else {}, token=tok,
                  headers={"Idempotency-Key": key} if key else None)


def orders_total(tok):
    return D.http("GET", "/orders?limit=1", token=tok)[2]["total"]


def lines(c):
    return {i["product_id"]: i["quantity"] for i in c["items"]}


# ---- cart ----------------------------------------------------------------------------------

def test_cart(s1, s2):
    a, _ = user()
    b, _ = user()
    p1 = product(s1, title="Red apple", price_cents=250, stock=10)
    p2 = product(s2, title="Blue mug", price_cents=1200, stock=3)
    p3 = product(s1, title="Sold out thing", stock=0)
    p4 = product(s1, title="Old thing")
    D.http("DELETE", "/products/%d" % p4, token=s1)

    c = cart(a)
    C.eq("empty cart shape", c, {"items": [], "item_count": 0, "subtotal_cents": 0, "currency": "USD"})
    C.error("cart needs a token", D.http("GET", "/cart"), 401, "unauthorized")
    st, _, c = add(a, p1, 2)
    C.check("add to cart", st == 200 and c["items"] == [
        {"product_id": p1, "title": "Red apple", "unit_price_cents": 250, "quantity": 2,
         "line_total_cents": 500, "available": True}], c)
    st, _, c = add(a, p1, 3)
    C.check("add merges into the line", st == 200 and lines(c) == {p1: 5} and c["item_count"] == 5
            and c["subtotal_cents"] == 1250, c)
    st, _, c = D.http("POST", "/cart/items", {"product_id": p1}, token=a)
    C.check("missing quantity adds one", st == 200 and lines(c) == {p1: 6}, c)
    for bad in (0, 1001, -1, "2", 1.5, True):
        C.error("add quantity %r -> 422" % (bad,), add(a, p1, bad), 422, "validation_failed", "quantity")
    C.error("add without product_id -> 422", D.http("POST", "/cart/items", {"quantity": 1}, token=a),
            422, "validation_failed", "product_id")
    C.error("add unknown product -> 404", add(a, 999999), 404, "not_found")
    C.error("add archived product -> 404", add(a, p4), 404, "not_found")
    C.error("add past stock -> 409 naming the product", add(a, p1, 5), 409, "out_of_stock", str(p1))
    C.error("add sold-out product -> 409", add(a, p3), 409, "out_of_stock", str(p3))
    C.eq("refused adds left the cart alone", lines(cart(a)), {p1: 6})
    C.error("cart body not JSON -> 400", D.http("POST", "/cart/items", raw="{nope", token=a),
            400, "invalid_json")
    C.error("wrong method on /cart -> 405", D.http("PATCH", "/cart", {"x": 1}, token=a), 405,
            "method_not_allowed")
    C.error("checkout body over 64 KiB -> 413", D.http("POST", "/orders", raw='{"pad":"%s"}' % ("x" * 70000),
                                                       token=a), 413, "payload_too_large")

    st, _, c = D.http("PUT", "/cart/items/%d" % p1, {"quantity": 2}, token=a)
    C.check("PUT sets the quantity", st == 200 and lines(c) == {p1: 2}, c)
    C.error("PUT past stock -> 409", D.http("PUT", "/cart/items/%d" % p1, {"quantity": 11}, token=a),
            409, "out_of_stock", str(p1))
    for bad in (-1, 1001, "x"):
        C.error("PUT quantity %r -> 422" % (bad,),
                D.http("PUT", "/cart/items/%d" % p1, {"quantity": bad}, token=a), 422,
                "validation_failed", "quantity")
    C.error("PUT archived product -> 404",
            D.http("PUT", "/cart/items/%d" % p4, {"quantity": 1}, token=a), 404, "not_found")
    st, _, c = D.http("PUT", "/cart/items/%d" % p2, {"quantity": 2}, token=a)
    C.check("PUT a new product adds the line", st == 200 and lines(c) == {p1: 2, p2: 2}, c)
    C.error("PUT bad id -> 400", D.http("PUT", "/cart/items/abc", {"quantity": 1}, token=a),
            400, "bad_request")

    # Availability: stock falls under the line's quantity.
    set_stock(s2, p2, 1)
    c = cart(a)
    mug = [i for i in c["items"] if i["product_id"] == p2][0]
    C.check("line over the stock is unavailable and out of the subtotal",
            mug["available"] is False and c["subtotal_cents"] == 500 and c["item_count"] == 4, c)
    set_stock(s2, p2, 3)

    # Ownership.
    C.eq("another user's cart is their own", cart(b)["items"], [])
    C.error("another user cannot remove my line", D.http("DELETE", "/cart/items/%d" % p1, token=b),
            404, "not_found")
    C.eq("my cart survives them", lines(cart(a)), {p1: 2, p2: 2})

    st, _, c = D.http("PUT", "/cart/items/%d" % p2, {"quantity": 0}, token=a)
    C.check("PUT 0 removes the line", st == 200 and lines(c) == {p1: 2}, c)
    C.status("PUT 0 on a line not there is fine",
             D.http("PUT", "/cart/items/%d" % p2, {"quantity": 0}, token=a), 200)
    C.error("DELETE a line not in the cart -> 404", D.http("DELETE", "/cart/items/%d" % p2, token=a),
            404, "not_found")
    st, _, c = D.http("DELETE", "/cart/items/%d" % p1, token=a)
    C.check("DELETE removes the line", st == 200 and c["items"] == [], c)
    add(a, p1, 1)
    add(a, p2, 1)
    st, _, c = D.http("DELETE", "/cart", token=a)
    C.check("DELETE /cart empties it", st == 200 and c["items"] == [] and c["item_count"] == 0, c)


# ---- cards ---------------------------------------------------------------------------------

def test_cards():
    a, _ = user()
    b, _ = user()
    st, _, c1 = D.http("POST", "/payment-methods", {"card_number": VISA, "exp_month": 12,
                                                     "exp_year": (YEAR + 2) % 100, "cvc": "123"}, token=a)
    C.check("add a card -> 201 PaymentMethod", st == 201 and set(c1) == CARD_KEYS and
            c1["brand"] == "visa" and c1["last4"] == "4242" and c1["exp_year"] == YEAR + 2 and
            c1["exp_month"] == 12, c1)
    C.eq("the first card is the default", c1.get("is_default"), True)
    st, _, c2 = D.http("POST", "/payment-methods", {"card_number": MC, "exp_month": 1,
                                                     "exp_year": YEAR + 1, "cvc": "9876"}, token=a)
    C.check("second card: mastercard, not default", st == 201 and c2["brand"] == "mastercard"
            and c2["is_default"] is False, c2)
    amex = D.http("POST", "/payment-methods", {"card_number": "3782 822463 10005", "exp_month": 5,
                                                "exp_year": YEAR + 1, "cvc": "1234"}, token=b)
    C.check("amex brand", amex[0] == 201 and amex[2]["brand"] == "amex" and amex[2]["last4"] == "0005",
            amex)

    def bad(name, body, field):
        full = {"card_number": VISA, "exp_month": 12, "exp_year": YEAR + 1, "cvc": "123"}
        full.update(body)
        for k in [k for k, v in full.items() if v is None]:
            del full[k]
        C.error(name, D.http("POST", "/payment-methods", full, token=a), 422, "validation_failed", field)

    bad("bad Luhn -> 422 card_number", {"card_number": "4242424242424241"}, "card_number")
    bad("letters in number -> 422", {"card_number": "4242 4242 abcd 4242"}, "card_number")
    bad("too short -> 422", {"card_number": "42424242"}, "card_number")
    bad("number as JSON number -> 422", {"card_number": 4242424242424242}, "card_number")
    bad("missing number -> 422", {"card_number": None}, "card_number")
    bad("expired year -> 422 exp_year", {"exp_year": YEAR - 1}, "exp_year")
    if MONTH > 1:
        bad("expired month -> 422 exp_month", {"exp_month": MONTH - 1, "exp_year": YEAR}, "exp_month")
    bad("month 13 -> 422", {"exp_month": 13}, "exp_month")
    bad("cvc of 2 digits -> 422", {"cvc": "12"}, "cvc")
    bad("cvc with letters -> 422", {"cvc": "12a"}, "cvc")

    st, _, lst = D.http("GET", "/payment-methods", token=a)
    C.check("list: my two cards, default first", st == 200 and
            [c["id"] for c in lst["items"]] == [c1["id"], c2["id"]], lst)
    C.eq("another user's list has only theirs", [c["last4"] for c in
                                                 D.http("GET", "/payment-methods", token=b)[2]["items"]],
         ["0005"])
    st, _, p = D.http("PATCH", "/payment-methods/%d" % c2["id"], {"is_default": True}, token=a)
    C.check("PATCH is_default moves the default", st == 200 and p["is_default"] is True and
            [c["is_default"] for c in D.http("GET", "/payment-methods", token=a)[2]["items"]
             if c["id"] == c1["id"]] == [False], p)
    C.error("PATCH is_default false -> 422",
            D.http("PATCH", "/payment-methods/%d" % c2["id"], {"is_default": False}, token=a),
            422, "validation_failed", "is_default")
    C.error("PATCH someone else's card -> 404",
            D.http("PATCH", "/payment-methods/%d" % c2["id"], {"is_default": True}, token=b),
            404, "not_found")
    C.error("DELETE someone else's card -> 404",
            D.http("DELETE", "/payment-methods/%d" % c1["id"], token=b), 404, "not_found")
    C.status("DELETE the default card -> 204", D.http("DELETE", "/payment-methods/%d" % c2["id"],
                                                       token=a), 204)
    left = D.http("GET", "/payment-methods", token=a)[2]["items"]
    C.check("the remaining card became the default", [(c["id"], c["is_default"]) for c in left]
            == [(c1["id"], True)], left)
    C.error("DELETE it again -> 404", D.http("DELETE", "/payment-methods/%d" % c2["id"], token=a),
            404, "not_found")
    p = product(D.s1, title="Card test thing")
    add(a, p, 1)
    C.error("checkout with a deleted card -> 404",
            checkout(a, {"payment_method_id": c2["id"], "shipping_address": ADDR}), 404, "not_found")
    C.eq("...and the cart is still there", lines(cart(a)), {p: 1})


def test_no_card_data_kept():
    if lib.ON_POSTGRES:
        dump = lib.pg_dump(D.db)
    else:
        con = sqlite3.connect("file:%s?mode=ro" % D.db, uri=True, timeout=10)
        try:
            dump = "\n".join(con.iterdump())
        finally:
            con.close()
    leaked = [n for n in ("4242424242424242", "5555555555554444", "4000000000000002", "378282246310005")
              if n in dump]
    C.eq("no card number in the database", leaked, [])
    log = D.log_text()
    C.check("no card number in the server log", "4242424242424242" not in log and
            "4242 4242 4242 4242" not in log and "9876" not in log)


# ---- checkout, pay, cancel -------------------------------------------------------------------

def check_order(name, o):
    ok = (isinstance(o, dict) and set(o) >= ORDER_KEYS and all(set(i) == ITEM_KEYS for i in o["items"])
          and o["subtotal_cents"] == sum(i["unit_price_cents"] * i["quantity"] for i in o["items"])
          and all(i["line_total_cents"] == i["unit_price_cents"] * i["quantity"] for i in o["items"])
          and o["total_cents"] == o["subtotal_cents"] and o["currency"] == "USD"
          and RFC3339.match(o["created_at"]) and RFC3339.match(o["updated_at"]))
    return C.check(name, ok, o)


def test_checkout(s1, s2):
    a, aid = user()
    b, _ = user(address=True)
    p1 = product(s1, title="Green pear", price_cents=300, stock=10)
    p2 = product(s2, title="Teapot", price_cents=2500, stock=5)
    visa = card(a)
    bad = card(a, DECLINE)
    poor = card(a, NOFUNDS)
    bcard = card(b)

    C.error("checkout with an empty cart -> 422 cart", checkout(a), 422, "validation_failed", "cart")
    add(a, p1, 2)
    C.error("no saved address -> 422 shipping_address", checkout(a), 422, "validation_failed",
            "shipping_address")
    r = checkout(a, {"shipping_address": {"name": "A", "line1": "x", "postal_code": "1", "country": "US"}})
    C.check("bad address -> 422 naming it", r[0] == 422 and
            r[2]["error"]["field"].startswith("shipping_address"), r)
    C.error("someone else's card -> 404", checkout(a, {"payment_method_id": bcard,
                                                       "shipping_address": ADDR}), 404, "not_found")
    C.error("payment_method_id not an integer -> 422",
            checkout(a, {"payment_method_id": "x", "shipping_address": ADDR}), 422,
            "validation_failed", "payment_method_id")
    set_stock(s1, p1, 1)
    C.error("stock fell under the cart -> 409 naming the product", checkout(a, {"shipping_address": ADDR}),
            409, "out_of_stock", str(p1))
    C.check("409 changed nothing", stock(p1) == 1 and lines(cart(a)) == {p1: 2} and orders_total(a) == 0)
    set_stock(s1, p1, 10)
    p5 = product(s1, title="Soon gone")
    add(a, p5, 1)
    D.http("DELETE", "/products/%d" % p5, token=s1)
    C.error("archived product in the cart -> 409", checkout(a, {"shipping_address": ADDR}), 409,
            "out_of_stock", str(p5))
    D.http("DELETE", "/cart/items/%d" % p5, token=a)

    add(a, p2, 1)
    before = (stock(p1), stock(p2), lines(cart(a)))
    r = checkout(a, {"shipping_address": ADDR, "payment_method_id": bad})
    C.error("declined card -> 402 payment_declined", r, 402, "payment_declined")
    C.check("decline message says why", "declined" in r[2]["error"]["message"], r)
    C.check("decline changed nothing (stock, cart, no order)",
            (stock(p1), stock(p2), lines(cart(a))) == before and orders_total(a) == 0)
    r = checkout(a, {"shipping_address": ADDR, "payment_method_id": poor})
    C.check("insufficient funds -> 402 saying so", r[0] == 402 and
            "insufficient" in r[2]["error"]["message"], r)

    D.http("PATCH", "/me", {"shipping_address": ADDR}, token=a)
    st, _, o = checkout(a, {"payment_method_id": visa})
    C.check("paid checkout -> 201", st == 201 and o["status"] == "paid", o)
    check_order("order shape and totals", o)
    C.check("items are a snapshot with sellers", [(i["product_id"], i["seller_id"], i["title"],
                                                   i["unit_price_cents"], i["quantity"], i["fulfillment"])
                                                  for i in o["items"]] ==
            [(p1, D.s1id, "Green pear", 300, 2, "pending"), (p2, D.s2id, "Teapot", 2500, 1, "pending")], o)
    C.check("payment recorded", o["payment"] is not None and o["payment"]["status"] == "succeeded" and
            o["payment"]["brand"] == "visa" and o["payment"]["last4"] == "4242" and
            o["payment"]["amount_cents"] == 3100 and RFC3339.match(o["payment"]["paid_at"]), o)
    C.eq("saved address used", o["shipping_address"], ADDR)
    C.eq("order belongs to me", o["user_id"], aid)
    C.check("cart emptied and stock taken", cart(a)["items"] == [] and stock(p1) == 8 and stock(p2) == 4)
    paid = o

    D.http("PATCH", "/products/%d" % p1, {"price_cents": 999, "title": "Renamed pear"}, token=s1)
    o2 = D.http("GET", "/orders/%d" % paid["id"], token=a)[2]
    C.check("order keeps its snapshot after the product changes",
            o2["items"][0]["title"] == "Green pear" and o2["items"][0]["unit_price_cents"] == 300, o2)

    add(a, p1, 3)
    other = dict(ADDR, name="Gift Person", line2="Flat 2")
    st, _, pend = checkout(a, {"shipping_address": other})
    C.check("checkout without a card -> pending_payment", st == 201 and pend["status"] == "pending_payment"
            and pend["payment"] is None and RFC3339.match(pend.get("expires_at", "")), pend)
    C.eq("given address used", pend["shipping_address"], other)
    C.eq("pending order holds its stock", stock(p1), 5)

    st, _, page = D.http("GET", "/orders", token=a)
    C.check("list: newest first", st == 200 and [x["id"] for x in page["items"]] == [pend["id"], paid["id"]]
            and page["total"] == 2, page)
    st, _, page = D.http("GET", "/orders?limit=1&offset=1", token=a)
    C.check("list pages", st == 200 and [x["id"] for x in page["items"]] == [paid["id"]] and
            page["limit"] == 1 and page["offset"] == 1 and page["total"] == 2, page)
    C.error("list limit 0 -> 400", D.http("GET", "/orders?limit=0", token=a), 400, "bad_request")
    C.eq("another user's list is empty", D.http("GET", "/orders", token=b)[2]["total"], 0)
    C.error("another user cannot see my order", D.http("GET", "/orders/%d" % paid["id"], token=b),
            404, "not_found")
    C.status("a seller of an item sees it", D.http("GET", "/orders/%d" % paid["id"], token=D.s2), 200)
    C.error("a seller without items does not", D.http("GET", "/orders/%d" % pend["id"], token=D.s2),
            404, "not_found")
    C.error("unknown order -> 404", D.http("GET", "/orders/999999", token=a), 404, "not_found")

    # Pay.
    C.error("someone else pays my order -> 404",
            D.http("POST", "/orders/%d/pay" % pend["id"], {"payment_method_id": bcard}, token=b),
            404, "not_found")
    C.error("pay without payment_method_id -> 422",
            D.http("POST", "/orders/%d/pay" % pend["id"], {}, token=a), 422, "validation_failed",
            "payment_method_id")
    C.error("pay with a declined card -> 402",
            D.http("POST", "/orders/%d/pay" % pend["id"], {"payment_method_id": bad}, token=a),
            402, "payment_declined")
    C.eq("decline left it pending", D.http("GET", "/orders/%d" % pend["id"], token=a)[2]["status"],
         "pending_payment")
    st, _, o = D.http("POST", "/orders/%d/pay" % pend["id"], {"payment_method_id": visa}, token=a)
    C.check("pay -> 200 paid", st == 200 and o["status"] == "paid" and
            o["payment"]["amount_cents"] == 2997 == o["total_cents"] and "expires_at" not in o, o)
    C.error("pay a paid order -> 409", D.http("POST", "/orders/%d/pay" % pend["id"],
                                              {"payment_method_id": visa}, token=a), 409, "conflict")

    # Cancel and refund.
    C.error("someone else cancels my order -> 404",
            D.http("POST", "/orders/%d/cancel" % paid["id"], token=b), 404, "not_found")
    st, _, o = D.http("POST", "/orders/%d/cancel" % paid["id"], token=a)
    C.check("cancel a paid order -> cancelled and refunded", st == 200 and o["status"] == "cancelled"
            and o["payment"]["status"] == "refunded", o)
    C.check("cancel restored the stock", stock(p1) == 7 and stock(p2) == 5)
    C.error("cancel twice -> 409", D.http("POST", "/orders/%d/cancel" % paid["id"], token=a), 409, "conflict")
    C.error("pay a cancelled order -> 409", D.http("POST", "/orders/%d/pay" % paid["id"],
                                                   {"payment_method_id": visa}, token=a), 409, "conflict")
    add(a, p1, 1)
    st, _, pc = checkout(a)
    st2, _, pc2 = D.http("POST", "/orders/%d/cancel" % pc["id"], token=a)
    C.check("cancel a pending order -> cancelled, no payment", st == 201 and st2 == 200 and
            pc2["status"] == "cancelled" and pc2["payment"] is None and stock(p1) == 7, pc2)
    return a, visa, pend["id"]


# ---- idempotency ----------------------------------------------------------------------------

def test_idempotency(s1):
    a, _ = user(address=True)
    b, _ = user(address=True)
    visa = card(a)
    bad = card(a, DECLINE)
    bvisa = card(b)
    p = product(s1, title="Idem widget", price_cents=100, stock=20)

    add(a, p, 2)
    body = {"payment_method_id": visa}
    first = D.raw_post("/orders", body, a, "key-one")
    C.check("keyed checkout -> 201", first[0] == 201, first)
    add(a, p, 5)
    again = D.raw_post("/orders", body, a, "key-one")
    C.eq("replay: same status and body, byte for byte", again, first)
    C.check("replay had no effect (one order, stock taken once, cart kept)",
            orders_total(a) == 1 and stock(p) == 18 and lines(cart(a)) == {p: 5})
    C.error("same key on another path -> 409",
            D.http("POST", "/orders/%d/pay" % json.loads(first[1])["id"], {"payment_method_id": visa},
                   token=a, headers={"Idempotency-Key": "key-one"}), 409, "conflict", "Idempotency-Key")
    add(b, p, 1)
    st, _, ob = checkout(b, {"payment_method_id": bvisa}, key="key-one")
    C.check("keys are per user", st == 201 and ob["user_id"] != json.loads(first[1])["user_id"], ob)
    C.error("key of 129 chars -> 400", checkout(a, body, key="k" * 129), 400, "bad_request",
            "Idempotency-Key")
    C.error("key with a control char -> 400", D.http("POST", "/orders", body, token=a,
                                                     raw=json.dumps(body), headers={"Idempotency-Key": "a\x01b"}),
            400, "bad_request")

    declined = D.raw_post("/orders", {"payment_method_id": bad}, a, "key-two")
    C.check("keyed decline -> 402", declined[0] == 402, declined)
    replay = D.raw_post("/orders", {"payment_method_id": visa}, a, "key-two")
    C.eq("a decline replays as the same 402", replay, declined)
    C.check("...and still changed nothing", orders_total(a) == 1 and stock(p) == 17 and
            lines(cart(a)) == {p: 5})

    # Concurrent duplicates: exactly one runs.
    results = []
    barrier = threading.Barrier(6)

    def dup():
        barrier.wait()
        results.append(D.raw_post("/orders", {"payment_method_id": visa}, a, "key-three"))

    ts = [threading.Thread(target=dup) for _ in range(6)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    C.check("6 concurrent duplicates: one answer, one order, stock taken once",
            len(set(results)) == 1 and results[0][0] == 201 and orders_total(a) == 2 and stock(p) == 12,
            results[:2])

    # Pay with a key.
    add(a, p, 1)
    st, _, pend = checkout(a)
    pay1 = D.raw_post("/orders/%d/pay" % pend["id"], {"payment_method_id": visa}, a, "pay-key")
    pay2 = D.raw_post("/orders/%d/pay" % pend["id"], {"payment_method_id": visa}, a, "pay-key")
    C.check("keyed pay replays the same 200 (charged once)", pay1[0] == 200 and pay1 == pay2, pay2)
    pay3 = D.http("POST", "/orders/%d/pay" % pend["id"], {"payment_method_id": visa}, token=a,
                  headers={"Idempotency-Key": "pay-key-2"})
    C.error("a new key on a paid order -> 409", pay3, 409, "conflict")


# ---- expiry ---------------------------------------------------------------------------------

def start_expiry(s1):
    a, _ = user(address=True)
    p = product(s1, title="Expiring thing", stock=5)
    add(a, p, 2)
    st, _, o = checkout(a)
    C.check("pending order for the expiry test", st == 201 and stock(p) == 3, o)
    return a, p, o["id"], time.time()


def finish_expiry(state):
    a, p, oid, t0 = state
    visa = card(a)
    # ttl (3 s) + one expiry period (5 s) is when it is due; a loaded machine runs the
    # expiry job late, so wait for the condition with a generous deadline.
    deadline = t0 + 3 + 5 + 30
    status = None
    while time.time() < deadline:
        status = D.http("GET", "/orders/%d" % oid, token=a)[2]["status"]
        if status == "cancelled":
            break
        time.sleep(0.3)
    C.eq("unpaid order expired and was cancelled", status, "cancelled")
    C.eq("expiry released the stock", stock(p), 5)
    C.error("pay an expired order -> 409", D.http("POST", "/orders/%d/pay" % oid,
                                                  {"payment_method_id": visa}, token=a), 409, "conflict")


# ---- seller ----------------------------------------------------------------------------------

def test_seller():
    s, _ = user("seller")
    t, _ = user("seller")
    a, _ = user(address=True)
    visa = card(a)
    mine = product(s, title="Seller widget", price_cents=1000, stock=8)
    low = product(s, title="Rare widget", price_cents=5000, stock=3)
    theirs = product(t, title="Other widget", price_cents=700, stock=50)

    add(a, mine, 3)
    add(a, theirs, 1)
    both = checkout(a, {"payment_method_id": visa})[2]
    add(a, mine, 1)
    pend = checkout(a)[2]
    add(a, low, 1)
    cancelled = checkout(a, {"payment_method_id": visa})[2]
    D.http("POST", "/orders/%d/cancel" % cancelled["id"], token=a)
    add(a, theirs, 2)
    only_theirs = checkout(a, {"payment_method_id": visa})[2]

    st, _, page = D.http("GET", "/seller/orders", token=s)
    C.check("seller sees the orders holding their items, newest first", st == 200 and
            [o["id"] for o in page["items"]] == [cancelled["id"], pend["id"], both["id"]] and
            page["total"] == 3, page)
    st, _, page = D.http("GET", "/seller/orders?status=paid", token=s)
    C.check("seller orders filter by status", st == 200 and [o["id"] for o in page["items"]] == [both["id"]],
            page)
    C.eq("the other seller sees theirs", [o["id"] for o in D.http("GET", "/seller/orders", token=t)[2]["items"]],
         [only_theirs["id"], both["id"]])
    C.error("a shopper cannot list seller orders", D.http("GET", "/seller/orders", token=a), 403, "forbidden")

    C.error("ship a pending order -> 409", D.http("POST", "/seller/orders/%d/ship" % pend["id"], token=s),
            409, "conflict")
    C.error("ship a cancelled order -> 409",
            D.http("POST", "/seller/orders/%d/ship" % cancelled["id"], token=s), 409, "conflict")
    C.error("ship an order without my items -> 404",
            D.http("POST", "/seller/orders/%d/ship" % only_theirs["id"], token=s), 404, "not_found")
    C.error("a shopper cannot ship", D.http("POST", "/seller/orders/%d/ship" % both["id"], token=a),
            403, "forbidden")
    st, _, o = D.http("POST", "/seller/orders/%d/ship" % both["id"], token=s)
    C.check("ship marks only my items; the order stays paid", st == 200 and o["status"] == "paid" and
            {i["product_id"]: i["fulfillment"] for i in o["items"]} == {mine: "shipped"}, o)
    st, _, o = D.http("GET", "/orders/%d" % both["id"], token=a)
    C.check("the buyer sees my item shipped, the other seller's pending", st == 200 and
            {i["product_id"]: i["fulfillment"] for i in o["items"]} == {mine: "shipped", theirs: "pending"}, o)
    C.error("a partly shipped order cannot be cancelled",
            D.http("POST", "/orders/%d/cancel" % both["id"], token=a), 409, "conflict")
    st, _, o = D.http("POST", "/seller/orders/%d/ship" % both["id"], token=t)
    C.check("when all items shipped the order is shipped", st == 200 and o["status"] == "shipped" and
            all(i["fulfillment"] == "shipped" for i in o["items"]), o)
    C.status("shipping again is harmless", D.http("POST", "/seller/orders/%d/ship" % both["id"], token=s), 200)
    C.error("cancel a shipped order -> 409", D.http("POST", "/orders/%d/cancel" % both["id"], token=a),
            409, "conflict")

    st, _, stats = D.http("GET", "/seller/stats", token=s)
    C.check("stats count paid/shipped orders only", st == 200 and stats["revenue_cents"] == 3000 and
            stats["orders"] == 1 and stats["units_sold"] == 3, stats)
    C.check("stats top products", stats.get("top_products") == [
        {"product_id": mine, "title": "Seller widget", "units": 3, "revenue_cents": 3000}], stats)
    C.check("stats low stock: active products with stock <= 5",
            sorted(p["id"] for p in stats.get("low_stock", [])) == sorted([mine, low]) and
            all(p["stock"] <= 5 for p in stats["low_stock"]), stats)
    C.error("a shopper has no stats", D.http("GET", "/seller/stats", token=a), 403, "forbidden")


# ---- no overselling ---------------------------------------------------------------------------

def test_race(s1):
    n, units = 50, 10
    p = product(s1, title="Hot item", price_cents=500, stock=units)
    shoppers = []
    for _ in range(n):
        tok, _ = user(address=True)
        add(tok, p, 1)
        shoppers.append((tok, card(tok)))
    results = [None] * n
    barrier = threading.Barrier(n)

    def go(i):
        tok, c = shoppers[i]
        barrier.wait()
        results[i] = checkout(tok, {"payment_method_id": c})

    ts = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    won = [i for i, r in enumerate(results) if r and r[0] == 201]
    lost = [i for i, r in enumerate(results) if r and r[0] == 409 and
            r[2].get("error", {}).get("code") == "out_of_stock" and r[2]["error"].get("field") == str(p)]
    C.eq("50 racing checkouts: exactly 10 orders", len(won), units)
    C.eq("...and 40 answered 409 out_of_stock naming the product", len(lost), n - units)
    C.eq("stock ends at 0, never negative", stock(p), 0)
    C.check("losers keep their cart", all(lines(cart(shoppers[i][0])) == {p: 1} for i in lost))
    C.check("winners' carts are empty", all(cart(shoppers[i][0])["items"] == [] for i in won))


# ---- crash safety -----------------------------------------------------------------------------

def test_crash():
    seller, _ = user("seller")
    initial = {}
    for k in range(3):
        pid = product(seller, title="Crash item %d" % k, price_cents=100 + k, stock=300)
        initial[pid] = 300
    pids = list(initial)
    shoppers = []
    for _ in range(8):
        tok, _ = user(address=True)
        shoppers.append((tok, card(tok)))
    acked = {}  # order id -> status the client was told
    lock = threading.Lock()
    stop = threading.Event()

    def stream(tok, c):
        rnd = random.Random()
        try:
            while not stop.is_set():
                for pid in rnd.sample(pids, rnd.randint(1, 3)):
                    add(tok, pid, rnd.randint(1, 3))
                st, _, o = checkout(tok, {"payment_method_id": c})
                if st == 201:
                    with lock:
                        acked[o["id"]] = o["status"]
                    if rnd.random() < 0.25:
                        st, _, o = D.http("POST", "/orders/%d/cancel" % o["id"], token=tok)
                        if st == 200:
                            with lock:
                                acked[o["id"]] = "cancelled"
        except (OSError, httpclient.HTTPException, ValueError, KeyError, TypeError):
            pass  # the server died under us

    ts = [threading.Thread(target=stream, args=s) for s in shoppers]
    for t in ts:
        t.start()
    # Kill once orders are flowing, not after a fixed time: on a slow machine (PostgreSQL in CI)
    # 1.5 s held only 4 orders.
    deadline = time.time() + 30
    time.sleep(1.5)
    while time.time() < deadline:
        with lock:
            if len(acked) >= 8:
                break
        time.sleep(0.1)
    D.kill9()
    stop.set()
    for t in ts:
        t.join(timeout=30)
    C.check("orders were flowing when the server was killed", len(acked) >= 5, len(acked))
    D.start()
    seen = {}
    # the buyers' own lists: a seller's view carries no payment (seller privacy)
    for tok, _c in shoppers:
        offset = 0
        while True:
            st, _, page = D.http("GET", "/orders?limit=100&offset=%d" % offset, token=tok)
            if st != 200:
                break
            for o in page["items"]:
                seen[o["id"]] = o
            offset += 100
            if offset >= page["total"]:
                break
    whole = all(o["items"] and o["status"] in ("paid", "cancelled") and
                o["subtotal_cents"] == sum(i["unit_price_cents"] * i["quantity"] for i in o["items"]) and
                o["payment"] is not None and o["payment"]["amount_cents"] == o["total_cents"] and
                (o["payment"]["status"] == "refunded") == (o["status"] == "cancelled")
                for o in seen.values())
    C.check("after kill -9 every order is whole (%d orders)" % len(seen), whole and len(seen) > 0)
    C.check("every acknowledged order survived with its status",
            all(oid in seen and (seen[oid]["status"] == s or s == "paid") for oid, s in acked.items()),
            [(oid, s, seen.get(oid, {}).get("status")) for oid, s in acked.items()
             if oid not in seen or seen[oid]["status"] != s][:5])
    sold = {pid: 0 for pid in pids}
    for o in seen.values():
        if o["status"] != "cancelled":
            for i in o["items"]:
                sold[i["product_id"]] += i["quantity"]
    C.check("for every product: initial stock == stock + units in live orders",
            all(initial[pid] == stock(pid) + sold[pid] for pid in pids),
            [(pid, initial[pid], stock(pid), sold[pid]) for pid in pids])
    if lib.ON_POSTGRES:  # a CHECK keeps stock >= 0; the count says it held
        ok = "ok"
        neg = int(lib.pg_query(D.db, "SELECT count(*) FROM products WHERE stock < 0").strip())
    else:
        con = sqlite3.connect(D.db, timeout=10)
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
            neg = con.execute("SELECT count(*) FROM products WHERE stock < 0").fetchone()[0]
        finally:
            con.close()
    C.check("database intact, no negative stock", ok == "ok" and neg == 0, (ok, neg))


def main():
    global D
    D = Daemon()
    try:
        D.start()
        D.s1, D.s1id = user("seller")
        D.s2, D.s2id = user("seller")
        expiry = C.run("expiry start", start_expiry, D.s1)
        C.run("cart", test_cart, D.s1, D.s2)
        C.run("cards", test_cards)
        C.run("checkout", test_checkout, D.s1, D.s2)
        C.run("idempotency", test_idempotency, D.s1)
        C.run("seller", test_seller)
        C.run("card data", test_no_card_data_kept)
        if expiry:
            C.run("expiry", finish_expiry, expiry)
        C.run("race", test_race, D.s1)
        C.run("crash", test_crash)
        C.eq("clean shutdown after all that", D.stop(), 0)
    finally:
        if D.proc and D.proc.poll() is None:
            D.proc.kill()
            D.proc.wait()
        if C.failed:
            print("server log kept in %s" % D.dir)
        else:
            shutil.rmtree(D.dir, ignore_errors=True)
    C.finish()


if __name__ == "__main__":
    main()
