#!/usr/bin/env python3
"""test_hostile.py - hostile input against every endpoint that takes a body.

For every POST/PATCH/PUT route of PROTOCOL.md section 3: malformed JSON, JSON that
is not an object, invalid UTF-8, NUL bytes, a 1 MB body, 10000 levels of nesting,
wrong types, negative and huge numbers.  Then header junk, unknown paths and
methods.  Each answer must be a 4xx with the error body {"error":{"code","message"}}
and the code of PROTOCOL.md's table; nothing may be written (the state read back
through GETs is unchanged); the server keeps serving (GET /health after each batch)
and exits 0 on SIGTERM at the end.  SQL-looking strings must be stored verbatim.

Every endpoint has its handler: one answering 501 (not implemented) fails the check
"is implemented" and its field checks are skipped.  For the auth and catalog
endpoints the exact status, code and field are checked; for the others, any 4xx
whose code matches the table.
"""

import os
import socket
import sys
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

C = lib.Checks("test_hostile")
TABLE = {
    400: {"invalid_json", "bad_request"}, 401: {"unauthorized"}, 402: {"payment_declined"},
    403: {"forbidden"}, 404: {"not_found"}, 405: {"method_not_allowed"},
    409: {"conflict", "out_of_stock"}, 413: {"payload_too_large"},
    422: {"validation_failed"}, 423: {"locked"}, 429: {"rate_limited"},
}
SQL = "'; DROP TABLE users; --"
NOTES = []


def note(msg):
    NOTES.append(msg)


def client_error(name, resp):
    """Any 4xx with a well-formed error body whose code fits the status."""
    st, hdrs, body = resp
    err = body.get("error") if isinstance(body, dict) else None
    ok = (isinstance(st, int) and 400 <= st < 500 and isinstance(err, dict)
          and err.get("code") in TABLE.get(st, ()) and isinstance(err.get("message"), str)
          and "json" in hdrs.get("content-type", ""))
    return C.check(name, ok, "status %r body %r" % (st, lib._short(body)))


def answered_or_closed(name, resp):
    """For input libwebsockets refuses before voxcartd sees it: a 4xx (any body) or
    a closed connection is acceptable; a 2xx/5xx is not.  Non-JSON answers are noted."""
    st, hdrs, body = resp
    ok = st is None or 400 <= st < 500
    if ok and st is not None and "json" not in hdrs.get("content-type", ""):
        note("%s: answered %s %s by libwebsockets, not a JSON error body"
             % (name, st, hdrs.get("content-type")))
    elif ok and st is None:
        note("%s: connection closed without an answer (libwebsockets)" % name)
    return C.check(name, ok, "status %r body %r" % (st, lib._short(body)))


def health(srv, after):
    st = srv.http("GET", "/health", closed_ok=True)[0]
    C.check("server still serving after %s" % after, st == 200 and srv.alive(),
            "health %r; log:\n%s" % (st, srv.log_tail(15)))


