#!/usr/bin/env python3
"""test_dialogues.py - the buddy judged on shopper dialogues (tests/dialogues/*.json).

Starts one real ./voxcartd over tests/fixtures/test_catalog.csv. For every case it
registers a fresh shopper (cases are independent), does the setup through REST, sends
each turn to POST /api/v1/buddy/messages (one conversation per case), then checks the
expectations through REST (GET /cart, GET /orders) and the turn's `action` results.
The orders a case placed are cancelled after it, so their stock goes back for the next.

    python3 tests/integration/test_dialogues.py            # all cases
    python3 tests/integration/test_dialogues.py -k checkout # cases whose "topic/name" has it
    python3 tests/integration/test_dialogues.py --list      # list the cases, run nothing
    python3 tests/integration/test_dialogues.py -v          # print replies of passing cases too
    DIALOGUE_CASES_DIR=/some/dir python3 tests/integration/test_dialogues.py  # cases from another folder

Prints `ok topic/name` or `FAIL topic/name: why` (with turns, replies and actions),
a pass-rate line, and last `N passed, M failed` (cases).

Regressions fail the run: known_failures.txt in the cases folder lists, one case id
("topic/name") a line (# starts a comment), the cases known to fail today. Every
other case must pass: exits 1 when a case that is not listed fails (or the server
dies), 2 when a case file is malformed or the list names a case that does not exist.
A listed case that passes is reported as "now passes" (remove it from the list) and
does not fail the run; --strict makes it fail, so the list stays exact.

Case format (each tests/dialogues/<topic>.json is a list of cases):

  {"name": "...",
   "setup": {"card": true, "address": true,
             "cart": [["Gala Apples", 2]],            # title substring, quantity
             "orders": 1},                             # or [{"items": [["Spaghetti", 1]], "paid": true}]
   "turns": ["...", {"text": "...", "expect": {...}},  # an expect checked after that turn
             {"text": "yes", "if_asked": true}],       # sent only if the previous reply asks (?)
   "expect": {...}}                                    # checked after the last turn

Expectation keys (all optional):
  cart {substring: qty}   quantity of the matching product(s) in the cart (0: absent)
  cart_exact              with cart: the cart holds no other lines
  cart_max {substring: n} at most n in the cart
  cart_empty              the cart has no lines
  cart_pick {"turn": T, "index": I, "qty": Q}
                          the I-th item (0-based) of the last search of turn T is in the
                          cart with quantity Q ("the second one")
  orders N                the shopper has N orders
  order_status S          status of the newest order
  order_includes [sub]    the newest order holds these products
  last_search_includes [sub], last_search_excludes [sub], last_search_first sub
                          items of the LAST `search` action of the turn (the ones the
                          buddy reads out, which may be the first few of more matches)
  last_search_only [sub]  that search lists something, and every item matches one of these
  last_search_price_max / last_search_price_min   dollars, every item of that search
  actions_include [name], actions_exclude [name]  action names of the turn
  reply_matches [re], reply_not_matches [re]      regexes on the turn's reply
  asks true|false         the reply contains (or not) a question mark

A title substring matches a catalog product whose title equals it (case-insensitive);
failing that, every product whose title contains it.
"""

import argparse
import glob
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

CONFIG = "[auth]\nhash_cost = min\n[server]\nrate_limit = 0\n"
CATALOG = os.path.join(lib.ROOT, "tests", "fixtures", "test_catalog.csv")
CASES_DIR = os.environ.get("DIALOGUE_CASES_DIR") or os.path.join(lib.ROOT, "tests", "dialogues")
KNOWN_FAILURES = os.path.join(CASES_DIR, "known_failures.txt")
ADDRESS = {"name": "Dana Shopper", "line1": "12 Elm Street", "city": "Springfield",
           "postal_code": "12345", "country": "US"}
VISA = "4242424242424242"
YEAR = time.gmtime().tm_year
API = "/api/v1"

