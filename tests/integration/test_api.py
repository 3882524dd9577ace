#!/usr/bin/env python3
"""test_api.py - accounts and catalog endpoints of PROTOCOL.md through raw HTTP.

Starts a real ./voxcartd (temp db, hash_cost = min, no rate limit) and drives
/health, auth (register, login, lockout, refresh, logout), /me, products (create,
get, patch, delete), search (FTS, filters, sorts, pages), categories, the seller's
listing, routing errors (404, 405, bad ids); then a second server with a small rate
limit for 429.  Prints `N passed, M failed` last; exits 1 on any failure.
"""

import json
import os
import re
import socket
import sys
import threading
import time
from urllib.parse import quote, urlencode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

C = lib.Checks("test_api")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
USER_KEYS = {"id", "email", "name", "role", "shipping_address", "created_at"}
PRODUCT_KEYS = {"id", "seller_id", "seller_name", "title", "description", "price_cents",
                "currency", "stock", "category", "tags", "status", "created_at", "updated_at"}
ADDRESS = {"name": "Ada Lovelace", "line1": "12 Analytical St", "city": "London",
           "postal_code": "N1 9GU", "country": "GB"}


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def products(srv, **params):
    """GET /api/v1/products with query params; returns (status, body)."""
    qs = urlencode(params)
    st, _, b = srv.http("GET", "/api/v1/products" + ("?" + qs if qs else ""))
    return st, b


def ids(page):
    return [p["id"] for p in page["items"]] if isinstance(page, dict) else None


def found(srv, pid, **params):
    """True/False: is product pid in the search answer; None when the search failed."""
    st, b = products(srv, limit=100, **params)
    return pid in ids(b) if st == 200 and isinstance(b, dict) else None


# ---------------------------------------------------------------------------------
def t_health(srv):
    st, h, b = srv.http("GET", "/health")
    C.eq("health: 200", st, 200)
    C.check("health: {ok:true, version}", isinstance(b, dict) and b.get("ok") is True
            and isinstance(b.get("version"), str) and b["version"], b)
    C.check("health: JSON content type", "application/json" in h.get("content-type", ""), h)


def check_auth_shape(prefix, b, status, want_status):
    C.eq(prefix + ": status", status, want_status)
    if not isinstance(b, dict):
        C.check(prefix + ": body is an object", False, b)
        return
    C.eq(prefix + ": keys", set(b), {"user", "access_token", "refresh_token", "expires_in"})
    u = b.get("user") or {}
    C.eq(prefix + ": user keys", set(u), USER_KEYS)
    C.check(prefix + ": user.id positive integer", is_int(u.get("id")) and u["id"] > 0, u)
    C.check(prefix + ": created_at RFC 3339", RFC3339.match(str(u.get("created_at"))), u)
    for k in ("access_token", "refresh_token"):
        t = b.get(k)
        # 128 bits of entropy at least: >= 22 base64 characters.
        C.check(prefix + ": %s opaque string >= 22 chars" % k, isinstance(t, str) and len(t) >= 22, t)
    C.check(prefix + ": tokens differ", b.get("access_token") != b.get("refresh_token"))
    C.check(prefix + ": expires_in positive integer",
            is_int(b.get("expires_in")) and b["expires_in"] > 0, b.get("expires_in"))


def t_register(srv):
    R = "/api/v1/auth/register"
    st, _, b = srv.http("POST", R, {"email": "Mixed.Case@Example.COM", "password": "password123",
                                    "name": "Mixed Case"})
    check_auth_shape("register", b, st, 201)
    u = b.get("user", {}) if isinstance(b, dict) else {}
    C.eq("register: email stored lower-cased", u.get("email"), "mixed.case@example.com")
    C.eq("register: role defaults to shopper", u.get("role"), "shopper")
    C.eq("register: shipping_address null", u.get("shipping_address"), None)
    C.eq("register: name kept", u.get("name"), "Mixed Case")
    st, _, me = srv.http("GET", "/api/v1/me", token=b.get("access_token"))
    C.check("register: the access token works on /me", st == 200 and me.get("id") == u.get("id"), me)

    C.error("register: same email, other case -> 409",
            srv.http("POST", R, {"email": "mixed.CASE@example.com", "password": "password123",
                                 "name": "X"}), 409, "conflict")
    st, _, b = srv.http("POST", R, {"email": "seller1@example.com", "password": "password123",
                                    "name": "Seller", "role": "seller"})
    C.check("register: role seller -> 201 seller", st == 201 and b["user"]["role"] == "seller", b)

    base = {"email": "v@example.com", "password": "password123", "name": "Valid"}
    bad = [
        ("email without @", {"email": "nobody.example.com"}, "email"),
        ("email with two @", {"email": "a@b@example.com"}, "email"),
        ("email starting with @", {"email": "@example.com"}, "email"),
        ("email ending with @", {"email": "someone@"}, "email"),
        ("email with a space", {"email": "some one@example.com"}, "email"),
        ("empty email", {"email": ""}, "email"),
        ("email a number", {"email": 12345}, "email"),
        ("email 255 chars", {"email": "a" * 243 + "@example.com"}, "email"),
        ("missing email", {"email": None}, "email"),
        ("password 7 chars", {"password": "1234567"}, "password"),
        ("password 129 chars", {"password": "p" * 129}, "password"),
        ("password a number", {"password": 12345678}, "password"),
        ("missing password", {"password": None}, "password"),
        ("empty name", {"name": ""}, "name"),
        ("name 101 chars", {"name": "n" * 101}, "name"),
        ("name an object", {"name": {"first": "x"}}, "name"),
        ("missing name", {"name": None}, "name"),
        ("role admin", {"role": "admin"}, "role"),
        ("role unknown", {"role": "superuser"}, "role"),
        ("role a number", {"role": 1}, "role"),
    ]
    for label, change, field in bad:
        body = dict(base)
        body.update(change)
        body = {k: v for k, v in body.items() if v is not None}
        C.error("register: %s -> 422 %s" % (label, field), srv.http("POST", R, body),
                422, "validation_failed", field)
    # Nothing was written by the refused attempts: the address is still free.
    st, _, b = srv.http("POST", R, base)
    C.eq("register: refused attempts wrote nothing (email still free)", st, 201)

    good = [
        ("password 8 chars", {"email": "p8@example.com", "password": "12345678"}),
        ("password 128 chars", {"email": "p128@example.com", "password": "p" * 128}),
        ("name 100 chars", {"email": "n100@example.com", "name": "n" * 100}),
        ("name 100 non-ASCII chars", {"email": "n100u@example.com", "name": "é" * 100}),
        ("password with unicode", {"email": "pu@example.com", "password": "пароль-ünïcødé"}),
    ]
    for label, change in good:
        body = dict(base)
        body.update(change)
        st, _, b = srv.http("POST", R, body)
        C.eq("register: %s -> 201" % label, st, 201)
    st, _, b = srv.http("POST", "/api/v1/auth/login", {"email": "pu@example.com",
                                                       "password": "пароль-ünïcødé"})
    C.eq("login: unicode password round-trips", st, 200)


def t_register_race(srv):
    """Eight parallel registrations of one email: exactly one 201, the rest 409."""
    results = []

    def go():
        results.append(srv.http("POST", "/api/v1/auth/register",
                                {"email": "race@example.com", "password": "password123",
                                 "name": "Racer"})[0])
    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    C.eq("register race: one 201, seven 409", sorted(results), [201] + [409] * 7)