# ---------------------------------------------------------------------------------
def body_attacks():
    """(label, raw bytes, status, code) refused before any handler runs."""
    deep_arr = b"[" * 10000 + b"]" * 10000
    deep_obj = b'{"a":' * 10000 + b"1" + b"}" * 10000
    deep_in_field = b'{"name":' + b"[" * 10000 + b"]" * 10000 + b"}"
    return [
        ("truncated object", b"{", 400, "invalid_json"),
        ("missing value", b'{"a":}', 400, "invalid_json"),
        ("single quotes", b"{'a': 1}", 400, "invalid_json"),
        ("trailing comma", b'{"a": 1,}', 400, "invalid_json"),
        ("unquoted key", b"{a: 1}", 400, "invalid_json"),
        ("two objects", b'{"a":1}{"b":2}', 400, "invalid_json"),
        ("trailing garbage", b'{"a":1} trailing', 400, "invalid_json"),
        ("NaN literal", b'{"a": NaN}', 400, "invalid_json"),
        ("Infinity literal", b'{"a": Infinity}', 400, "invalid_json"),
        ("hex number", b'{"a": 0x10}', 400, "invalid_json"),
        ("comment", b'{"a": 1 /* c */}', 400, "invalid_json"),
        ("unterminated string", b'{"a": "abc}', 400, "invalid_json"),
        ("bad escape", b'{"a": "\\x41"}', 400, "invalid_json"),
        ("lone surrogate escape", b'{"a": "\\ud800"}', 400, "invalid_json"),
        ("form encoding", b"email=a%40b.c&password=x", 400, "invalid_json"),
        ("whitespace only", b"   \r\n\t ", 400, "invalid_json"),
        ("array", b"[]", 400, "invalid_json"),
        ("array of objects", b'[{"a":1}]', 400, "invalid_json"),
        ("string", b'"hello"', 400, "invalid_json"),
        ("number", b"42", 400, "invalid_json"),
        ("null", b"null", 400, "invalid_json"),
        ("true", b"true", 400, "invalid_json"),
        ("invalid UTF-8 (ff)", b'{"name": "\xff\xfe"}', 400, "invalid_json"),
        ("overlong UTF-8 (c0 af)", b'{"name": "\xc0\xaf"}', 400, "invalid_json"),
        ("UTF-8 surrogate (ed a0 80)", b'{"name": "\xed\xa0\x80"}', 400, "invalid_json"),
        ("truncated UTF-8 (e2 82)", b'{"name": "\xe2\x82"}', 400, "invalid_json"),
        ("UTF-8 past U+10FFFF (f4 90 80 80)", b'{"name": "\xf4\x90\x80\x80"}', 400, "invalid_json"),
        ("Latin-1 body", '{"name": "café"}'.encode("latin-1"), 400, "invalid_json"),
        ("NUL inside a string", b'{"name": "a\x00b"}', 400, "invalid_json"),
        ("NUL after the object", b'{"name": "ab"}\x00', 400, "invalid_json"),
        ("NUL first", b'\x00{"name": "ab"}', 400, "invalid_json"),
        ("10000 nested arrays", deep_arr, 400, "invalid_json"),
        ("10000 nested objects", deep_obj, 400, "invalid_json"),
        ("10000 nested arrays in a field", deep_in_field, 400, "invalid_json"),
        ("1 MB body", b'{"name": "' + b"x" * (1 << 20) + b'"}', 413, "payload_too_large"),
        ("65 KiB body", b'{"pad": "' + b"y" * (65 * 1024) + b'"}', 413, "payload_too_large"),
    ]


WRONG = {
    "str": [123, -1, 1.5, True, [], {}, ["x"]],
    "int": ["12", "", True, [], {}, 1.5, -1, 1e308, -1e308, 9223372036854775808,
            -9223372036854775809, 10 ** 30],
    "obj": ["12 Main St", 1, True, [], ["x"]],
    "list": ["a,b", 1, True, {}, {"0": "a"}],
}


class Endpoint:
    def __init__(self, method, path, who, optional_body, valid, fields, strict):
        self.method, self.path, self.who = method, path, who
        self.optional_body = optional_body
        self.valid = valid            # a base body the field mutations start from
        self.fields = fields          # field -> kind (str/int/obj/list)
        self.strict = strict          # exact 422 + field expected
        self.pending = False

    def __str__(self):
        return "%s %s" % (self.method, self.path)


def endpoints(product_id, refresh_token):
    E = Endpoint
    return [
        E("POST", "/api/v1/auth/register", None, False,
          {"email": "hostile@example.com", "password": "password123", "name": "Hostile"},
          {"email": "str", "password": "str", "name": "str", "role": "str"}, True),
        E("POST", "/api/v1/auth/login", None, False,
          {"email": "hostile-login@example.com", "password": "password123"},
          {"email": "str", "password": "str"}, True),
        E("POST", "/api/v1/auth/refresh", None, False, {"refresh_token": refresh_token},
          {"refresh_token": "str"}, True),
        E("POST", "/api/v1/auth/logout", "shopper", True, {}, {}, True),
        E("PATCH", "/api/v1/me", "shopper", False, {"name": "Hostile Name"},
          {"name": "str", "shipping_address": "obj"}, True),
        E("POST", "/api/v1/products", "seller", False,
          {"title": "Hostile", "price_cents": 100, "stock": 1, "category": "Misc"},
          {"title": "str", "description": "str", "price_cents": "int", "stock": "int",
           "category": "str", "tags": "list", "currency": "str", "status": "str"}, True),
        E("PATCH", "/api/v1/products/%d" % product_id, "seller", False, {},
          {"title": "str", "description": "str", "price_cents": "int", "stock": "int",
           "category": "str", "tags": "list", "status": "str"}, True),
        E("POST", "/api/v1/seller/orders/1/ship", "seller", True, {}, {}, False),
        E("POST", "/api/v1/cart/items", "shopper", False,
          {"product_id": product_id, "quantity": 1}, {"product_id": "int", "quantity": "int"}, False),
        E("PUT", "/api/v1/cart/items/%d" % product_id, "shopper", False, {"quantity": 1},
          {"quantity": "int"}, False),
        E("POST", "/api/v1/payment-methods", "shopper", False,
          {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2099, "cvc": "123"},
          {"card_number": "str", "exp_month": "int", "exp_year": "int", "cvc": "str"}, False),
        E("PATCH", "/api/v1/payment-methods/1", "shopper", False, {"is_default": True}, {}, False),
        E("POST", "/api/v1/orders", "shopper", True, {},
          {"shipping_address": "obj", "payment_method_id": "int"}, False),
        E("POST", "/api/v1/orders/1/pay", "shopper", False, {"payment_method_id": 1},
          {"payment_method_id": "int"}, False),
        E("POST", "/api/v1/orders/1/cancel", "shopper", True, {}, {}, False),
        E("POST", "/api/v1/buddy/messages", "shopper", False, {"text": "hello"},
          {"text": "str", "conversation_id": "int"}, False),
    ]