TURN_EXPECT_KEYS = {"cart", "cart_exact", "cart_max", "cart_empty", "cart_pick", "orders",
                    "order_status", "order_includes", "last_search_includes",
                    "last_search_excludes", "last_search_first", "last_search_only",
                    "last_search_price_max",
                    "last_search_price_min", "actions_include", "actions_exclude",
                    "reply_matches", "reply_not_matches", "asks"}
SETUP_KEYS = {"card", "address", "cart", "orders"}
CASE_KEYS = {"name", "setup", "turns", "expect", "note"}


class CaseError(Exception):
    """The case itself is wrong (unknown key, title that matches no product)."""


class Fail(Exception):
    pass


# --------------------------------------------------------------------------- loading

def load_cases():
    cases = []
    problems = []
    for path in sorted(glob.glob(os.path.join(CASES_DIR, "*.json"))):
        topic = os.path.splitext(os.path.basename(path))[0]
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            problems.append("%s: %s" % (path, e))
            continue
        if not isinstance(data, list):
            problems.append("%s: not a list of cases" % path)
            continue
        for i, case in enumerate(data):
            where = "%s[%d]" % (os.path.basename(path), i)
            if not isinstance(case, dict) or not isinstance(case.get("name"), str):
                problems.append("%s: a case needs a name" % where)
                continue
            bad = set(case) - CASE_KEYS
            bad |= set(case.get("setup") or {}) - SETUP_KEYS
            bad |= set(case.get("expect") or {}) - TURN_EXPECT_KEYS
            turns = case.get("turns")
            if not isinstance(turns, list) or not turns:
                problems.append("%s (%s): no turns" % (where, case["name"]))
                continue
            for t in turns:
                if isinstance(t, dict):
                    bad |= set(t) - {"text", "expect", "if_asked"}
                    bad |= set(t.get("expect") or {}) - TURN_EXPECT_KEYS
                elif not isinstance(t, str):
                    problems.append("%s (%s): a turn is a string or an object" % (where, case["name"]))
            if bad:
                problems.append("%s (%s): unknown keys %s" % (where, case["name"], sorted(bad)))
                continue
            case = dict(case)
            case["topic"] = topic
            case["id"] = "%s/%s" % (topic, case["name"])
            cases.append(case)
    seen = {}
    for c in cases:
        if c["id"] in seen:
            problems.append("duplicate case name %s" % c["id"])
        seen[c["id"]] = True
    return cases, problems


def load_known_failures(path=KNOWN_FAILURES):
    """Case ids listed as known failures: {id: line number}."""
    known = {}
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.split("#", 1)[0].strip()
                if line:
                    known[line] = n
    except FileNotFoundError:
        pass
    return known


# --------------------------------------------------------------------------- catalog

class Catalog:
    def __init__(self, srv):
        self.products = []
        offset = 0
        while True:
            st, _, page = srv.http("GET", "%s/products?limit=100&offset=%d" % (API, offset))
            if st != 200:
                raise RuntimeError("GET /products: %s %r" % (st, page))
            self.products += page["items"]
            offset += len(page["items"])
            if not page["items"] or offset >= page.get("total", 0):
                break
        # Out-of-stock products may be hidden from listings; look them up one by one.
        ids = {p["id"] for p in self.products}
        for pid in range(1, max(ids | {0}) + 20):
            if pid not in ids:
                st, _, p = srv.http("GET", "%s/products/%d" % (API, pid))
                if st == 200:
                    self.products.append(p)
        self.by_id = {p["id"]: p for p in self.products}

    def resolve(self, sub):
        """Product ids a title substring means; raises CaseError when none."""
        s = sub.lower()
        exact = [p["id"] for p in self.products if p["title"].lower() == s]
        if exact:
            return set(exact)
        found = {p["id"] for p in self.products if s in p["title"].lower()}
        if not found:
            raise CaseError("%r matches no product in the test catalog" % sub)
        return found

    def one(self, sub):
        ids = self.resolve(sub)
        if len(ids) != 1:
            raise CaseError("%r is ambiguous in the catalog: %s" % (
                sub, [self.by_id[i]["title"] for i in sorted(ids)]))
        return next(iter(ids))

    def title(self, pid):
        p = self.by_id.get(pid)
        return p["title"] if p else "#%s" % pid

    def lint(self, case):
        """Raises CaseError when a title in the case matches nothing (or a setup title
        matches more than one product)."""
        setup = case.get("setup") or {}
        for sub, _q in setup.get("cart") or []:
            self.one(sub)
        orders = setup.get("orders")
        if isinstance(orders, list):
            for o in orders:
                for sub, _q in o.get("items") or []:
                    self.one(sub)
        exps = [case.get("expect") or {}]
        exps += [t.get("expect") or {} for t in case["turns"] if isinstance(t, dict)]
        for e in exps:
            for key in ("cart", "cart_max"):
                for sub in (e.get(key) or {}):
                    self.resolve(sub)
            for key in ("last_search_includes", "last_search_excludes", "last_search_only",
                        "order_includes"):
                for sub in e.get(key) or []:
                    self.resolve(sub)
            if e.get("last_search_first"):
                self.resolve(e["last_search_first"])
            for key in ("reply_matches", "reply_not_matches"):
                for rx in e.get(key) or []:
                    try:
                        re.compile(rx)
                    except re.error as ex:
                        raise CaseError("bad regex %r: %s" % (rx, ex))