def t_login(srv):
    L = "/api/v1/auth/login"
    srv.register("login@example.com", "correct-horse", "Login User")
    st, _, b = srv.http("POST", L, {"email": "login@example.com", "password": "correct-horse"})
    check_auth_shape("login", b, st, 200)
    st, _, b = srv.http("POST", L, {"email": "LOGIN@Example.com", "password": "correct-horse"})
    C.eq("login: email is case-insensitive", st, 200)
    C.error("login: wrong password -> 401",
            srv.http("POST", L, {"email": "login@example.com", "password": "wrong-horse"}),
            401, "unauthorized")
    C.error("login: unknown user -> 401",
            srv.http("POST", L, {"email": "nobody@example.com", "password": "correct-horse"}),
            401, "unauthorized")
    C.error("login: not an email -> 401",
            srv.http("POST", L, {"email": "nobody", "password": "correct-horse"}),
            401, "unauthorized")
    C.error("login: missing password -> 422",
            srv.http("POST", L, {"email": "login@example.com"}), 422, "validation_failed", "password")
    C.error("login: email a number -> 422",
            srv.http("POST", L, {"email": 5, "password": "x"}), 422, "validation_failed", "email")
    # A success resets the count (the wrong password above was one failure).
    C.eq("login: right password resets the count", srv.http(
        "POST", L, {"email": "login@example.com", "password": "correct-horse"})[0], 200)
    for rnd in range(2):
        for _ in range(4):
            srv.http("POST", L, {"email": "login@example.com", "password": "nope-nope"})
        st, _, _ = srv.http("POST", L, {"email": "login@example.com", "password": "correct-horse"})
        C.eq("login: 4 failures then the right password -> 200 (round %d)" % rnd, st, 200)

    # Lockout: 5 failures in a row, then even the right password gets 423.
    srv.register("lock@example.com", "right-password", "Locked")
    srv.register("bystander@example.com", "right-password", "Bystander")
    codes = [srv.http("POST", L, {"email": "lock@example.com", "password": "wrong-%d" % i})[0]
             for i in range(5)]
    C.eq("lockout: five wrong passwords -> 401 each", codes, [401] * 5)
    C.error("lockout: right password after 5 failures -> 423",
            srv.http("POST", L, {"email": "lock@example.com", "password": "right-password"}),
            423, "locked")
    C.error("lockout: wrong password while locked -> 423",
            srv.http("POST", L, {"email": "lock@example.com", "password": "wrong"}), 423, "locked")
    C.error("lockout: other case of the email is locked too",
            srv.http("POST", L, {"email": "LOCK@example.com", "password": "right-password"}),
            423, "locked")
    st, _, _ = srv.http("POST", L, {"email": "bystander@example.com", "password": "right-password"})
    C.eq("lockout: other accounts unaffected", st, 200)