def snapshot(srv, tok):
    """Everything a GET can tell about the state the attacks could have changed."""
    shop, sell = tok["shopper"], tok["seller"]
    gets = [
        ("/api/v1/products?limit=100", None), ("/api/v1/categories", None),
        ("/api/v1/products?q=hostile&limit=100", None),
        ("/api/v1/seller/products?limit=100", sell), ("/api/v1/me", shop), ("/api/v1/me", sell),
        ("/api/v1/cart", shop), ("/api/v1/payment-methods", shop), ("/api/v1/orders", shop),
        ("/api/v1/conversations", shop), ("/api/v1/seller/orders", sell),
        ("/api/v1/seller/stats", sell),
    ]
    out = {}
    for path, t in gets:
        st, _, b = srv.http("GET", path, token=t)
        out[(path, t)] = (st, b)
    st, _, b = srv.http("POST", "/api/v1/auth/login",
                        {"email": "hostile@example.com", "password": "password123"})
    out["hostile account"] = st
    return out


def t_body_attacks(srv, eps, tok):
    for ep in eps:
        t = tok.get(ep.who)
        for label, raw, status, code in body_attacks():
            resp = srv.http(ep.method, ep.path, raw=raw, token=t,
                            headers={"Content-Type": "application/json"}, closed_ok=True)
            C.error("%s: %s -> %d %s" % (ep, label, status, code), resp, status, code)
        if not ep.optional_body:
            C.error("%s: no body -> 400 invalid_json" % ep,
                    srv.http(ep.method, ep.path, token=t), 400, "invalid_json")
            C.error("%s: empty body (Content-Length: 0) -> 400 invalid_json" % ep,
                    srv.http(ep.method, ep.path, raw=b"", token=t), 400, "invalid_json")
        if ep.who:
            C.error("%s: no token + malformed body -> 401" % ep,
                    srv.http(ep.method, ep.path, raw=b"{", closed_ok=True), 401, "unauthorized")
        health(srv, "body attacks on %s" % ep)


def t_field_attacks(srv, eps, tok):
    for ep in eps:
        t = tok.get(ep.who)
        if not ep.fields:
            continue
        st, _, b = srv.http(ep.method, ep.path, {"__probe__": 1}, token=t)
        if st == 501:
            ep.pending = True
            C.check("%s is implemented (answered 501)" % ep, False)
            continue
        for field, kind in ep.fields.items():
            for bad in WRONG[kind]:
                body = dict(ep.valid)
                body[field] = bad
                resp = srv.http(ep.method, ep.path, body, token=t)
                name = "%s: %s = %s" % (ep, field, lib._short(bad, 40))
                if ep.strict:
                    C.error(name + " -> 422", resp, 422, "validation_failed", field)
                else:
                    client_error(name + " -> 4xx", resp)
        health(srv, "field attacks on %s" % ep)


