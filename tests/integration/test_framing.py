#!/usr/bin/env python3
"""test_framing.py - request framing and smuggling over raw sockets (issue 15, items 6-7).

RFC 9112 section 6.3: a request with two Content-Length headers, a Content-Length
that is not one plain decimal number, or any Transfer-Encoding (voxcartd takes no
chunked request bodies) is answered 400 and the connection closed, so that the bytes
after the first body never run as a second request.  A POST without Content-Length
has an empty body and the connection is closed after its answer (a folded header
line makes libwebsockets swallow the header after it, Content-Length included).  Input refused by the
libwebsockets parser itself (%00 in the URI, a folded last header) must at least
close the connection promptly and run nothing.

Item 7: an Idempotency-Key of any length over 128 characters is refused (400), never
ignored: a retried checkout with a 5000-character key charges nobody twice.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

C = lib.Checks("test_framing")

SMUGGLED = b"GET /api/v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
BODY = b'{"email":"nobody@test.io","password":"password123"}'
LOGIN = b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n"


def talk(port, data, timeout=8.0):
    """Sends data, reads until the server closes (or `timeout`); returns
    (bytes read, closed by the server, seconds)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    t0 = time.time()
    blob = b""
    closed = False
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(0.2)
        while time.time() - t0 < timeout:
            try:
                b = s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
            if not b:
                closed = True
                break
            blob += b
    finally:
        s.close()
    return blob, closed, time.time() - t0


def answers(blob):
    return blob.count(b"HTTP/1.1 ")


PORT = [None]


def refused(name, data):
    """One 400 bad_request JSON answer, the connection closed at once, nothing more run."""
    blob, closed, secs = talk(PORT[0], data)
    ok = (blob.startswith(b"HTTP/1.1 400 ") and answers(blob) == 1 and closed and secs < 3
          and b'"bad_request"' in blob and b"smuggled" not in blob)
    C.check(name + " -> 400 and close", ok,
            "closed=%s after %.1fs, answers=%d: %r" % (closed, secs, answers(blob), blob[:400]))