def t_tokens(srv):
    a = srv.register("tokens@example.com", "password123", "Tok")
    acc, ref = a["access_token"], a["refresh_token"]
    st, _, b = srv.http("POST", "/api/v1/auth/refresh", {"refresh_token": ref})
    check_auth_shape("refresh", b, st, 200)
    if st != 200:
        return
    acc2, ref2 = b["access_token"], b["refresh_token"]
    C.check("refresh: a new pair", acc2 != acc and ref2 != ref, b)
    C.eq("refresh: new access token works", srv.http("GET", "/api/v1/me", token=acc2)[0], 200)
    C.error("refresh: old refresh token refused afterwards",
            srv.http("POST", "/api/v1/auth/refresh", {"refresh_token": ref}), 401, "unauthorized")
    C.error("refresh: old access token refused afterwards",
            srv.http("GET", "/api/v1/me", token=acc), 401, "unauthorized")
    C.error("refresh: an access token is not a refresh token",
            srv.http("POST", "/api/v1/auth/refresh", {"refresh_token": acc2}), 401, "unauthorized")
    C.error("refresh: unknown token -> 401",
            srv.http("POST", "/api/v1/auth/refresh", {"refresh_token": "x" * 43}), 401, "unauthorized")
    C.error("refresh: missing field -> 422",
            srv.http("POST", "/api/v1/auth/refresh", {}), 422, "validation_failed", "refresh_token")
    C.error("refresh: not a string -> 422",
            srv.http("POST", "/api/v1/auth/refresh", {"refresh_token": 7}), 422,
            "validation_failed", "refresh_token")

    # Two parallel refreshes of one token: only one wins.
    res = []
    ths = [threading.Thread(target=lambda: res.append(
        srv.http("POST", "/api/v1/auth/refresh", {"refresh_token": ref2})[0])) for _ in range(4)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    C.eq("refresh race: one 200, three 401", sorted(res), [200, 401, 401, 401])

    # Logout: that access token and its refresh token stop; another session goes on.
    s1 = srv.login("tokens@example.com")
    s2 = srv.login("tokens@example.com")
    st, h, body = srv.http("POST", "/api/v1/auth/logout", token=s1["access_token"])
    C.check("logout: 204 with an empty body", st == 204 and body == "", (st, body))
    C.error("logout: access token refused afterwards",
            srv.http("GET", "/api/v1/me", token=s1["access_token"]), 401, "unauthorized")
    C.error("logout: its refresh token refused afterwards",
            srv.http("POST", "/api/v1/auth/refresh", {"refresh_token": s1["refresh_token"]}),
            401, "unauthorized")
    C.eq("logout: another session of the same user still works",
         srv.http("GET", "/api/v1/me", token=s2["access_token"])[0], 200)
    C.error("logout: twice -> 401", srv.http("POST", "/api/v1/auth/logout", token=s1["access_token"]),
            401, "unauthorized")
    C.error("logout: without a token -> 401", srv.http("POST", "/api/v1/auth/logout"),
            401, "unauthorized")
    st, _, _ = srv.http("POST", "/api/v1/auth/logout", {"anything": 1}, token=s2["access_token"])
    C.eq("logout: a body is allowed (ignored)", st, 204)


def t_me(srv):
    a = srv.register("me@example.com", "password123", "Me Myself")
    tok = a["access_token"]
    st, _, u = srv.http("GET", "/api/v1/me", token=tok)
    C.eq("me: 200", st, 200)
    C.eq("me: User keys", set(u) if isinstance(u, dict) else u, USER_KEYS)
    C.eq("me: same user as registered", u.get("id"), a["user"]["id"])
    C.error("me: no token -> 401", srv.http("GET", "/api/v1/me"), 401, "unauthorized")
    C.error("me: unknown token -> 401", srv.http("GET", "/api/v1/me", token="not-a-token"),
            401, "unauthorized")
    C.error("me: wrong scheme -> 401",
            srv.http("GET", "/api/v1/me", headers={"Authorization": "Token " + tok}), 401, "unauthorized")
    st, _, u = srv.http("GET", "/api/v1/me", headers={"Authorization": "bearer " + tok})
    C.eq("me: 'bearer' scheme is case-insensitive", st, 200)

    P = "/api/v1/me"
    st, _, u = srv.http("PATCH", P, {"name": "New Name"}, token=tok)
    C.check("me patch: name -> 200 updated", st == 200 and u.get("name") == "New Name", u)
    st, _, u = srv.http("PATCH", P, {"shipping_address": ADDRESS}, token=tok)
    C.check("me patch: address -> 200 saved", st == 200 and u.get("shipping_address") == ADDRESS, u)
    C.check("me patch: name untouched by an address-only patch", u.get("name") == "New Name", u)
    addr2 = dict(ADDRESS, line2="Flat 3")
    st, _, u = srv.http("PATCH", P, {"shipping_address": addr2}, token=tok)
    C.check("me patch: optional line2 kept", st == 200 and u.get("shipping_address") == addr2, u)
    st, _, u = srv.http("GET", P, token=tok)
    C.eq("me: GET shows the saved address", u.get("shipping_address"), addr2)

    bad = [
        ("empty name", {"name": ""}, "name"),
        ("name 101 chars", {"name": "x" * 101}, "name"),
        ("name a number", {"name": 42}, "name"),
        ("address a string", {"shipping_address": "12 Main St"}, "shipping_address"),
        ("address an array", {"shipping_address": [ADDRESS]}, "shipping_address"),
    ]
    for f in ("name", "line1", "city", "postal_code", "country"):
        addr = dict(ADDRESS)
        del addr[f]
        bad.append(("address without " + f, {"shipping_address": addr}, "shipping_address." + f))
    bad += [
        ("postal_code 21 chars", {"shipping_address": dict(ADDRESS, postal_code="1" * 21)},
         "shipping_address.postal_code"),
        ("line1 empty", {"shipping_address": dict(ADDRESS, line1="")}, "shipping_address.line1"),
        ("city a number", {"shipping_address": dict(ADDRESS, city=7)}, "shipping_address.city"),
        ("good name, bad address", {"name": "Should Not Stick",
                                    "shipping_address": dict(ADDRESS, country="")},
         "shipping_address.country"),
    ]
    for label, body, field in bad:
        C.error("me patch: %s -> 422 %s" % (label, field), srv.http("PATCH", P, body, token=tok),
                422, "validation_failed", field)
    st, _, u = srv.http("GET", P, token=tok)
    C.check("me patch: refused patches changed nothing",
            u.get("name") == "New Name" and u.get("shipping_address") == addr2, u)
    st, _, u = srv.http("PATCH", P, {"email": "evil@example.com", "role": "seller", "id": 1},
                        token=tok)
    C.check("me patch: email/role/id are not writable (ignored)",
            st == 200 and u.get("email") == "me@example.com" and u.get("role") == "shopper"
            and u.get("id") == a["user"]["id"], u)
    st, _, u = srv.http("PATCH", P, {"shipping_address": None}, token=tok)
    C.check("me patch: null clears the address", st == 200 and u.get("shipping_address") is None, u)
    C.error("me patch: no token -> 401", srv.http("PATCH", P, {"name": "x"}), 401, "unauthorized")


# ---------------------------------------------------------------------------------
CATALOG = [
    # title, description, price, stock, category, tags
    ("Dark Roast Coffee Beans", "Whole beans, roasted dark and oily.", 1299, 40, "Coffee", ["coffee", "beans"]),
    ("Espresso Roast", "Ground coffee for espresso machines.", 1099, 30, "Coffee", ["espresso"]),
    ("Light Roast Coffee Bean", "A single origin bean, roasted light.", 1499, 10, "Coffee", ["coffee"]),
    ("Decaf Coffee", "Swiss water decaf, medium roast.", 999, 5, "Coffee", ["decaf"]),
    ("Green Tea", "Sencha leaves from Japan.", 599, 50, "Tea", ["tea", "green"]),
    ("Earl Grey Tea Bags", "Black tea with bergamot, 50 bags.", 449, 60, "Tea", ["tea", "black"]),
    ("Crème Brûlée Cookies", "Butter cookies with caramel.", 349, 20, "Bakery", ["cookies", "sweet"]),
    ("Sourdough Loaf", "Naturally leavened bread.", 599, 8, "Bakery", ["bread"]),
    ("Oat Milk", "Barista edition, good with espresso drinks.", 399, 25, "Dairy & Alternatives", ["milk", "oat"]),
    ("Whole Milk", "One gallon of whole milk.", 429, 25, "Dairy & Alternatives", ["milk"]),
    ("Stainless Steel Kettle", "Gooseneck kettle for pour over coffee.", 3999, 3, "Kitchen", ["kettle"]),
    ("Free Sample Sachet", "A tiny coffee sample.", 0, 1000, "Coffee", ["sample", "coffee"]),
]


def seed(srv):
    s1 = srv.register("beanery@example.com", "password123", "The Beanery", "seller")
    s2 = srv.register("bakery@example.com", "password123", "Corner Bakery", "seller")
    made = []
    for i, (title, desc, price, stock, cat, tags) in enumerate(CATALOG):
        owner = s2 if cat in ("Bakery", "Dairy & Alternatives") else s1
        p = srv.create_product(owner["access_token"], title=title, description=desc,
                               price_cents=price, stock=stock, category=cat, tags=tags)
        made.append(p)
    return s1, s2, made


def t_product_create(srv, s1, shopper):
    P = "/api/v1/products"
    tok = s1["access_token"]
    good = {"title": "Test Mug", "description": "A mug.", "price_cents": 850, "stock": 12,
            "category": "Kitchen", "tags": ["mug", "ceramic"]}
    st, _, p = srv.http("POST", P, good, token=tok)
    C.eq("create: seller -> 201", st, 201)
    C.eq("create: Product keys", set(p) if isinstance(p, dict) else p, PRODUCT_KEYS)
    want = dict(good, seller_id=s1["user"]["id"], seller_name="The Beanery", currency="USD",
                status="active")
    C.check("create: fields echoed", all(p.get(k) == v for k, v in want.items()), p)
    C.check("create: times RFC 3339", RFC3339.match(str(p.get("created_at")))
            and RFC3339.match(str(p.get("updated_at"))), p)
    st, _, g = srv.http("GET", "%s/%d" % (P, p["id"]))
    C.check("create: GET returns the same product", st == 200 and g == p, (st, g))
    st, _, p2 = srv.http("POST", P, {"title": "Minimal", "price_cents": 1, "stock": 0,
                                     "category": "Kitchen"}, token=tok)
    C.check("create: optional description/tags default to '' and []",
            st == 201 and p2.get("description") == "" and p2.get("tags") == [], p2)

    C.error("create: shopper -> 403", srv.http("POST", P, good, token=shopper["access_token"]),
            403, "forbidden")
    C.error("create: no token -> 401", srv.http("POST", P, good), 401, "unauthorized")
    C.error("create: bad token -> 401", srv.http("POST", P, good, token="zzz"), 401, "unauthorized")

    before = srv.http("GET", "/api/v1/seller/products?limit=1", token=tok)[2]["total"]
    bad = [
        ("empty title", {"title": ""}, "title"),
        ("title 201 chars", {"title": "t" * 201}, "title"),
        ("missing title", {"title": None}, "title"),
        ("title a number", {"title": 5}, "title"),
        ("description 5001 chars", {"description": "d" * 5001}, "description"),
        ("description a list", {"description": ["x"]}, "description"),
        ("negative price", {"price_cents": -1}, "price_cents"),
        ("huge price", {"price_cents": 100000001}, "price_cents"),
        ("price 12.5", {"price_cents": 12.5}, "price_cents"),
        ("price \"12\"", {"price_cents": "12"}, "price_cents"),
        ("price 1e308", {"price_cents": 1e308}, "price_cents"),
        ("price true", {"price_cents": True}, "price_cents"),
        ("missing price", {"price_cents": None}, "price_cents"),
        ("negative stock", {"stock": -1}, "stock"),
        ("stock 1000001", {"stock": 1000001}, "stock"),
        ("stock 1.5", {"stock": 1.5}, "stock"),
        ("stock \"3\"", {"stock": "3"}, "stock"),
        ("missing stock", {"stock": None}, "stock"),
        ("empty category", {"category": ""}, "category"),
        ("category 65 chars", {"category": "c" * 65}, "category"),
        ("missing category", {"category": None}, "category"),
        ("21 tags", {"tags": ["t%d" % i for i in range(21)]}, "tags"),
        ("empty tag", {"tags": ["ok", ""]}, "tags"),
        ("tag 33 chars", {"tags": ["x" * 33]}, "tags"),
        ("tag a number", {"tags": [1]}, "tags"),
        ("tags a string", {"tags": "a,b"}, "tags"),
        ("currency EUR", {"currency": "EUR"}, "currency"),
        ("status unknown", {"status": "deleted"}, "status"),
    ]
    for label, change, field in bad:
        body = dict(good)
        body.update(change)
        body = {k: v for k, v in body.items() if v is not None}
        C.error("create: %s -> 422 %s" % (label, field), srv.http("POST", P, body, token=tok),
                422, "validation_failed", field)
    after = srv.http("GET", "/api/v1/seller/products?limit=1", token=tok)[2]["total"]
    C.eq("create: refused creates wrote nothing", after, before)

    edges = [
        ("price 0", {"price_cents": 0}), ("price 100000000", {"price_cents": 100000000}),
        ("stock 0", {"stock": 0}), ("stock 1000000", {"stock": 1000000}),
        ("title 200 chars", {"title": "t" * 200}), ("title 200 non-ASCII chars", {"title": "ü" * 200}),
        ("description 5000 chars", {"description": "d" * 5000}),
        ("category 64 chars", {"category": "c" * 64}),
        ("20 tags of 32 chars", {"tags": [("%02d" % i) * 16 for i in range(20)]}),
        ("price 12.0 (integral)", {"price_cents": 12.0}),
    ]
    made = []
    for label, change in edges:
        body = dict(good)
        body.update(change)
        st, _, p = srv.http("POST", P, body, token=tok)
        C.eq("create: %s -> 201" % label, st, 201)
        if st == 201:
            made.append(p["id"])
    # Clean up so that search totals in later tests only see the seeded catalog.
    for pid in made + [p2.get("id")] + [g.get("id")]:
        if pid:
            srv.http("DELETE", "%s/%d" % (P, pid), token=tok)


def t_product_get_patch_delete(srv, s1, s2, shopper):
    P = "/api/v1/products"
    t1, t2 = s1["access_token"], s2["access_token"]
    p = srv.create_product(t1, title="Zebrawood Cutting Board", description="Solid hardwood.",
                           price_cents=4500, stock=4, category="Kitchen", tags=["board"])
    url = "%s/%d" % (P, p["id"])
    C.eq("get: anonymous -> 200", srv.http("GET", url)[0], 200)
    C.eq("get: a shopper -> 200", srv.http("GET", url, token=shopper["access_token"])[0], 200)
    C.error("get: unknown id -> 404", srv.http("GET", P + "/987654"), 404, "not_found")

    st, _, q = srv.http("PATCH", url, {"price_cents": 3999, "tags": ["board", "walnut", "wood"]},
                        token=t1)
    C.check("patch: own product -> 200 updated", st == 200 and q.get("price_cents") == 3999
            and q.get("tags") == ["board", "walnut", "wood"], q)
    C.check("patch: untouched fields kept", q.get("title") == p["title"]
            and q.get("stock") == 4 and q.get("description") == "Solid hardwood.", q)
    C.check("patch: updated_at >= created_at", str(q.get("updated_at")) >= str(q.get("created_at")), q)
    C.error("patch: other seller -> 403", srv.http("PATCH", url, {"price_cents": 1}, token=t2),
            403, "forbidden")
    C.error("patch: shopper -> 403", srv.http("PATCH", url, {"price_cents": 1},
                                              token=shopper["access_token"]), 403, "forbidden")
    C.error("patch: no token -> 401", srv.http("PATCH", url, {"price_cents": 1}), 401, "unauthorized")
    C.error("patch: unknown id -> 404", srv.http("PATCH", P + "/987654", {"price_cents": 1}, token=t1),
            404, "not_found")
    for label, body, field in [("negative price", {"price_cents": -5}, "price_cents"),
                               ("empty title", {"title": ""}, "title"),
                               ("stock string", {"stock": "9"}, "stock"),
                               ("good title, bad stock", {"title": "Changed", "stock": -1}, "stock"),
                               ("tags not a list", {"tags": {"a": 1}}, "tags")]:
        C.error("patch: %s -> 422 %s" % (label, field), srv.http("PATCH", url, body, token=t1),
                422, "validation_failed", field)
    st, _, q2 = srv.http("GET", url)
    C.check("patch: refused patches changed nothing",
            q2.get("title") == p["title"] and q2.get("price_cents") == 3999 and q2.get("stock") == 4, q2)

    # Search follows edits.
    st, _, q = srv.http("PATCH", url, {"title": "Maple Cutting Board"}, token=t1)
    C.eq("patch: retitle -> 200", st, 200)
    C.check("patch: search finds the new title word", found(srv, p["id"], q="maple") is True)
    C.check("patch: search no longer finds the old title word",
            found(srv, p["id"], q="zebrawood") is False)

    # Delete archives.
    C.error("delete: other seller -> 403", srv.http("DELETE", url, token=t2), 403, "forbidden")
    C.error("delete: no token -> 401", srv.http("DELETE", url), 401, "unauthorized")
    C.error("delete: unknown id -> 404", srv.http("DELETE", P + "/987654", token=t1), 404, "not_found")
    cats_before = {c["name"]: c["count"] for c in srv.http("GET", "/api/v1/categories")[2]["items"]}
    st, _, body = srv.http("DELETE", url, token=t1)
    C.check("delete: 204 empty body", st == 204 and body == "", (st, body))
    C.error("get: archived -> 404 for anonymous", srv.http("GET", url), 404, "not_found")
    C.error("get: archived -> 404 for another seller", srv.http("GET", url, token=t2), 404, "not_found")
    C.error("get: archived -> 404 for a shopper", srv.http("GET", url, token=shopper["access_token"]),
            404, "not_found")
    st, _, a = srv.http("GET", url, token=t1)
    C.check("get: archived -> 200 for its seller, status archived",
            st == 200 and a.get("status") == "archived", (st, a))
    C.check("delete: gone from search", found(srv, p["id"], q="maple") is False)
    C.check("delete: gone from the list", found(srv, p["id"]) is False)
    cats_after = {c["name"]: c["count"] for c in srv.http("GET", "/api/v1/categories")[2]["items"]}
    C.eq("delete: category count down by one", cats_after.get("Kitchen", 0),
         cats_before.get("Kitchen", 0) - 1)
    st, _, sp = srv.http("GET", "/api/v1/seller/products?limit=100", token=t1)
    arch = [x for x in sp.get("items", []) if x["id"] == p["id"]]
    C.check("seller products: includes the archived one",
            st == 200 and arch and arch[0]["status"] == "archived", sp)
    st, _, q = srv.http("PATCH", url, {"status": "active"}, token=t1)
    C.check("patch: status active brings it back to search",
            st == 200 and found(srv, p["id"], q="maple") is True, q)
    srv.http("DELETE", url, token=t1)


def t_search(srv, made, s1, s2):
    by_title = {p["title"]: p for p in made}
    active = list(made)

    def find(label, q, must=(), must_not=(), **extra):
        st, b = products(srv, q=q, limit=100, **extra)
        got = [p["title"] for p in b.get("items", [])] if isinstance(b, dict) else []
        ok = st == 200 and all(m in got for m in must) and not any(m in got for m in must_not)
        C.check("search: %s (q=%r)" % (label, q), ok, (st, got))
        return got

    find("a word", "espresso", ["Espresso Roast", "Oat Milk"], ["Green Tea"])
    find("two words are ANDed", "roast coffee", ["Dark Roast Coffee Beans", "Light Roast Coffee Bean"],
         ["Earl Grey Tea Bags", "Oat Milk"])
    find("plural finds singular (porter)", "beans", ["Light Roast Coffee Bean", "Dark Roast Coffee Beans"])
    find("singular finds plural (porter)", "cookie", ["Crème Brûlée Cookies"])
    find("stemmed verb", "roasting", ["Dark Roast Coffee Beans"])
    find("prefix", "espr", ["Espresso Roast"])
    find("upper case", "ESPRESSO", ["Espresso Roast"])
    find("diacritics folded", "creme brulee", ["Crème Brûlée Cookies"])
    find("accented query", "crème", ["Crème Brûlée Cookies"])
    find("matches tags", "bergamot", ["Earl Grey Tea Bags"])
    find("matches category", "bakery", ["Sourdough Loaf"])
    got = find("no match", "zebra")
    C.eq("search: no match -> empty page", got, [])
    hostile = ['"dark roast" OR (x) AND title:foo * ^ -', '"', '""', "'", "*", "^", "-", ":", "(",
               ")", "NEAR(a b)", "AND", "OR NOT", "title:", "coffee OR", "NOT coffee",
               "col:coffee", "%", "%%", "\\", "{}", "[]", "coffee;", "'; DROP TABLE products; --",
               "☕ coffee", "🍪", "日本茶", "x" * 500, "a " * 400, "\t\n", "+coffee", "coffee*",
               "c*o*f*f*e*e", "\"coffee"]
    for q in hostile:
        st, b = products(srv, q=q)
        C.check("search: hostile q=%r -> 200 page" % q[:40],
                st == 200 and isinstance(b, dict) and isinstance(b.get("items"), list), (st, b))
    st, b = products(srv, q='"dark roast" OR (x) AND title:foo')
    C.check("search: operators are words, not syntax (no 'x'/'foo' product -> empty)",
            st == 200 and b.get("total") == 0, b)
    st, b = products(srv, q="coffee-beans")
    C.check("search: punctuation splits words", st == 200 and "Dark Roast Coffee Beans" in
            [p["title"] for p in b.get("items", [])], b)

    # Relevance: a title hit ranks above a description-only hit.
    st, b = products(srv, q="espresso")
    t = [p["title"] for p in b.get("items", [])]
    C.check("search: relevance default with q (title hit first)",
            st == 200 and t and t[0] == "Espresso Roast", t)
    st, b2 = products(srv, q="espresso", sort="relevance")
    C.eq("search: sort=relevance same as default", ids(b2), ids(b))

    # Filters.
    def expect(label, params, pred):
        st, b = products(srv, limit=100, **params)
        want = sorted(p["id"] for p in active if pred(p))
        got = sorted(ids(b) or [])
        C.check("filter: %s" % label, st == 200 and got == want and b.get("total") == len(want),
                (st, got, want))

    expect("category", {"category": "Tea"}, lambda p: p["category"] == "Tea")
    expect("category case-insensitive", {"category": "coffee"}, lambda p: p["category"] == "Coffee")
    expect("category with & and spaces", {"category": "Dairy & Alternatives"},
           lambda p: p["category"] == "Dairy & Alternatives")
    expect("unknown category", {"category": "Nope"}, lambda p: False)
    expect("min_price", {"min_price": 1000}, lambda p: p["price_cents"] >= 1000)
    expect("max_price", {"max_price": 500}, lambda p: p["price_cents"] <= 500)
    expect("min and max", {"min_price": 500, "max_price": 1300},
           lambda p: 500 <= p["price_cents"] <= 1300)
    expect("max_price 0", {"max_price": 0}, lambda p: p["price_cents"] == 0)
    expect("seller_id", {"seller_id": s2["user"]["id"]}, lambda p: p["seller_id"] == s2["user"]["id"])
    expect("seller_id unknown", {"seller_id": 99999}, lambda p: False)
    expect("q + category + max_price", {"q": "coffee", "category": "Coffee", "max_price": 1200},
           lambda p: p["category"] == "Coffee" and p["price_cents"] <= 1200
           and "coffee" in (p["title"] + p["description"] + " ".join(p["tags"])).lower())

    # Sorts.
    st, b = products(srv, sort="price_asc", limit=100)
    pr = [p["price_cents"] for p in b.get("items", [])]
    C.check("sort: price_asc ascending", st == 200 and pr == sorted(pr) and len(pr) == len(active), pr)
    st, b = products(srv, sort="price_desc", limit=100)
    pr = [p["price_cents"] for p in b.get("items", [])]
    C.check("sort: price_desc descending", st == 200 and pr == sorted(pr, reverse=True), pr)
    st, b = products(srv, q="coffee", sort="price_asc", limit=100)
    pr = [p["price_cents"] for p in b.get("items", [])]
    C.check("sort: q with price_asc ascending", st == 200 and pr == sorted(pr) and len(pr) >= 4, pr)
    st, b = products(srv, sort="newest", limit=100)
    key = [(p["created_at"], p["id"]) for p in b.get("items", [])]
    C.check("sort: newest (created_at, id descending)", st == 200 and key == sorted(key, reverse=True), key)
    st, b2 = products(srv, limit=100)
    C.eq("sort: newest is the default without q", ids(b2), ids(b))
    for bad in ("cheapest", "PRICE_ASC", "", "price_asc;drop"):
        if bad == "":
            continue  # an empty sort is the default
        C.error("sort: %r -> 400" % bad, srv.http("GET", "/api/v1/products?sort=" + quote(bad)),
                400, "bad_request", "sort")

    # Pages.
    st, all_ = products(srv, sort="price_asc", limit=100)
    st1, p1 = products(srv, sort="price_asc", limit=5, offset=0)
    st2, p2 = products(srv, sort="price_asc", limit=5, offset=5)
    C.check("page: limit/offset slice the list", st1 == 200 and st2 == 200
            and ids(p1) + ids(p2) == ids(all_)[:10], (ids(p1), ids(p2), ids(all_)))
    C.check("page: total, limit, offset echoed", p2.get("total") == len(active)
            and p2.get("limit") == 5 and p2.get("offset") == 5, p2)
    st, b = products(srv)
    C.check("page: default limit 20, offset 0", b.get("limit") == 20 and b.get("offset") == 0, b)
    st, b = products(srv, offset=1000)
    C.check("page: offset past the end -> empty items, same total",
            st == 200 and b.get("items") == [] and b.get("total") == len(active), b)
    C.eq("page: limit=100 ok", products(srv, limit=100)[0], 200)
    C.eq("page: limit=1 ok", len(products(srv, limit=1)[1].get("items", [])), 1)
    for q in ("limit=0", "limit=101", "limit=abc", "limit=-1", "limit=", "limit=1.5", "offset=-1",
              "offset=abc", "min_price=abc", "min_price=-5", "max_price=1e3", "seller_id=0",
              "seller_id=x", "limit=99999999999999999999999"):
        C.error("page: %s -> 400 bad_request" % q, srv.http("GET", "/api/v1/products?" + q),
                400, "bad_request", q.split("=")[0])

    # Categories.
    st, _, b = srv.http("GET", "/api/v1/categories")
    want = {}
    for p in active:
        want[p["category"]] = want.get(p["category"], 0) + 1
    got = {c["name"]: c["count"] for c in b.get("items", [])} if st == 200 else None
    C.eq("categories: names and counts of active products", got, want)
    names = [c["name"] for c in b.get("items", [])]
    C.eq("categories: sorted by name", names, sorted(names, key=str.lower))

    # The seller's own list.
    st, _, b = srv.http("GET", "/api/v1/seller/products?limit=100", token=s2["access_token"])
    mine = sorted(p["id"] for p in active if p["seller_id"] == s2["user"]["id"])
    C.check("seller products: only own products", st == 200 and sorted(ids(b)) == mine, (ids(b), mine))
    st, _, b = srv.http("GET", "/api/v1/seller/products?limit=2&offset=1", token=s2["access_token"])
    C.check("seller products: paged", st == 200 and len(b.get("items", [])) == 2
            and b.get("total") == len(mine), b)
    C.error("seller products: limit=0 -> 400",
            srv.http("GET", "/api/v1/seller/products?limit=0", token=s2["access_token"]),
            400, "bad_request")
    C.error("seller products: no token -> 401", srv.http("GET", "/api/v1/seller/products"),
            401, "unauthorized")


def t_routing(srv, shopper, s1):
    C.error("routing: unknown path -> 404", srv.http("GET", "/api/v1/nothing"), 404, "not_found")
    C.error("routing: unknown path at root -> 404", srv.http("GET", "/index.html"), 404, "not_found")
    C.error("routing: unknown POST path -> 404", srv.http("POST", "/api/v2/products", {}), 404, "not_found")
    C.error("routing: DELETE /health -> 405", srv.http("DELETE", "/health"), 405, "method_not_allowed")
    C.error("routing: PUT /api/v1/products -> 405", srv.http("PUT", "/api/v1/products", {}),
            405, "method_not_allowed")
    C.error("routing: GET /api/v1/auth/login -> 405", srv.http("GET", "/api/v1/auth/login"),
            405, "method_not_allowed")
    C.error("routing: POST /api/v1/categories -> 405", srv.http("POST", "/api/v1/categories", {}),
            405, "method_not_allowed")
    C.error("routing: PUT /api/v1/products/1 -> 405", srv.http("PUT", "/api/v1/products/1", {}),
            405, "method_not_allowed")
    st, _, _ = srv.http("GET", "/api/v1/categories/")
    C.eq("routing: a trailing slash is tolerated", st, 200)
    for bad in ("abc", "0", "-1", "1.5", "1e3", "%20", "99999999999999999999", "0x10", "+1"):
        C.error("routing: GET /products/%s -> 400" % bad, srv.http("GET", "/api/v1/products/" + bad),
                400, "bad_request")
    C.error("routing: PATCH /products/abc -> 400",
            srv.http("PATCH", "/api/v1/products/abc", {"title": "x"}, token=s1["access_token"]),
            400, "bad_request")
    C.error("routing: DELETE /products/0 -> 400",
            srv.http("DELETE", "/api/v1/products/0", token=s1["access_token"]), 400, "bad_request")
    C.error("routing: /products/1/extra -> 404", srv.http("GET", "/api/v1/products/1/extra"),
            404, "not_found")


def read_answers(sock, n, timeout=10):
    """Reads n whole HTTP/1.1 answers (Content-Length framed) from sock: a list of
    (status, headers, body bytes), shorter if the connection closed first."""
    sock.settimeout(timeout)
    blob, out = b"", []
    while len(out) < n:
        head, sep, rest = blob.partition(b"\r\n\r\n")
        if sep:
            lines = head.decode("latin-1").split("\r\n")
            hs = {k.strip().lower(): v.strip() for k, _, v in
                  (l.partition(":") for l in lines[1:])}
            want = int(hs.get("content-length", "0"))
            if len(rest) >= want:
                out.append((int(lines[0].split()[1]), hs, rest[:want]))
                blob = rest[want:]
                continue
        try:
            b = sock.recv(65536)
        except OSError:
            break
        if not b:
            break
        blob += b
    return out


def t_product_by_id_loop(srv, s1):
    """GET /api/v1/products/{id} of a cached active product is answered in the event
    loop's request callback (issue 16): the same bytes and headers as the worker's
    answer, in order when pipelined, and the usual path for anything unusual."""
    p = srv.create_product(s1["access_token"], title="Loop Path Teapot", price_cents=2100,
                           stock=3, category="Loop Test", tags=["teapot"])
    url = "/api/v1/products/%d" % p["id"]
    first = srv.http("GET", url)  # the worker's answer, which caches the JSON
    again = [srv.http("GET", url) for _ in range(3)]
    C.check("by id: cached answers are the worker's answer", all(a[0] == 200 and a[2] == first[2]
            for a in again), (first, again))
    keep = ("content-type", "content-length", "cache-control", "server")
    C.eq("by id: cached answers have the worker's headers",
         [{k: a[1].get(k) for k in keep} for a in again], [{k: first[1].get(k) for k in keep}] * 3)
    raw_first = lib.raw_request(srv.port, ("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % url).encode())
    C.eq("by id: raw body is the JSON", raw_first[2], first[2])
    # Pipelined on one connection: each answered, in order, then the connection still works.
    other = srv.create_product(s1["access_token"], title="Loop Path Kettle", price_cents=3300)
    srv.http("GET", "/api/v1/products/%d" % other["id"])
    paths = [url, "/api/v1/products/%d" % other["id"], "/api/v1/products/987654", "/health", url]
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    try:
        sock.sendall(b"".join(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % q).encode() for q in paths))
        got = read_answers(sock, len(paths))
        C.eq("by id: pipelined answers, in order", [g[0] for g in got], [200, 200, 404, 200, 200])
        ids = [json.loads(g[2]).get("id") for g in got if g[0] == 200 and b'"id"' in g[2]]
        C.eq("by id: pipelined answers carry their own product", ids, [p["id"], other["id"], p["id"]])
        sock.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % url).encode())
        got = read_answers(sock, 1)
        C.check("by id: the connection serves another request after them",
                len(got) == 1 and got[0][0] == 200, got)
    finally:
        sock.close()
    # A request with a body, HTTP/1.0, and a closing request take their usual ways.
    st, _, b = lib.raw_request(srv.port, ("GET %s HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
                                          % url).encode())
    C.check("by id: GET with Content-Length: 0 -> 200", st == 200 and b == first[2], (st, b))
    st, h, b = lib.raw_request(srv.port, ("GET %s HTTP/1.0\r\n\r\n" % url).encode())
    C.check("by id: HTTP/1.0 -> 200, same JSON", st == 200 and b == first[2], (st, h, b))
    # A change is seen at once (the cached copy is stale from the commit on).
    st, _, q = srv.http("PATCH", url, {"price_cents": 2200}, token=s1["access_token"])
    C.eq("by id: patch -> 200", st, 200)
    st, _, q = srv.http("GET", url)
    C.check("by id: the next GET has the new price", st == 200 and q.get("price_cents") == 2200, q)
    C.eq("by id: twice", srv.http("GET", url)[2], q)