def t_value_attacks(srv, tok):
    """Odd but well-formed values on the auth/catalog endpoints."""
    sell, shop = tok["seller"], tok["shopper"]
    big = "x" * 60000
    cases = [
        ("register: 60000-char name", "POST", "/api/v1/auth/register", None,
         {"email": "hostile@example.com", "password": "password123", "name": big}, 422, "name"),
        ("register: 60000-char password", "POST", "/api/v1/auth/register", None,
         {"email": "hostile@example.com", "password": big, "name": "x"}, 422, "password"),
        ("register: email of control chars", "POST", "/api/v1/auth/register", None,
         {"email": "a\u0001@b\u0007.c", "password": "password123", "name": "x"}, 422, "email"),
        ("register: email with newline", "POST", "/api/v1/auth/register", None,
         {"email": "hostile@example.com\nBcc: x@y.z", "password": "password123", "name": "x"},
         422, "email"),
        ("register: 1000-deep nesting in name", "POST", "/api/v1/auth/register", None,
         None, 422, "name"),
        ("products: price 9223372036854775807", "POST", "/api/v1/products", sell,
         {"title": "x", "price_cents": 9223372036854775807, "stock": 1, "category": "c"}, 422,
         "price_cents"),
        ("products: stock -9223372036854775808", "POST", "/api/v1/products", sell,
         {"title": "x", "price_cents": 1, "stock": -9223372036854775808, "category": "c"}, 422,
         "stock"),
        ("products: price -0.5", "POST", "/api/v1/products", sell,
         {"title": "x", "price_cents": -0.5, "stock": 1, "category": "c"}, 422, "price_cents"),
        ("products: price 1e-300", "POST", "/api/v1/products", sell,
         {"title": "x", "price_cents": 1e-300, "stock": 1, "category": "c"}, 422, "price_cents"),
        ("products: 20 tags of 33 chars", "POST", "/api/v1/products", sell,
         {"title": "x", "price_cents": 1, "stock": 1, "category": "c", "tags": ["t" * 33] * 20},
         422, "tags"),
        ("products: 10000 tags", "POST", "/api/v1/products", sell,
         {"title": "x", "price_cents": 1, "stock": 1, "category": "c", "tags": ["t"] * 10000},
         422, "tags"),
        ("products: tags holding objects", "POST", "/api/v1/products", sell,
         {"title": "x", "price_cents": 1, "stock": 1, "category": "c", "tags": [{"a": 1}]},
         422, "tags"),
        ("me: address with 60000-char city", "PATCH", "/api/v1/me", shop,
         {"shipping_address": {"name": "a", "line1": "b", "city": big, "postal_code": "1",
                               "country": "GB"}}, 422, "shipping_address.city"),
        ("me: address nested 500 deep", "PATCH", "/api/v1/me", shop, None, 422,
         "shipping_address.name"),
    ]
    for name, method, path, t, body, status, field in cases:
        if body is None and "nesting in name" in name:
            raw = b'{"email":"hostile@example.com","password":"password123","name":' + \
                b"[" * 999 + b"]" * 999 + b"}"
            resp = srv.http(method, path, raw=raw, token=t)
        elif body is None:
            raw = b'{"shipping_address":{"name":' + b'{"a":' * 500 + b"1" + b"}" * 500 + b"}}"
            resp = srv.http(method, path, raw=raw, token=t)
        else:
            resp = srv.http(method, path, body, token=t)
        C.error(name + " -> %d %s" % (status, field), resp, status, "validation_failed", field)
    # Thousands of unknown keys are ignored (and cost nothing): login of nobody -> 401.
    body = {"k%d" % i: i for i in range(3000)}
    body.update({"email": "nobody@example.com", "password": "password123"})
    C.error("login: 3000 unknown keys ignored -> 401", srv.http("POST", "/api/v1/auth/login", body),
            401, "unauthorized")
    health(srv, "value attacks")