def smuggling(srv):
    p = PORT[0] = srv.port
    n = len(BODY)
    refused("two different Content-Lengths",
            LOGIN + b"Content-Length: %d\r\nContent-Length: 200\r\n\r\n" % n + BODY + SMUGGLED)
    refused("two equal Content-Lengths",
            LOGIN + b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (n, n) + BODY + SMUGGLED)
    refused("Transfer-Encoding: chunked with Content-Length",
            LOGIN + b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n\r\n" % n + BODY + SMUGGLED)
    refused("Transfer-Encoding: xchunked with Content-Length: 0",
            LOGIN + b"Transfer-Encoding: xchunked\r\nContent-Length: 0\r\n\r\n" + SMUGGLED)
    refused("chunked body alone",
            LOGIN + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % n + BODY + b"\r\n0\r\n\r\n" + SMUGGLED)
    refused("Content-Length: +47", LOGIN + b"Content-Length: +%d\r\n\r\n" % n + BODY)
    refused("Content-Length: 47, 47", LOGIN + b"Content-Length: %d, %d\r\n\r\n" % (n, n) + BODY)
    refused("Content-Length: -1", LOGIN + b"Content-Length: -1\r\n\r\n" + BODY)
    refused("Content-Length: 0x10", LOGIN + b"Content-Length: 0x10\r\n\r\n" + BODY)
    refused("Content-Length: 1e3", LOGIN + b"Content-Length: 1e3\r\n\r\n" + BODY)
    refused("Content-Length past 64 bits",
            LOGIN + b"Content-Length: 99999999999999999999999\r\n\r\n" + BODY)
    for name, data in (("POST without Content-Length", LOGIN + b"\r\n" + BODY + SMUGGLED),
                       ("folded header line before Content-Length",
                        LOGIN + b"X-Note: a\r\n  b\r\nContent-Length: %d\r\n\r\n" % n + BODY + SMUGGLED)):
        # An empty body (400 invalid_json), then the connection is closed.
        blob, closed, secs = talk(p, data)
        C.check(name + ": one answer (empty body), then close", blob.startswith(b"HTTP/1.1 400 ")
                and answers(blob) == 1 and closed and secs < 3 and b"smuggled" not in blob,
                "closed=%s after %.1fs, answers=%d: %r" % (closed, secs, answers(blob), blob[:300]))

    # Still fine: one plain Content-Length (and optional whitespace around it).
    blob, closed, _ = talk(p, LOGIN + b"Content-Length:  %d \r\nConnection: close\r\n\r\n" % n + BODY)
    C.check("a plain Content-Length is still read (401 for a wrong login)",
            blob.startswith(b"HTTP/1.1 401 ") and answers(blob) == 1, blob[:300])
    blob, closed, _ = talk(p, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\n"
                              b"Host: x\r\nConnection: close\r\n\r\n")
    C.check("keep-alive still serves two requests in a row", answers(blob) == 2, blob[:300])

    # Refused inside the libwebsockets parser: closed at once (%00) or within the
    # header timeout (a folded last line keeps the headers from ending), never run.
    for name, data, limit in (
            ("GET /products?q=%00", b"GET /api/v1/products?q=%00 HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED, 3),
            ("NUL inside a query value", b"GET /api/v1/products?q=a%00b HTTP/1.1\r\nHost: x\r\n\r\n", 3),
            ("folded last header line", b"GET /health HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n\tb\r\n\r\n", 8)):
        blob, closed, secs = talk(p, data, timeout=limit + 4)
        C.check(name + ": closed within %ds, nothing run" % limit,
                closed and secs <= limit and b"smuggled" not in blob and answers(blob) <= 1
                and (not blob or blob.startswith(b"HTTP/1.1 4")),
                "closed=%s after %.1fs: %r" % (closed, secs, blob[:300]))
    blob, closed, secs = talk(p, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n\tb\r\n\r\n"
                              + SMUGGLED, timeout=8)
    C.check("folded last header line then a request: the second never runs",
            b"smuggled" not in blob and answers(blob) <= 1, blob[:300])
    st = srv.http("GET", "/health")[0]
    C.check("still serving after the framing probes", st == 200 and srv.alive(), srv.log_tail(10))

    # A request pipelined behind another, whose client hangs up (half-close) before
    # the body its Content-Length announced: libwebsockets told its body complete
    # again and again and the event loop spun: the whole server stopped answering
    # (fuzz_http_raw).  The connection must close and /health keep answering.
    for name, second in (("a POST", LOGIN), ("a GET", b"GET /health HTTP/1.1\r\nHost: x\r\n")):
        s = socket.create_connection(("127.0.0.1", p), timeout=5)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + second + b"Content-Length: 32\r\n\r\n")
        time.sleep(0.3)
        s.shutdown(socket.SHUT_WR)
        closed = False
        try:
            while s.recv(65536):
                pass
            closed = True
        except OSError:
            pass
        s.close()
        st = -1
        try:
            h = socket.create_connection(("127.0.0.1", p), timeout=5)
            h.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            st = 200 if h.recv(64).startswith(b"HTTP/1.1 200") else 0
            h.close()
        except OSError:
            pass
        C.check("pipelined %s whose client hangs up before its body: closed, /health answers"
                % name, closed and st == 200, "closed=%s health=%s" % (closed, st))


def long_keys(srv):
    tok = srv.register("keys@test.io")["access_token"]
    seller = srv.register("seller@test.io", role="seller")["access_token"]
    pid = srv.create_product(seller, title="Key thing", price_cents=500, stock=10)["id"]
    st, _, b = srv.http("PATCH", "/api/v1/me", {"shipping_address": {
        "name": "Ann Shopper", "line1": "1 Main St", "city": "Springfield",
        "postal_code": "12345", "country": "US"}}, token=tok)
    C.eq("address saved", st, 200)
    st, _, b = srv.http("POST", "/api/v1/payment-methods", {
        "card_number": "4242 4242 4242 4242", "exp_month": 12,
        "exp_year": time.gmtime().tm_year + 3, "cvc": "123"}, token=tok)
    C.eq("card added", st, 201)
    for length in (129, 4095, 4096, 5000, 7000):
        key = "k" * length
        srv.http("POST", "/api/v1/cart/items", {"product_id": pid, "quantity": 1}, token=tok)
        for attempt in (1, 2):
            C.error("checkout with a %d-character key, attempt %d -> 400" % (length, attempt),
                    srv.http("POST", "/api/v1/orders", {}, token=tok,
                             headers={"Idempotency-Key": key}), 400, "bad_request",
                    "Idempotency-Key")
    C.error("an empty Idempotency-Key -> 400",
            srv.http("POST", "/api/v1/orders", {}, token=tok, headers={"Idempotency-Key": ""}),
            400, "bad_request", "Idempotency-Key")
    st, _, page = srv.http("GET", "/api/v1/orders", token=tok)
    C.check("no order was placed (nobody charged)", st == 200 and page["total"] == 0, page)
    C.eq("stock untouched", srv.http("GET", "/api/v1/products/%d" % pid)[2]["stock"], 10)
    key = "k" * 128
    st1, _, o1 = srv.http("POST", "/api/v1/orders", {}, token=tok, headers={"Idempotency-Key": key})
    st2, _, o2 = srv.http("POST", "/api/v1/orders", {}, token=tok, headers={"Idempotency-Key": key})
    C.check("a 128-character key works and replays the same order",
            st1 == 201 and st2 == 201 and o1.get("id") == o2.get("id"), (st1, o1, st2, o2))
    C.eq("one order", srv.http("GET", "/api/v1/orders", token=tok)[2]["total"], 1)


with lib.Server() as SRV:
    C.run("smuggling", smuggling, SRV)
    C.run("long idempotency keys", long_keys, SRV)
    # Zero-length bodies (Content-Length: 0, and an empty POST) must not reach
    # memcpy with a NULL pointer (UBSan reports it in the sanitizer build).
    for data in (LOGIN + b"Content-Length: 0\r\n\r\n", LOGIN + b"\r\n"):
        talk(SRV.port, data, timeout=3)
    with open(SRV.log_path, "rb") as f:
        log = f.read().decode("utf-8", "replace")
    C.check("no sanitizer report in the server log",
            "runtime error" not in log and "AddressSanitizer" not in log, log[-1500:])
    C.eq("clean shutdown", SRV.stop(), 0)
C.finish()