def burst_until_limited(fn, most=40):
    """Calls fn() (-> a response) until the first 429 or `most` calls; returns the
    responses and the seconds they took.  How many pass depends on how long they took
    (the bucket refills meanwhile), so the checks allow for it."""
    t0 = time.time()
    res = []
    while len(res) < most:
        res.append(fn())
        if res[-1][0] == 429:
            break
    return res, time.time() - t0


def t_rate_limit():
    # 2 requests a second, bursts of 5: a 429 comes after the burst as long as the
    # requests take under half a second each, however slow the machine.
    rate, burst = 2, 5
    cfg = "[auth]\nhash_cost = min\n[server]\nrate_limit = %d\nrate_burst = %d\n" % (rate, burst)
    refill = burst / float(rate) + 0.3
    with lib.Server(cfg, name="ratelimited") as srv:
        time.sleep(refill)  # the start-up /health polls took tokens: let the bucket refill
        res, secs = burst_until_limited(lambda: srv.http("GET", "/health"))
        codes = [r[0] for r in res]
        n_ok = codes.index(429) if 429 in codes else len(codes)
        most = burst + int(rate * secs) + 1  # the burst, what refilled meanwhile, rounding
        C.check("rate limit: the burst of %d goes through (at most %d in %.2f s)" % (burst, most, secs),
                burst <= n_ok <= most, codes)
        C.check("rate limit: then 429", codes[-1:] == [429], codes)
        limited = [r for r in res if r[0] == 429]
        if limited:
            C.error("rate limit: 429 rate_limited body", limited[0], 429, "rate_limited")
            ra = limited[0][1].get("retry-after")
            C.check("rate limit: Retry-After seconds header", ra is not None and ra.isdigit()
                    and int(ra) >= 1, limited[0][1])
        time.sleep(1.1)
        C.eq("rate limit: refilled after a second", srv.http("GET", "/health")[0], 200)
        # A cached product by id is answered in the event loop: limited all the same.
        time.sleep(refill)
        s = srv.register("limited-seller@example.com", "password123", "Limited", "seller")
        p = srv.create_product(s["access_token"], title="Limited Teapot")
        url = "/api/v1/products/%d" % p["id"]
        C.eq("rate limit: product by id -> 200", srv.http("GET", url)[0], 200)
        time.sleep(refill)
        res, secs = burst_until_limited(lambda: srv.http("GET", url))
        codes = [r[0] for r in res]
        n_ok = codes.index(429) if 429 in codes else len(codes)
        most = burst + int(rate * secs) + 1
        C.check("rate limit: cached product by id, the burst of %d goes through (at most %d in "
                "%.2f s)" % (burst, most, secs), burst <= n_ok <= most, codes)
        C.check("rate limit: cached product by id, then 429", codes[-1:] == [429], codes)
        st = srv.stop()
        C.eq("rate limit server: clean exit (SIGTERM -> 0)", st, 0)