# --------------------------------------------------------------------------- running

class Runner:
    def __init__(self, srv, catalog):
        self.srv = srv
        self.cat = catalog
        self.serial = 0
        self.stamp = "%x" % int(time.time() * 1000)

    def http(self, method, path, body=None, token=None):
        return self.srv.http(method, API + path, body, token=token, timeout=60)

    def must(self, what, resp, want=(200, 201, 204)):
        st, _, body = resp
        if st not in want:
            raise RuntimeError("setup %s: %s %r" % (what, st, body))
        return body

    def shopper(self):
        self.serial += 1
        reg = self.srv.register("dlg%d-%s@test.example" % (self.serial, self.stamp),
                                name="Dana Shopper")
        return reg["access_token"]

    def add_card(self, tok):
        b = self.must("card", self.http("POST", "/payment-methods",
                                        {"card_number": VISA, "exp_month": 12,
                                         "exp_year": YEAR + 3, "cvc": "123"}, tok))
        return b["id"]

    def fill_cart(self, tok, items):
        for sub, qty in items:
            pid = self.cat.one(sub)
            self.must("cart add %s" % sub, self.http("POST", "/cart/items",
                                                     {"product_id": pid, "quantity": qty}, tok))

    def setup(self, tok, setup):
        card_id = None
        if setup.get("card"):
            card_id = self.add_card(tok)
        if setup.get("address"):
            self.must("address", self.http("PATCH", "/me", {"shipping_address": ADDRESS}, tok))
        orders = setup.get("orders") or 0
        if isinstance(orders, int):
            orders = [{} for _ in range(orders)]
        for o in orders:
            self.fill_cart(tok, o.get("items") or [["Spaghetti 1 lb", 1]])
            body = {"shipping_address": ADDRESS}
            temp_card = None
            if o.get("paid", True):
                if card_id is None:
                    temp_card = self.add_card(tok)
                body["payment_method_id"] = card_id or temp_card
            self.must("order", self.http("POST", "/orders", body, tok))
            if temp_card is not None:
                self.must("card delete", self.http("DELETE", "/payment-methods/%d" % temp_card,
                                                   None, tok))
        if setup.get("cart"):
            self.fill_cart(tok, setup["cart"])

    def run(self, case):
        """Runs one case; returns (ok, why, transcript)."""
        tok = self.shopper()
        try:
            return self.run_turns(tok, case)
        finally:
            self.give_back(tok)

    def give_back(self, tok):
        """Cases are independent: the orders a case placed are cancelled after it ran,
        so the stock they took goes back (three watermelons stay three)."""
        st, _, page = self.http("GET", "/orders?limit=100", None, tok)
        if st != 200 or not isinstance(page, dict):
            return
        for o in page.get("items", []):
            if o.get("status") in ("pending_payment", "paid"):
                self.http("POST", "/orders/%d/cancel" % o["id"], None, tok)

    def run_turns(self, tok, case):
        self.setup(tok, case.get("setup") or {})
        conv = None
        transcript = []  # [(text, reply, actions)]
        turns = case["turns"]
        for i, t in enumerate(turns):
            if isinstance(t, str):
                t = {"text": t}
            if t.get("if_asked"):
                if not transcript or "?" not in transcript[-1][1]:
                    transcript.append(("(skipped: %s)" % t["text"], "", []))
                    continue
            body = {"text": t["text"]}
            if conv is not None:
                body["conversation_id"] = conv
            st, _, b = self.http("POST", "/buddy/messages", body, tok)
            if st != 200 or not isinstance(b, dict):
                transcript.append((t["text"], "<HTTP %s %r>" % (st, b), []))
                return False, "turn %d: HTTP %s" % (i + 1, st), transcript
            conv = b.get("conversation_id", conv)
            reply = b.get("reply") if isinstance(b.get("reply"), str) else ""
            actions = b.get("actions") if isinstance(b.get("actions"), list) else []
            transcript.append((t["text"], reply, actions))
            exp = dict(t.get("expect") or {})
            if i == len(turns) - 1:
                exp.update(case.get("expect") or {})
            if exp:
                why = self.check(tok, exp, transcript)
                if why:
                    return False, "after turn %d: %s" % (i + 1, "; ".join(why)), transcript
        if turns and isinstance(turns[-1], dict) and turns[-1].get("if_asked") and \
                transcript and transcript[-1][0].startswith("(skipped") and case.get("expect"):
            # The last turn was skipped (the buddy did not ask): the case's expectations
            # still hold, checked against the last turn that ran.
            ran = [t for t in transcript if not t[0].startswith("(skipped")]
            why = self.check(tok, case["expect"], ran or transcript)
            if why:
                return False, "at the end: %s" % "; ".join(why), transcript
        return True, "", transcript

    # -- expectations -------------------------------------------------------------------
    def cart(self, tok):
        return self.must("GET /cart", self.http("GET", "/cart", None, tok))

    def check(self, tok, exp, transcript):
        why = []
        _text, reply, actions = transcript[-1]
        names = [action_name(a) for a in actions]
        need_cart = any(k in exp for k in ("cart", "cart_max", "cart_empty", "cart_pick"))
        if need_cart:
            cart = self.cart(tok)
            lines = {it["product_id"]: it["quantity"] for it in cart.get("items", [])}
            shown = {self.cat.title(p): q for p, q in lines.items()}
            if exp.get("cart_empty") and lines:
                why.append("cart should be empty, holds %s" % shown)
            for sub, want in (exp.get("cart") or {}).items():
                ids = self.cat.resolve(sub)
                got = sum(q for p, q in lines.items() if p in ids)
                if got != want:
                    why.append("cart %r: %d, want %d (cart %s)" % (sub, got, want, shown))
            if exp.get("cart_exact"):
                allowed = set()
                for sub in (exp.get("cart") or {}):
                    allowed |= self.cat.resolve(sub)
                extra = {self.cat.title(p): q for p, q in lines.items() if p not in allowed}
                if extra:
                    why.append("cart has unexpected lines %s" % extra)
            for sub, most in (exp.get("cart_max") or {}).items():
                ids = self.cat.resolve(sub)
                got = sum(q for p, q in lines.items() if p in ids)
                if got > most:
                    why.append("cart %r: %d, want at most %d" % (sub, got, most))
            pick = exp.get("cart_pick")
            if pick:
                ti = pick.get("turn", 0)
                items = last_search(transcript[ti][2]) if ti < len(transcript) else None
                idx = pick.get("index", 0)
                if not items or idx >= len(items):
                    why.append("cart_pick: turn %d had no search with %d items" % (ti + 1, idx + 1))
                else:
                    pid = items[idx].get("id")
                    got = lines.get(pid, 0)
                    if got != pick.get("qty", 1):
                        why.append("cart_pick: %r (item %d of turn %d's search) x%d, want %d "
                                   "(cart %s)" % (items[idx].get("title"), idx + 1, ti + 1,
                                                   got, pick.get("qty", 1), shown))
        if any(k in exp for k in ("orders", "order_status", "order_includes")):
            page = self.must("GET /orders", self.http("GET", "/orders?limit=100", None, tok))
            items = page.get("items", [])
            n = page.get("total", len(items))
            if "orders" in exp and n != exp["orders"]:
                why.append("orders: %d, want %d%s" % (n, exp["orders"], (
                    " (newest %s)" % items[0].get("status")) if items else ""))
            if "order_status" in exp:
                st = items[0].get("status") if items else None
                if st != exp["order_status"]:
                    why.append("newest order status %r, want %r" % (st, exp["order_status"]))
            if exp.get("order_includes"):
                have = {it["product_id"] for it in items[0].get("items", [])} if items else set()
                for sub in exp["order_includes"]:
                    if not (self.cat.resolve(sub) & have):
                        why.append("newest order lacks %r" % sub)
        search_keys = ("last_search_includes", "last_search_excludes", "last_search_first",
                       "last_search_only", "last_search_price_max", "last_search_price_min")
        if any(k in exp for k in search_keys):
            items = last_search(actions)
            if items is None:
                why.append("no search action in the turn (actions %s)" % names)
            else:
                got = [it.get("id") for it in items]
                titles = [it.get("title") for it in items]
                for sub in exp.get("last_search_includes") or []:
                    if not (self.cat.resolve(sub) & set(got)):
                        why.append("search lacks %r (got %s)" % (sub, titles))
                for sub in exp.get("last_search_excludes") or []:
                    if self.cat.resolve(sub) & set(got):
                        why.append("search should not list %r (got %s)" % (sub, titles))
                if exp.get("last_search_only"):
                    ok_ids = set()
                    for sub in exp["last_search_only"]:
                        ok_ids |= self.cat.resolve(sub)
                    stray = [t for i, t in zip(got, titles) if i not in ok_ids]
                    if not got:
                        why.append("search found nothing")
                    elif stray:
                        why.append("search lists %s (want only %s)" % (stray, exp["last_search_only"]))
                if exp.get("last_search_first"):
                    if not got or got[0] not in self.cat.resolve(exp["last_search_first"]):
                        why.append("search first %r, want %r" % (
                            titles[0] if titles else None, exp["last_search_first"]))
                for key, cmp_ok, word in (("last_search_price_max", lambda c, v: c <= v, "over"),
                                          ("last_search_price_min", lambda c, v: c >= v, "under")):
                    if key in exp:
                        limit = round(exp[key] * 100)
                        bad = [it.get("title") for it in items
                               if not cmp_ok(it.get("price_cents", 0), limit)]
                        if bad:
                            why.append("search lists %s $%.2f: %s" % (word, exp[key], bad))
                        if not items:
                            why.append("search found nothing")
        for n in exp.get("actions_include") or []:
            if n not in names:
                why.append("no %r action (actions %s)" % (n, names))
        for n in exp.get("actions_exclude") or []:
            if n in names:
                why.append("unexpected %r action" % n)
        for rx in exp.get("reply_matches") or []:
            if not re.search(rx, reply):
                why.append("reply does not match %r" % rx)
        for rx in exp.get("reply_not_matches") or []:
            if re.search(rx, reply):
                why.append("reply matches %r" % rx)
        if "asks" in exp and (("?" in reply) != bool(exp["asks"])):
            why.append("reply should %sask a question" % ("" if exp["asks"] else "not "))
        return why