def t_headers(srv, tok):
    shop = tok["shopper"]
    cases = [
        ("Authorization 'Bearer ' (empty)", {"Authorization": "Bearer "}),
        ("Authorization 'Bearer' (no space)", {"Authorization": "Bearer"}),
        ("Authorization 'Bearer    ' (spaces)", {"Authorization": "Bearer      "}),
        ("Authorization 6000 chars", {"Authorization": "Bearer " + "A" * 6000}),
        ("Authorization with two tokens", {"Authorization": "Bearer %s %s" % (shop, shop)}),
        ("Authorization Basic", {"Authorization": "Basic c2hvcHBlcjpwYXNzd29yZA=="}),
        ("Authorization token without scheme", {"Authorization": shop}),
        ("Authorization with SQL", {"Authorization": "Bearer " + SQL}),
        ("Authorization with a token + junk", {"Authorization": "Bearer " + shop + "x"}),
        ("Authorization with %00", {"Authorization": "Bearer %00" + shop}),
    ]
    for label, h in cases:
        C.error("header junk: %s -> 401" % label, srv.http("GET", "/api/v1/me", headers=h),
                401, "unauthorized")
    raw_cases = [
        ("Authorization with bytes ff fe", b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n"
         b"Authorization: Bearer \xff\xfe\r\n\r\n"),
        ("Authorization with a tab", b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n"
         b"Authorization: Bearer\t\r\n\r\n"),
    ]
    for label, raw in raw_cases:
        C.error("header junk: %s -> 401" % label, srv.raw(raw, timeout=5), 401, "unauthorized")
    st, _, _ = srv.http("GET", "/api/v1/products", headers={"Authorization": "Bearer junk"})
    C.eq("header junk: a bad token on a public route is ignored -> 200", st, 200)
    st, _, _ = srv.http("GET", "/health", headers={"X-H%d" % i: "v" * 20 for i in range(100)})
    C.eq("header junk: 100 extra headers -> 200", st, 200)
    st, _, _ = srv.http("GET", "/health", headers={"Idempotency-Key": "k" * 3000})
    C.eq("header junk: 3000-char Idempotency-Key on /health -> 200", st, 200)
    st, _, _ = srv.http("POST", "/api/v1/auth/login", {"email": "nobody@x.y", "password": "p"},
                        headers={"Content-Type": "text/plain; charset=\xe9"})
    C.eq("header junk: odd Content-Type ignored -> 401", st, 401)
    # Beyond libwebsockets' 8 KiB header limit: it closes the connection itself.
    answered_or_closed("header junk: Authorization 10000 chars (over the header limit)",
                       srv.http("GET", "/api/v1/me", headers={"Authorization": "Bearer " + "A" * 10000},
                                closed_ok=True))
    answered_or_closed("header junk: header line without a colon",
                       srv.raw(b"GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n", timeout=5))
    health(srv, "header junk")


def t_paths_methods(srv, tok):
    sell = tok["seller"]
    for path in ("/", "/api", "/api/v1", "/api/v1/", "/api/v2/products", "/api/v1/productz",
                 "/api/v1/products/1/2", "/api/v1/../../etc/passwd", "/etc/passwd",
                 "/api/v1/" + "a" * 2000, "/HEALTH",
                 "/api/v1/auth/register/extra", "/api/v1/me/../me/x", "/%F0%9F%8D%AA",
                 "/api/v1/products/%27%3B%20DROP%20TABLE%20products%3B--/x"):
        C.error("path: GET %s -> 404" % path[:50], srv.http("GET", path), 404, "not_found")
    for method, path in (("POST", "/health"), ("DELETE", "/api/v1/me"), ("PUT", "/api/v1/me"),
                         ("PATCH", "/api/v1/categories"), ("GET", "/api/v1/auth/logout"),
                         ("PUT", "/api/v1/auth/register"), ("OPTIONS", "/api/v1/products"),
                         ("DELETE", "/api/v1/products"), ("POST", "/api/v1/products/1")):
        C.error("method: %s %s -> 405" % (method, path),
                srv.http(method, path, raw=b"{}" if method in ("POST", "PUT", "PATCH") else None,
                         token=sell), 405, "method_not_allowed")
    # (libwebsockets decodes %2f to '/' and starts the query at ';' as at '?', so
    # "/products%2f1" and "/products/1;2" are "/products/1" by the time voxcartd sees them.)
    for bad in ("abc", "0", "-1", "00", "1a", "9" * 19, "%27", "%3B", "NaN", "inf", "%201"):
        C.error("path id: /api/v1/products/%s -> 400" % bad,
                srv.http("GET", "/api/v1/products/" + bad), 400, "bad_request")
        C.error("path id: PATCH /api/v1/products/%s -> 400" % bad,
                srv.http("PATCH", "/api/v1/products/" + bad, {"title": "x"}, token=sell),
                400, "bad_request")
    for q in ("limit=" + "9" * 40, "offset=1e5", "min_price=0x10", "seller_id=" + quote(SQL),
              "max_price=-1", "limit=%2B%2B1", "offset=%20"):
        C.error("query: %s -> 400" % q[:40], srv.http("GET", "/api/v1/products?" + q),
                400, "bad_request")
    for q in ("q=" + quote(SQL), "category=" + quote(SQL), "q=%27%22%5C", "sort=", "q=" + "x" * 4000):
        st = srv.http("GET", "/api/v1/products?" + q)[0]
        C.eq("query: %s -> 200" % q[:40], st, 200)
    # Things libwebsockets answers (or drops) itself, before voxcartd sees them.
    for m in ("TRACE", "FOO", "CONNECT"):
        answered_or_closed("method: %s -> 4xx or closed" % m, srv.raw(
            ("%s /api/v1/products HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n" % m).encode(),
            timeout=5))
    answered_or_closed("query: %00 in a value", srv.http("GET", "/api/v1/products?category=%00x",
                                                         closed_ok=True))
    answered_or_closed("path: 9000 characters", srv.http("GET", "/" + "a" * 9000, closed_ok=True))
    answered_or_closed("request line garbage", srv.raw(b"\x00\x01\x02 garbage\r\n\r\n", timeout=5))
    health(srv, "paths and methods")