def t_lockout_parallel():
    """Parallel wrong passwords must count one failure each: after 12 of them the
    account is locked, and no more than limit + in-flight (5 + 3 with 4 workers) got
    a 401.  A real Argon2 cost (interactive) widens the race window the way a real
    deployment has it."""
    cfg = "[auth]\nhash_cost = interactive\n[server]\nrate_limit = 0\n"
    with lib.Server(cfg, name="lockout") as srv:
        srv.register("victim@example.com", "right-password", "Victim")
        res = []

        def go(i):
            res.append(srv.http("POST", "/api/v1/auth/login",
                                {"email": "victim@example.com", "password": "guess-%d" % i})[0])
        ths = [threading.Thread(target=go, args=(i,)) for i in range(12)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        n401 = res.count(401)
        C.check("lockout parallel: at most 8 of 12 parallel guesses answered 401", n401 <= 8,
                sorted(res))
        C.error("lockout parallel: locked after 12 parallel wrong passwords",
                srv.http("POST", "/api/v1/auth/login", {"email": "victim@example.com",
                                                        "password": "right-password"}),
                423, "locked")


def t_search_scale():
    """Searches on a 20,000-product catalog answer well under a second.  (The FTS
    table must drive the join: probing it once per product row makes a search cost
    seconds here and minutes on 100,000 products.)"""
    import subprocess
    import tempfile
    root = lib.ROOT
    with tempfile.TemporaryDirectory(prefix="voxcart-scale-") as d:
        csv = os.path.join(d, "cat.csv")
        subprocess.run([sys.executable, os.path.join(root, "tests", "bench", "gen_catalog.py"),
                        "20000", csv], check=True)
        srv = lib.Server(args=["--import-catalog", csv], name="scale")
        # The import is not what is measured: on PostgreSQL it took 45-60 s at load
        # average 21-24 here (a 60 s limit failed make test-pg; each retry imports
        # again), 5 s on SQLite.
        srv.start(timeout=240)
        all_fast = True
        try:
            for label, path in (("q", "/api/v1/products?q=coffee"),
                                ("q + sort=price_asc", "/api/v1/products?q=coffee&sort=price_asc"),
                                ("q + sort=newest", "/api/v1/products?q=organic&sort=newest"),
                                ("q + max_price", "/api/v1/products?q=organic%20bananas&max_price=1000"),
                                ("q + category", "/api/v1/products?q=tea&category=Coffee%20%26%20Tea")):
                t0 = time.time()
                st, _, b = srv.http("GET", path, timeout=10, closed_ok=True)
                secs = time.time() - t0
                ok = st == 200 and isinstance(b, dict) and b.get("total", 0) > 0 and secs < 1.0
                all_fast = all_fast and ok
                C.check("search scale (20k products): %s answers 200 in < 1 s" % label, ok,
                        "status %r in %.2f s" % (st, secs))
        finally:
            st = srv.stop(timeout=60 if all_fast else 5)
        if all_fast:
            C.eq("search scale server: clean exit", st, 0)


def t_seller_privacy(srv, s1, s2, made):
    """Every seller endpoint shows a seller only their own lines and what they need to
    ship (name and address), never the payment or another seller's lines."""
    buyer = srv.register("privacy-buyer@example.com", "password123", "Pat Buyer")
    tok = buyer["access_token"]
    addr = {"name": "Pat Buyer", "line1": "9 Ship St", "city": "Leeds", "postal_code": "LS1",
            "country": "GB"}
    srv.http("PATCH", "/api/v1/me", {"shipping_address": addr}, token=tok)
    st, _, card = srv.http("POST", "/api/v1/payment-methods",
                           {"card_number": "5555555555554444", "exp_month": 12, "exp_year": 2031,
                            "cvc": "123"}, token=tok)
    mine1 = next(p for p in made if p["seller_id"] == s1["user"]["id"] and p["stock"] >= 5)
    mine2 = next(p for p in made if p["seller_id"] == s2["user"]["id"] and p["stock"] >= 5)
    for p in (mine1, mine2):
        srv.http("POST", "/api/v1/cart/items", {"product_id": p["id"], "quantity": 2}, token=tok)
    st, _, order = srv.http("POST", "/api/v1/orders", {"payment_method_id": card.get("id")},
                            token=tok)
    if not C.check("privacy fixture: an order with two sellers' items", st == 201 and
                   len(order.get("items", [])) == 2, (st, order)):
        return
    oid = order["id"]
    want_total = mine1["price_cents"] * 2

    def private(name, body):
        text = json.dumps(body)
        items = body.get("items", []) if isinstance(body, dict) else []
        C.check("seller privacy: %s: only own lines" % name, items and
                all(i.get("seller_id") == s1["user"]["id"] for i in items), body)
        C.check("seller privacy: %s: no payment, brand or last four" % name,
                "payment" not in body and "4444" not in text and "Mastercard" not in text
                and "user_id" not in body, body)
        C.check("seller privacy: %s: ships to the name and address" % name,
                body.get("shipping_address", {}).get("name") == "Pat Buyer" and
                body["shipping_address"].get("line1") == "9 Ship St", body)
        C.check("seller privacy: %s: totals of own lines only" % name,
                body.get("subtotal_cents") == want_total and body.get("total_cents") == want_total,
                body)

    t1 = s1["access_token"]
    st, _, page = srv.http("GET", "/api/v1/seller/orders", token=t1)
    listed = [o for o in page.get("items", []) if o.get("id") == oid] if st == 200 else []
    C.check("seller orders: the order is listed", len(listed) == 1, page)
    if listed:
        private("GET /seller/orders", listed[0])
    st, _, body = srv.http("GET", "/api/v1/orders/%d" % oid, token=t1)
    C.eq("seller GET /orders/{id}: 200", st, 200)
    private("GET /orders/{id}", body)
    st, _, body = srv.http("POST", "/api/v1/seller/orders/%d/ship" % oid, token=t1)
    C.eq("seller ship: 200", st, 200)
    private("POST /seller/orders/{id}/ship", body)
    st, _, body = srv.http("POST", "/api/v1/seller/orders/%d/ship" % oid, token=t1)
    private("POST /seller/orders/{id}/ship again", body)
    st, _, stats = srv.http("GET", "/api/v1/seller/stats", token=t1)
    text = json.dumps(stats)
    C.check("seller privacy: GET /seller/stats: own products only, no payment",
            st == 200 and all(t["product_id"] != mine2["id"] for t in stats.get("top_products", []))
            and all(p["seller_id"] == s1["user"]["id"] for p in stats.get("low_stock", []))
            and "4444" not in text and "Pat Buyer" not in text, stats)
    st, _, prods = srv.http("GET", "/api/v1/seller/products?limit=100", token=t1)
    C.check("seller privacy: GET /seller/products: own products only", st == 200 and
            all(p["seller_id"] == s1["user"]["id"] for p in prods.get("items", [])), prods)
    # the buyer still sees the whole order and its payment
    st, _, body = srv.http("GET", "/api/v1/orders/%d" % oid, token=tok)
    C.check("the buyer still sees every line and the payment", st == 200 and
            len(body.get("items", [])) == 2 and (body.get("payment") or {}).get("last4") == "4444",
            body)


def t_docs():
    """docs/protocol.md documents every route of server/routes.c, every buddy message
    type, and the audio frame; the README, man pages and HACKING.md point to it."""
    root = lib.ROOT
    doc_path = os.path.join(root, "docs", "protocol.md")
    doc = open(doc_path).read() if os.path.exists(doc_path) else ""
    C.check("docs/protocol.md exists in the repository", doc != "", doc_path)
    routes = re.findall(r'\{ M_(GET|POST|PUT|PATCH|DELETE), "([^"]+)"',
                        open(os.path.join(root, "server", "routes.c")).read())
    norm = lambda p: re.sub(r"\{[a-z_]+\}", "{}", p)  # noqa: E731
    documented = {(m, norm(p)) for m, p in re.findall(
        r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?]*)`", doc)}
    missing = ["%s %s" % r for r in routes if (r[0], norm(r[1])) not in documented]
    C.check("docs/protocol.md: every REST route (%d) is documented" % len(routes),
            routes and not missing, missing)
    types = ("hello", "say", "audio.start", "audio.stop", "cancel", "ping", "pong", "ready",
             "transcript", "reply.delta", "action", "reply.done", "error")
    C.check("docs/protocol.md: every buddy message type", all('`%s`' % t in doc or
            '"type":"%s"' % t in doc for t in types),
            [t for t in types if '`%s`' % t not in doc and '"type":"%s"' % t not in doc])
    C.check("docs/protocol.md: the audio frame header", "## The audio frame" in doc and
            "sequence number" in doc and "reserved" in doc, "")
    stale = [f for f in ("README.md", "HACKING.md", "man/voxcart.1", "man/voxcartd.8",
                         "man/voxcart-tui.1", "man/voxcart.conf.5")
             if "PROTOCOL.md" in open(os.path.join(root, f)).read()]
    C.check("README, HACKING.md and man pages point into the repo, not to PROTOCOL.md",
            not stale, stale)
    C.check("README links docs/protocol.md",
            "docs/protocol.md" in open(os.path.join(root, "README.md")).read(), "")
    conf = open(os.path.join(root, "config.example")).read()
    C.check("config.example has the [client] section with server",
            re.search(r"^\[client\]\n(#.*\n)*server = ", conf, re.M) is not None, conf[-300:])


def main():
    C.run("docs", t_docs)
    srv = lib.Server()
    srv.start()
    try:
        C.run("health", t_health, srv)
        C.run("register", t_register, srv)
        C.run("register race", t_register_race, srv)
        C.run("login", t_login, srv)
        C.run("tokens", t_tokens, srv)
        C.run("me", t_me, srv)
        shopper = srv.register("shopper@example.com", "password123", "Shopper")
        s1, s2, made = seed(srv)
        C.run("product create", t_product_create, srv, s1, shopper)
        C.run("product get/patch/delete", t_product_get_patch_delete, srv, s1, s2, shopper)
        C.run("search", t_search, srv, made, s1, s2)
        C.run("routing", t_routing, srv, shopper, s1)
        C.run("seller privacy", t_seller_privacy, srv, s1, s2, made)
        C.run("product by id in the loop", t_product_by_id_loop, srv, s1)
        C.check("server still alive after the API tests", srv.alive(), srv.log_tail())
    finally:
        st = srv.stop()
    C.eq("server: clean exit (SIGTERM -> 0)", st, 0)
    if st != 0:
        print(srv.log_tail())
    C.run("rate limit", t_rate_limit)
    C.run("lockout parallel", t_lockout_parallel)
    C.run("search scale", t_search_scale)
    C.finish()


if __name__ == "__main__":
    main()