def action_name(a):
    if not isinstance(a, dict):
        return "?"
    return a.get("name") or a.get("type") or "?"


def last_search(actions):
    """Items of the last `search` action, or None."""
    items = None
    for a in actions:
        if action_name(a) == "search":
            res = a.get("result") if isinstance(a.get("result"), dict) else {}
            items = res.get("items") if isinstance(res.get("items"), list) else []
    return items


def show_transcript(transcript):
    out = []
    for text, reply, actions in transcript:
        out.append("    you:   %s" % text)
        if text.startswith("(skipped"):
            continue
        out.append("    buddy: %s" % reply.replace("\n", " / "))
        if actions:
            desc = []
            for a in actions:
                n = action_name(a)
                args = a.get("args") if isinstance(a, dict) else None
                s = n
                if n == "search":
                    items = last_search([a]) or []
                    s += "[%s]" % ", ".join(str(it.get("title")) for it in items[:6])
                    if len(items) > 6:
                        s += "+%d" % (len(items) - 6)
                elif args:
                    s += json.dumps(args, separators=(",", ":"))[:120]
                desc.append(s)
            out.append("    acts:  %s" % "; ".join(desc))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description="buddy dialogue corpus")
    ap.add_argument("-k", dest="pattern", help="run only cases whose topic/name contains this")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("-v", "--verbose", action="store_true", help="show passing dialogues too")
    ap.add_argument("--strict", action="store_true",
                    help="a known failure that passes fails the run too")
    opts = ap.parse_args()

    cases, problems = load_cases()
    known = load_known_failures()
    ids = {c["id"] for c in cases}
    for kid, line in sorted(known.items(), key=lambda kv: kv[1]):
        if kid not in ids:
            problems.append("known_failures.txt:%d: no case %r" % (line, kid))
    if problems:
        for p in problems:
            print("BAD CASE FILE: " + p)
        sys.exit(2)
    if opts.pattern:
        k = opts.pattern.lower()
        cases = [c for c in cases if k in c["id"].lower()]
    if opts.list:
        for c in cases:
            turns = [t if isinstance(t, str) else t["text"] for t in c["turns"]]
            print("%-55s %s" % (c["id"], " | ".join(turns)))
        print("%d cases" % len(cases))
        return
    t0 = time.time()
    passed = failed = 0
    failures = []
    regressions = []
    now_pass = []
    by_topic = {}
    with lib.Server(CONFIG, ["--import-catalog", CATALOG], name="voxcartd-dialogues") as srv:
        cat = Catalog(srv)
        runner = Runner(srv, cat)
        for case in cases:
            try:
                cat.lint(case)
                ok, why, transcript = runner.run(case)
            except CaseError as e:
                ok, why, transcript = False, "BAD CASE: %s" % e, []
            except Exception as e:  # noqa: BLE001 - one broken case must not end the run
                ok, why, transcript = False, "raised %s: %s" % (type(e).__name__, e), []
                if not srv.alive():
                    why += "\n    voxcartd died; log tail:\n" + srv.log_tail()
            topic = by_topic.setdefault(case["topic"], [0, 0])
            if ok:
                passed += 1
                topic[0] += 1
                if case["id"] in known:
                    now_pass.append(case["id"])
                    print("ok   %s (known failure: now passes)" % case["id"])
                else:
                    print("ok   %s" % case["id"])
                if opts.verbose:
                    print(show_transcript(transcript))
            else:
                failed += 1
                topic[1] += 1
                failures.append(case["id"])
                if case["id"] in known:
                    print("FAIL %s (known): %s" % (case["id"], why))
                else:
                    regressions.append(case["id"])
                    print("FAIL %s: %s" % (case["id"], why))
                if transcript:
                    print(show_transcript(transcript))
            sys.stdout.flush()
            if not srv.alive():
                print("voxcartd is gone; stopping")
                break
        alive = srv.alive()
    total = passed + failed
    rate = passed / total if total else 0.0
    print("\nper topic:")
    for topic in sorted(by_topic):
        p, f = by_topic[topic]
        print("  %-14s %3d/%-3d" % (topic, p, p + f))
    print("pass rate %.1f%%, %.1fs%s" % (
        rate * 100, time.time() - t0, "" if alive else ", server died"))
    if regressions:
        print("\n%d failing case(s) not in known_failures.txt (regressions):" % len(regressions))
        for cid in regressions:
            print("  " + cid)
    if now_pass:
        print("\n%d known failure(s) now pass; remove them from known_failures.txt:" % len(now_pass))
        for cid in now_pass:
            print("  " + cid)
    print("%d passed, %d failed" % (passed, failed))
    sys.stdout.flush()
    bad = regressions or not alive or not total or (opts.strict and now_pass)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