def t_transport(srv, tok):
    """Framing abuse: Content-Length lies, chunked bodies, many idle connections."""
    st, _, b = srv.raw(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                       b"Content-Length: 99999999999\r\n\r\n{}", timeout=5)
    C.error("transport: Content-Length 99999999999 -> 413", (st, _, b), 413, "payload_too_large")
    resp = srv.raw(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", timeout=5)
    client_error("transport: Content-Length -5 -> 4xx", resp)
    # A chunked request body must get an answer (or a refusal), not silence.
    resp = srv.raw(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                   b"Content-Type: application/json\r\n\r\n"
                   b"2f\r\n{\"email\":\"nobody@x.yz\",\"password\":\"password1\"}\r\n0\r\n\r\n", timeout=5)
    C.check("transport: a chunked POST gets an answer within 5 s (401, or a 4xx refusal)",
            resp[0] is not None and 400 <= resp[0] < 500, resp)
    # Many idle connections do not stop the server.
    socks = []
    try:
        for _ in range(150):
            socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=5))
        C.eq("transport: /health with 150 idle connections open", srv.http("GET", "/health")[0], 200)
    finally:
        for s in socks:
            s.close()
    # Half a request, then the connection drops.
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    s.sendall(b"POST /api/v1/products HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n"
              b"Authorization: Bearer " + tok["seller"].encode() + b"\r\n\r\n{\"title\":")
    s.close()
    health(srv, "transport abuse")


def t_sql_verbatim(srv, tok):
    """SQL-looking and other awkward strings are stored and returned verbatim."""
    shop, sell = tok["shopper"], tok["seller"]
    weird = [SQL, "Robert'); DROP TABLE products;--", "\" OR 1=1 --", "%_\\%", "a\\u0041b",
             "<script>alert(1)</script>", "\u202eevil", "line\nbreak\ttab", "emoji 🍪☕",
             "\u2028\u2029", "日本語テキスト", "' UNION SELECT password_hash FROM users --"]
    for i, w in enumerate(weird):
        st, _, u = srv.http("PATCH", "/api/v1/me", {"name": w}, token=shop)
        C.check("verbatim: me name %r" % w[:30], st == 200 and u.get("name") == w, (st, u))
    st, _, a = srv.http("POST", "/api/v1/auth/register",
                        {"email": "o'brien+sql@example.com", "password": SQL, "name": SQL})
    C.check("verbatim: register with SQL in name/password -> 201", st == 201
            and a["user"]["name"] == SQL and a["user"]["email"] == "o'brien+sql@example.com", (st, a))
    st, _, _ = srv.http("POST", "/api/v1/auth/login", {"email": "o'brien+sql@example.com",
                                                       "password": SQL})
    C.eq("verbatim: login with the SQL password -> 200", st, 200)
    st, _, p = srv.http("POST", "/api/v1/products",
                        {"title": SQL, "description": weird[1] + " " + weird[2],
                         "price_cents": 1, "stock": 1, "category": "Robert'); --",
                         "tags": [SQL[:32], "%_\\"]}, token=sell)
    C.check("verbatim: product with SQL strings -> 201 stored as given",
            st == 201 and p.get("title") == SQL and p.get("category") == "Robert'); --"
            and p.get("tags") == [SQL[:32], "%_\\"], (st, p))
    if st == 201:
        st, _, g = srv.http("GET", "/api/v1/products/%d" % p["id"])
        C.eq("verbatim: read back equal", g, p)
        st, _, lst = srv.http("GET", "/api/v1/products?category=" +
                              "Robert%27%29%3B%20--")
        C.check("verbatim: category filter with quotes finds it",
                st == 200 and [x["id"] for x in lst.get("items", [])] == [p["id"]], lst)
        st, _, lst = srv.http("GET", "/api/v1/products?q=DROP%20TABLE%20users")
        C.check("verbatim: search for the SQL words finds it",
                st == 200 and p["id"] in [x["id"] for x in lst.get("items", [])], lst)
    st, _, lst = srv.http("GET", "/api/v1/products?limit=100")
    C.check("verbatim: tables intact (products list works)", st == 200 and lst.get("total", 0) >= 2, lst)
    C.eq("verbatim: users table intact (/me works)", srv.http("GET", "/api/v1/me", token=shop)[0], 200)
    # A JSON string may hold U+0000 (\u0000): refuse it or keep it whole, never cut it.
    st, _, u = srv.http("PATCH", "/api/v1/me", raw=b'{"name":"Ann\\u0000ie"}', token=shop)
    C.check("verbatim: name with a \\u0000 escape is refused (4xx) or stored whole",
            (400 <= st < 500) or (st == 200 and u.get("name") == "Ann\u0000ie"), (st, u))
    st, _, p = srv.http("POST", "/api/v1/products", raw=b'{"title":"Cheap\\u0000 Expensive",'
                        b'"price_cents":1,"stock":1,"category":"c"}', token=sell)
    C.check("verbatim: title with a \\u0000 escape is refused (4xx) or stored whole",
            (400 <= st < 500) or (st == 201 and p.get("title") == "Cheap\u0000 Expensive"), (st, p))
    health(srv, "verbatim strings")


def main():
    srv = lib.Server()
    srv.start()
    try:
        shopper = srv.register("shopper@example.com", "password123", "Shopper")
        seller = srv.register("seller@example.com", "password123", "Seller", "seller")
        product = srv.create_product(seller["access_token"], title="Hostile Target Mug",
                                     price_cents=500, stock=5, category="Kitchen", tags=["mug"])
        srv.http("PATCH", "/api/v1/me", {"shipping_address": {
            "name": "S", "line1": "1 Road", "city": "Town", "postal_code": "1", "country": "GB"}},
            token=shopper["access_token"])
        tok = {"shopper": shopper["access_token"], "seller": seller["access_token"]}
        eps = endpoints(product["id"], shopper["refresh_token"])
        before = snapshot(srv, tok)
        C.check("baseline: hostile@example.com does not exist", before["hostile account"] == 401,
                before["hostile account"])

        C.run("body attacks", t_body_attacks, srv, eps, tok)
        C.run("field attacks", t_field_attacks, srv, eps, tok)
        C.run("value attacks", t_value_attacks, srv, tok)
        C.run("headers", t_headers, srv, tok)
        C.run("paths and methods", t_paths_methods, srv, tok)
        C.run("transport", t_transport, srv, tok)

        after = snapshot(srv, tok)
        for k in before:
            C.check("nothing written: %s unchanged" % (k if isinstance(k, str) else k[0]),
                    before[k] == after[k], "before %r\nafter  %r" % (lib._short(before[k], 400),
                                                                  lib._short(after[k], 400)))
        st, _, _ = srv.http("POST", "/api/v1/auth/register",
                            {"email": "hostile@example.com", "password": "password123", "name": "H"})
        C.eq("nothing written: the attacked email is still free (register -> 201)", st, 201)
        st, _, _ = srv.http("POST", "/api/v1/auth/refresh", {"refresh_token": shopper["refresh_token"]})
        C.eq("nothing written: the refresh token survived the attacks (refresh -> 200)", st, 200)
        st, _, _ = srv.http("POST", "/api/v1/auth/login", {"email": "shopper@example.com",
                                                           "password": "password123"})
        C.eq("nothing written: no login failures were counted (login -> 200)", st, 200)

        C.run("verbatim", t_sql_verbatim, srv, {"shopper": srv.login("shopper@example.com")["access_token"],
                                                 "seller": tok["seller"]})
        C.check("server process still alive at the end", srv.alive(), srv.log_tail())
    finally:
        st = srv.stop()
    C.eq("server: clean exit after the hostile suite (SIGTERM -> 0)", st, 0)
    if NOTES:
        print("notes:")
        for n in NOTES:
            print("  - " + n)
    C.finish()


if __name__ == "__main__":
    main()
