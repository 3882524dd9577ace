#!/usr/bin/env python3
"""test_tui.py - voxcart-tui driven through tmux against a real voxcartd.

Starts ./voxcartd --demo (lib.Server), prepares a saved address, a sandbox card and
two products with UTF-8 titles (one with double-width characters) through the REST
API, then runs ./voxcart-tui in a detached tmux session (100x30) on its own tmux
socket and a private XDG_CONFIG_HOME, and checks what the screen shows:

  login through the form; search; product view; add to cart; change a quantity in
  the cart pane; ask the buddy in text and see the cart pane change; checkout with
  the saved card and address; the order in the orders list; UTF-8 titles aligned;
  resizing to 80x24 and 200x60; q with a half-done checkout asks; quitting restores
  the terminal; a second run opens logged in (the shared credentials file); a voice
  turn with --input (speech synthesised by flite) and --output; the --stats figures
  (printed; checked only against bounds no loaded machine reaches unless the UI thread
  does slow work itself: first screen < 2 s, never blocked >= 250 ms while speech played
  — the 100 ms / 16 ms targets are figures for a benchmark, not a timed test);
  NO_COLOR; a crash signal restores the terminal; a saved login that ran out and one the
  server does not know each get their own status line (the words voxcart uses).

Screens are polled (wait_for) rather than slept on.  One line per check, then
`N passed, M failed`; exit status 1 on any failure.  VOXCART_TUI overrides the binary;
KEEP=1 keeps each run's --stats and --log files.
"""

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

TUI = os.environ.get("VOXCART_TUI", os.path.join(lib.ROOT, "voxcart-tui"))
C = lib.Checks("test_tui")
C.verbose = True  # one line per check, passed ones too

SHOPPER = "shopper@demo.voxcart"
PASSWORD = "shop-demo-2026"
ADDRESS = {"name": "Demo Shopper", "line1": "1 Main St", "city": "Springfield",
           "postal_code": "12345", "country": "US"}
UTF8_TITLE = "Café Crème Brûlée 250 g"
WIDE_TITLE = "抹茶 Matcha Crème 100 g"
SOCKET = "voxcart-test-%d" % os.getpid()


def dwidth(s):
    """Display width of s in terminal columns."""
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def tmux(*args, check=True):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    r = subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null"] + list(args), env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=15)
    if check and r.returncode != 0:
        raise RuntimeError("tmux %s: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
    return r.stdout.decode("utf-8", errors="replace")


class Tui:
    """One voxcart-tui in a tmux session; the shell prints TUI-EXITED rc=N after it."""

    def __init__(self, name, server_url, xdg, args=(), env=None, size=(100, 30)):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="voxcart-tui-")
        self.stats = os.path.join(self.dir, "stats.json")
        self.log = os.path.join(self.dir, "tui.log")
        envs = {"XDG_CONFIG_HOME": xdg, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                "TERM": "tmux-256color"}
        envs.update(env or {})
        cmd = ["env"] + ["%s=%s" % kv for kv in envs.items()] + [
            TUI, "--server", server_url, "--stats", self.stats, "--log", self.log] + list(args)
        shell = "ulimit -c 0; %s; echo TUI-EXITED rc=$?; sleep 600" % " ".join(
            _quote(c) for c in cmd)
        tmux("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]),
             "sh", "-c", shell)

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", self.name]
        if escapes:
            args.insert(2, "-e")
        return tmux(*args)

    def lines(self):
        return self.screen().split("\n")

    def wait_for(self, what, timeout=6.0):
        """Polls the screen until what (a string, or a function of the screen text)
        holds; returns the screen (truthy) or None after timeout."""
        deadline = time.time() + timeout
        while True:
            s = self.screen()
            ok = what(s) if callable(what) else what in s
            if ok:
                return s
            if time.time() >= deadline:
                return None
            time.sleep(0.05)

    def keys(self, *keys):
        tmux("send-keys", "-t", self.name, *keys)

    def type(self, text):
        tmux("send-keys", "-t", self.name, "-l", text)

    def resize(self, w, h):
        tmux("resize-window", "-t", self.name, "-x", str(w), "-y", str(h))

    def pid(self):
        """The voxcart-tui process (the child of the pane's shell)."""
        shell = int(tmux("list-panes", "-t", self.name, "-F", "#{pane_pid}").split()[0])
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % p) as f:
                    st = f.read()
                with open("/proc/%s/cmdline" % p, "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            ppid = int(st.rsplit(")", 1)[1].split()[1])
            if ppid == shell and b"voxcart-tui" in cmd:
                return int(p)
        return None

    def read_stats(self):
        try:
            with open(self.stats) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def close(self):
        tmux("kill-session", "-t", self.name, check=False)
        if not os.environ.get("KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)


def _quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def pane(screen, which, width, height=30):
    """The text of the cart or buddy pane (the right column) of a screen, as the
    TUI lays it out (tui/app.c app_layout)."""
    lines = screen.split("\n")
    rw = max(32, min(width * 2 // 5, 72))
    body = height - 3
    ch = max(7, body * 2 // 5)
    rows = range(1, 1 + ch) if which == "cart" else range(1 + ch, 1 + body)
    out = []
    for i in rows:
        if i < len(lines):
            out.append(_cols(lines[i], width - rw, width))
    return "\n".join(out)


def _cols(line, start, end):
    """The characters of line between display columns start and end."""
    col, out = 0, []
    for ch in line:
        w = dwidth(ch)
        if col >= start and col + w <= end:
            out.append(ch)
        col += w
    return "".join(out)


def cart_lines(srv, token):
    st, _, b = srv.http("GET", "/api/v1/cart", token=token)
    return {i["title"]: i["quantity"] for i in b.get("items", [])} if st == 200 else {}


# ---- the checks ----------------------------------------------------------------------

def prepare(srv):
    shopper = srv.login(SHOPPER, PASSWORD)
    tok = shopper["access_token"]
    st, _, _ = srv.http("PATCH", "/api/v1/me", {"shipping_address": ADDRESS}, token=tok)
    C.status("fixture: saved address", (st, {}, None), 200)
    st, _, card = srv.http("POST", "/api/v1/payment-methods",
                           {"card_number": "4242424242424242", "exp_month": 12,
                            "exp_year": 2031, "cvc": "123"}, token=tok)
    C.check("fixture: sandbox card 4242 added", st == 201, "status %r %r" % (st, card))
    seller = srv.register("patissier@example.com", role="seller", name="Pâtisserie Ödön")
    for title, cents in ((UTF8_TITLE, 650), (WIDE_TITLE, 1275)):
        srv.create_product(seller["access_token"], title=title, price_cents=cents, stock=50,
                           category="Sweets", description="Fait maison. 手作り.")
    return tok


def shop_session(srv, tok, url, xdg):
    t = Tui("shop", url, xdg)
    try:
        _shop_checks(srv, tok, t)
    finally:
        C.check("no stderr noise on the screen (log kept in a file)",
                "voxcart-tui: slow pass" not in t.screen(), t.log_text()[-300:])
        t.close()
    return t


def _shop_checks(srv, tok, t):
    s = t.wait_for("Log in to voxcart")
    C.check("fresh start shows the login form", s, t.screen())
    if not s:
        return
    t.type(SHOPPER)
    t.keys("Enter")
    t.type(PASSWORD)
    t.keys("Enter", "Enter")
    s = t.wait_for("Logged in as " + SHOPPER)
    C.check("login through the form", s, t.screen())
    if not s:
        return
    xdg_creds = os.path.join(os.environ.get("TUI_XDG", ""), "voxcart", "credentials")
    C.check("login saved in the shared credentials file", os.path.exists(xdg_creds), xdg_creds)

    # search
    st, _, res = srv.http("GET", "/api/v1/products?q=coffee&limit=5")
    first = res["items"][0]["title"] if st == 200 and res.get("items") else None
    t.keys("/")
    t.type("coffee")
    t.keys("Enter")
    s = t.wait_for(lambda s: "Search: coffee" in s and first and first[:24] in s)
    C.check("search shows the results the server ranks first", s,
            "want %r on\n%s" % (first, t.screen()))

    # product view
    t.keys("Enter")
    s = t.wait_for(lambda s: "Quantity: < 1 >" in s and first[:24] in s)
    C.check("Enter opens the product view", s, t.screen())

    # add to cart
    t.keys("a")
    s = t.wait_for(lambda s: "1x " + first[:10] in pane(s, "cart", 100))
    C.check("a adds the product: the cart pane shows it", s, t.screen())

    # quantity in the cart pane
    t.keys("Tab", "+")
    s = t.wait_for(lambda s: "2x " + first[:10] in pane(s, "cart", 100))
    C.check("+ in the cart pane makes it 2", s and cart_lines(srv, tok).get(first) == 2,
            "server cart %r; screen\n%s" % (cart_lines(srv, tok), t.screen()))

    # the buddy, typed
    t.keys("Tab", "i")
    t.type("add two bananas")
    t.keys("Enter")
    got = t.wait_for(lambda s: "Bananas" in pane(s, "cart", 100) or "?" in pane(s, "buddy", 100)
                     .split("you: add two bananas", 1)[-1], timeout=10)
    if got and "Bananas" not in pane(got, "cart", 100):
        t.type("the first one")  # the buddy asked which bananas
        t.keys("Enter")
    s = t.wait_for(lambda s: re.search(r"2x Bananas", pane(s, "cart", 100)), timeout=10)
    C.check("typed to the buddy: 'add two bananas' shows in the cart pane", s,
            "buddy pane:\n%s" % pane(t.screen(), "buddy", 100))
    t.keys("Escape")

    # checkout with the saved card and address
    subtotal = srv.http("GET", "/api/v1/cart", token=tok)[2].get("subtotal_cents")
    t.keys("c")
    s = t.wait_for(lambda s: "ending 4242" in s and "1 Main St" in s)
    C.check("checkout offers the saved card and address", s, t.screen())
    t.keys("Down", "Down", "Enter")
    s = t.wait_for("(y/n)")
    C.check("placing the order asks first", s and "4242" in s, t.screen())
    t.keys("y")
    s = t.wait_for(lambda s: re.search(r"Order #(\d+) placed", s))
    st, _, orders = srv.http("GET", "/api/v1/orders", token=tok)
    order = orders["items"][0] if st == 200 and orders.get("items") else {}
    C.check("order placed and shown, paid, total = cart subtotal",
            s and order.get("status") == "paid" and order.get("total_cents") == subtotal
            and "Status: paid" in s, "order %r; screen\n%s" % (order, t.screen()))

    t.keys("Escape")
    s = t.wait_for(lambda s: "#%s" % order.get("id") in s and "paid" in s)
    C.check("the orders list shows the order", s, t.screen())

    # order detail and cancel (asks first; a paid order is refunded)
    t.keys("Enter")
    t.wait_for("Status: paid")
    t.keys("x")
    s = t.wait_for("and refund it? (y/n)")
    if s:
        t.keys("y")
        s = t.wait_for(lambda s: "Status: cancelled" in s and "refunded" in s)
    st, _, o = srv.http("GET", "/api/v1/orders/%s" % order.get("id"), token=tok)
    C.check("x cancels the order after asking (refunded)",
            s and st == 200 and o.get("status") == "cancelled", "%r %r\n%s" % (st, o, t.screen()))

    # UTF-8 titles: typed into the search box, drawn aligned
    t.keys("/")
    t.type("Crème")
    t.keys("Enter")
    s = t.wait_for(lambda s: UTF8_TITLE in s and WIDE_TITLE in s)
    ok = bool(s)
    why = t.screen()
    if s:
        framed = [l for l in s.split("\n") if l.startswith(("│", "┌", "└"))]
        rows = [l for l in framed if UTF8_TITLE in l or WIDE_TITLE in l or "$" in l]
        bad = [l for l in framed if dwidth(l) != 100]
        # where each result row's price ends: the first pane's right border
        ends = {dwidth(l.split("│")[1]) for l in rows if l.count("│") >= 3}
        flush = all(re.search(r"\$[0-9,]+\.[0-9]{2}$", l.split("│")[1]) for l in rows
                    if UTF8_TITLE in l or WIDE_TITLE in l)
        ok = not bad and len(ends) == 1 and len(rows) >= 2 and flush
        why = "rows not 100 columns wide: %r; price column ends %r\n%s" % (bad, ends, s)
    C.check("UTF-8 and double-width titles render aligned", ok, why)

    # resize
    for w, h in ((80, 24), (200, 60), (100, 30)):
        t.resize(w, h)
        s = t.wait_for(lambda s: len(s.rstrip("\n").split("\n")) == h and
                       dwidth(s.split("\n")[1]) == w and "Cart (" in s and "Buddy" in s)
        lines = (s or "").rstrip("\n").split("\n")
        ok = s and all(dwidth(l) <= w for l in lines) and lines[0].lstrip().startswith("voxcart")
        C.check("resized to %dx%d: redrawn to fit" % (w, h), ok, t.screen())

    # colours are on by default (NO_COLOR is checked on the second run)
    C.check("colours on by default", re.search(r"\x1b\[[0-9;]*3[0-7]m|\x1b\[[0-9;]*38;",
                                                t.screen(escapes=True)), "no colour codes")

    # q with a half-done checkout asks; quitting restores the terminal
    t.keys("c")
    t.wait_for("Place order")
    t.keys("q")
    s = t.wait_for("checkout is not finished")
    C.check("q during a checkout asks first", s, t.screen())
    t.keys("n")
    t.wait_for(lambda s: "not finished" not in s)
    t.keys("Escape", "q")
    s = t.wait_for("TUI-EXITED rc=0")
    C.check("q quits with status 0 and restores the terminal",
            s and "Cart (" not in s and "voxcart" not in s.split("TUI-EXITED")[0], t.screen())
    stats = t.read_stats()
    # Wall-clock figures depend on the machine's load: the check catches work done on the
    # UI thread (a blocking call takes seconds), the figure itself is printed.
    C.check("--stats: first screen without blocking work (< 2 s; target 100 ms)",
            stats and stats["startup_ms"] < 2000, repr(stats))
    if stats:
        print("     stats: first screen %.1f ms" % stats["startup_ms"])


def voice_session(srv, tok, url, xdg):
    wav = os.path.join(tempfile.mkdtemp(prefix="voxcart-tui-wav-"), "bananas.wav")
    out = os.path.join(os.path.dirname(wav), "speech.wav")
    flite = shutil.which("flite")
    if flite:
        subprocess.run([flite, "-voice", "slt", "-t", "add two bananas", "-o", wav],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    srv.http("DELETE", "/api/v1/cart", token=tok)
    args = ["--input", wav, "--output", out] if os.path.exists(wav) else []
    t = Tui("voice", url, xdg, args=args, env={"NO_COLOR": "1"})
    try:
        s = t.wait_for("Logged in as " + SHOPPER)
        C.check("second run opens logged in (credentials shared with voxcart)", s, t.screen())
        C.check("NO_COLOR: no colour codes", s and not re.search(
            r"\x1b\[[0-9;]*3[0-7]m|\x1b\[[0-9;]*38;", t.screen(escapes=True)),
            "colour codes found")
        if not args:
            print("NOTE voice turn could not run yet: flite is not installed to make the "
                  "test speech")
            C.check("voice turn with --input (flite missing: could not run yet)", False)
            return
        s = t.wait_for(lambda s: "Buddy - connected" in s, timeout=10)
        if not s:
            print("NOTE voice turn could not run yet: the buddy did not connect")
            C.check("voice turn with --input (buddy not connected: could not run yet)",
                    False, pane(t.screen(), "buddy", 100))
            return
        t.keys("F2")
        seen_meter = seen_speaking = False
        heard = None
        deadline = time.time() + 20
        while time.time() < deadline:
            s = t.screen()
            b = pane(s, "buddy", 100)
            seen_meter = seen_meter or re.search(r"MIC \|+", b) is not None
            seen_speaking = seen_speaking or "SPEAKING" in b
            if heard is None and "you: " in b:
                heard = b.split("you: ", 1)[1].split("\n")[0].strip(" │")
            if heard and seen_speaking and "SPEAKING" not in b:
                break
            time.sleep(0.04)
        b = pane(t.screen(), "buddy", 100)
        C.check("voice turn: the microphone meter moved while the file played", seen_meter, b)
        C.check("voice turn: the transcript 'add two bananas' shows", heard and
                "bananas" in heard.lower(), "heard %r\n%s" % (heard, b))
        C.check("voice turn: the speaking indicator showed while speech played",
                seen_speaking, b)

        # barge-in: the talk key while the buddy speaks stops it and listens
        t.keys("i")
        t.type("what can you do")
        t.keys("Enter", "Escape")
        s = t.wait_for(lambda s: "SPEAKING" in pane(s, "buddy", 100), timeout=10)
        if s:
            time.sleep(0.3)  # well inside the reply, which speaks for several seconds
            t.keys("F2")
            s = t.wait_for(lambda s: "SPEAKING" not in pane(s, "buddy", 100) and
                           "MIC" in pane(s, "buddy", 100), timeout=3.0)  # the reply speaks ~10 s: 3 s still shows the stop
        C.check("barge-in: the talk key during speech stops it and listens", s,
                pane(t.screen(), "buddy", 100))
        t.wait_for(lambda s: "MIC" not in pane(s, "buddy", 100), timeout=10)
        t.keys("q")
        s = t.wait_for("TUI-EXITED", timeout=8)
        C.check("voice run quits with status 0", s and "TUI-EXITED rc=0" in s, t.screen())
        stats = t.read_stats()
        C.check("--stats: UI thread not blocked by audio work while speech played "
                "(< 250 ms; target 16 ms)",
                stats and stats.get("speaking_passes", 0) > 0 and
                stats["max_block_speaking_ms"] < 250, repr(stats))
        C.check("speech written to --output WAV", os.path.exists(out) and
                os.path.getsize(out) > 44 + 24000, out)
        if stats:
            print("     stats: startup %.1f ms, logged in %.1f ms, longest block %.1f ms, "
                  "longest block while speaking %.1f ms over %.1f s of speech"
                  % (stats["startup_ms"], stats["logged_in_ms"], stats["max_block_ms"],
                     stats["max_block_speaking_ms"], stats["speaking_ms"] / 1000))
    finally:
        t.close()
        shutil.rmtree(os.path.dirname(wav), ignore_errors=True)


def crash_session(url, xdg):
    t = Tui("crash", url, xdg)
    try:
        s = t.wait_for("Logged in as " + SHOPPER)
        pid = t.pid()
        if not s or not pid:
            C.check("crash signal restores the terminal (TUI did not start)", False, t.screen())
            return
        os.kill(pid, signal.SIGSEGV)
        s = t.wait_for("TUI-EXITED")
        C.check("SIGSEGV: the terminal is restored and the crash is said",
                s and "terminal was restored" in s and "Cart (" not in s, t.screen())
    finally:
        t.close()


def login_over_session(srv, url):
    """A saved login the server no longer accepts: the status line says why, in the same
    words as voxcart (issue 14): a login that ran out vs one the server does not know."""
    for email, why, want in (
            ("late-tui@example.com", "expired", "Your session expired"),
            ("gone-tui@example.com", "unknown", "does not know your saved login")):
        reg = srv.register(email)
        access, refresh = reg["access_token"], reg["refresh_token"]
        if why == "expired":
            sql = ("UPDATE tokens SET access_expires = 1, refresh_expires = 2 WHERE user_id = "
                   "(SELECT id FROM users WHERE email = '%s')" % email)
            if lib.ON_POSTGRES:
                lib.pg_query(srv.db, sql)
            else:
                db = sqlite3.connect(srv.db, timeout=10)
                db.execute(sql)
                db.commit()
                db.close()
        else:  # tokens this server never issued (its database changed)
            access, refresh = "vx_" + "a" * 40, "vx_" + "b" * 40
        xdg = tempfile.mkdtemp(prefix="voxcart-tui-xdg-")
        os.makedirs(os.path.join(xdg, "voxcart"))
        cred = os.path.join(xdg, "voxcart", "credentials")
        with open(cred, "w") as f:
            f.write("server = %s\nemail = %s\naccess_token = %s\nrefresh_token = %s\n"
                    "expires_at = 1\n" % (url, email, access, refresh))
        os.chmod(cred, 0o600)
        t = Tui("over-" + why, url, xdg, size=(200, 30))
        try:
            s = t.wait_for(want, timeout=10)
            C.check("TUI with a saved login that %s: the screen says '%s'" % (
                "ran out" if why == "expired" else "the server does not know", want),
                s, t.screen())
            if why == "expired":
                C.check("... and not that it is unknown", s and "does not know" not in s)
            else:
                C.check("... and not that it expired", s and "expired" not in s)
        finally:
            t.close()
            shutil.rmtree(xdg, ignore_errors=True)


def client_config_session(url, xdg):
    """Without --server or VOXCART_SERVER the TUI reads "server" in the [client] section
    of $XDG_CONFIG_HOME/voxcart/config (config.example), as voxcart does."""
    cfg = os.path.join(xdg, "voxcart", "config")
    os.makedirs(os.path.dirname(cfg), exist_ok=True)
    with open(cfg, "w") as f:
        f.write("[server]\nport = 1\n[client]\nserver = %s\n" % url)
    name = "clientcfg"
    envs = {"XDG_CONFIG_HOME": xdg, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color"}
    cmd = ["env", "-u", "VOXCART_SERVER"] + ["%s=%s" % kv for kv in envs.items()] + [TUI]
    tmux("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "sh", "-c",
         "%s; echo TUI-EXITED rc=$?; sleep 600" % " ".join(_quote(c) for c in cmd))
    try:
        deadline, s = time.time() + 10, ""
        while time.time() < deadline:
            s = tmux("capture-pane", "-p", "-t", name)
            if "Cart (" in s and SHOPPER in s:  # logged in, and the screen drawn after it
                break
            time.sleep(0.1)
        C.check("the TUI uses [client] server from the config file", "Cart (" in s and
                SHOPPER in s, s)
    finally:
        os.remove(cfg)
        tmux("kill-session", "-t", name, check=False)


def handsfree_session(srv, tok, url, xdg):
    """F3: hands-free.  The --input file (speech, then 1.5 s of silence) is heard: the
    meter shows HEARD, and the turn ends on the pause by itself, without another key."""
    d = tempfile.mkdtemp(prefix="voxcart-tui-hf-")
    raw, wav = os.path.join(d, "raw.wav"), os.path.join(d, "ask.wav")
    flite, sox = shutil.which("flite"), shutil.which("sox")
    if flite and sox:
        subprocess.run([flite, "-voice", "slt", "-t", "add two bananas", "-o", raw],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        subprocess.run([sox, raw, wav, "pad", "0.8", "2.5"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
    if not os.path.exists(wav):
        C.check("hands-free: test speech made (flite and sox)", False)
        return
    srv.http("DELETE", "/api/v1/cart", token=tok)
    t = Tui("handsfree", url, xdg, args=["--input", wav, "--output", os.path.join(d, "out.wav")])
    try:
        s = t.wait_for(lambda s: "Buddy - connected" in s, timeout=15)
        C.check("hands-free: the pane offers F3", s and "F3 hands-free" in s, t.screen())
        if not s:
            return
        t.keys("F3")
        seen_heard = seen_mode = False
        heard = None
        deadline = time.time() + 20
        while time.time() < deadline and heard is None:
            b = pane(t.screen(), "buddy", 100)
            seen_mode = seen_mode or "HANDS-FREE" in b or "HEARD" in b
            seen_heard = seen_heard or "HEARD" in b
            if "you: " in b:
                heard = b.split("you: ", 1)[1].split("\n")[0].strip(" │")
            time.sleep(0.03)
        C.check("hands-free: F3 turns it on (the meter says so)", seen_mode, t.screen())
        C.check("hands-free: the meter shows when it hears speech", seen_heard, t.screen())
        C.check("hands-free: the pause ended the turn by itself ('add two bananas' heard)",
                heard and "banana" in heard.lower(), "heard %r\n%s" % (heard, t.screen()))
    finally:
        t.close()
        shutil.rmtree(d, ignore_errors=True)


def reconnect_session(srv, url, xdg):
    """The buddy reconnects by itself after the server restarts, and says so; on the
    new connection a removal still names the product (not "- item")."""
    tok = srv.login(SHOPPER, PASSWORD)["access_token"]
    srv.http("DELETE", "/api/v1/cart", token=tok)
    st, _, res = srv.http("GET", "/api/v1/products?q=organic%20bananas&limit=1")
    banana = res["items"][0] if st == 200 and res.get("items") else None
    if banana:
        srv.http("POST", "/api/v1/cart/items", {"product_id": banana["id"], "quantity": 1},
                 token=tok)
    t = Tui("reconnect", url, xdg)
    try:
        s = t.wait_for(lambda s: "Buddy - connected" in s, timeout=15)
        C.check("reconnect: the buddy is connected first", s, t.screen())
        if not s:
            return
        srv.proc.kill()  # the server goes away...
        srv.proc.wait()
        s = t.wait_for(lambda s: "reconnecting" in pane(s, "buddy", 100) or "reconnecting" in s,
                       timeout=15)
        C.check("reconnect: the pane says the connection was lost and it reconnects", s and
                "reconnecting by itself" in s, t.screen())
        srv.proc = subprocess.Popen(  # ... and comes back on the same port and database
            [lib.VOXCARTD, "--port", str(srv.port), "--db", srv.db, "--config", srv.conf_path]
            + srv.args, stdout=srv._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        s = t.wait_for(lambda s: "(reconnected by itself)" in s and "Buddy - connected" in s,
                       timeout=30)
        C.check("reconnect: after the restart the buddy is back without a key pressed", s,
                t.screen())
        if s and banana:  # the first message on the new connection: it never saw the product
            t.keys("i")
            t.type("remove the %s" % banana["title"].lower())
            t.keys("Enter", "Escape")
            s = t.wait_for(lambda s: re.search(r"^│\s+- \S", pane(s, "buddy", 100), re.M), timeout=15)
            b = pane(t.screen(), "buddy", 100)
            C.check("reconnect: the next message is answered; a removal on the fresh connection "
                    "names the product, not 'item'",
                    s and "- item" not in b and re.search(r"- %s" % re.escape(banana["title"][:12]), b),
                    b)
    finally:
        t.close()


class Demo(Tui):
    """scripts/demo.sh (what `make demo` runs) in a tmux session on the given port."""

    def __init__(self, name, port, size=(100, 30)):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="voxcart-demo-")
        self.stats = os.path.join(self.dir, "stats.json")
        self.log = os.path.join(self.dir, "demo-server.log")
        envs = {"XDG_CONFIG_HOME": self.dir, "HOME": self.dir, "LANG": "C.UTF-8",
                "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "VOXCART_DEMO_PORT": str(port),
                "VOXCART_DEMO_DB": os.path.join(self.dir, "demo.db")}
        cmd = ["env", "-u", "VOXCART_SERVER", "-u", "VOXCART_DEMO_SERVER_ONLY"] + \
            ["%s=%s" % kv for kv in envs.items()] + [os.path.join(lib.ROOT, "scripts", "demo.sh")]
        shell = "ulimit -c 0; %s; echo TUI-EXITED rc=$?; sleep 600" % " ".join(
            _quote(c) for c in cmd)
        for attempt in range(3):  # the tmux server may still be exiting after the last session
            try:
                tmux("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]),
                     "sh", "-c", shell)
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                time.sleep(0.5)


def demo_session(srv):
    """make demo: never on a foreign server; on its own, the demo shopper checks out."""
    # 1. another voxcartd already answers on the demo port
    t = Demo("demo-foreign", srv.port)
    try:
        s = t.wait_for("TUI-EXITED", timeout=20)
        C.check("make demo with a server already on its port: refuses, suggests "
                "VOXCART_DEMO_PORT, exit 1", s and "already answering" in s and
                "VOXCART_DEMO_PORT" in s and "TUI-EXITED rc=1" in s and "Cart (" not in s,
                t.screen())
    finally:
        t.close()
    # 2. the port is held by something that is not a web server: our voxcartd dies
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    t = Demo("demo-held", holder.getsockname()[1])
    try:
        s = t.wait_for("TUI-EXITED", timeout=30)
        C.check("make demo when its voxcartd cannot listen: says why, suggests "
                "VOXCART_DEMO_PORT, exit 1", s and "cannot listen" in s and
                "VOXCART_DEMO_PORT" in s and "TUI-EXITED rc=1" in s and "Cart (" not in s,
                t.screen())
    finally:
        t.close()
        holder.close()
    # 3. a free port: the demo opens, and the demo shopper can check out at once
    port = lib.free_port()
    t = Demo("demo-own", port)
    try:
        s = t.wait_for("Logged in as " + SHOPPER, timeout=60)
        C.check("make demo on a free port opens the TUI logged in", s, t.screen())
        if not s:
            return
        st, _, login = lib.request(port, "POST", "/api/v1/auth/login",
                                   {"email": SHOPPER, "password": PASSWORD})
        tok = login.get("access_token") if st == 200 else None
        st, _, res = lib.request(port, "GET", "/api/v1/products?q=coffee&limit=2")
        items = res.get("items", []) if st == 200 else []
        for p, q in zip(items, (2, 1)):  # 3 units on 2 lines
            lib.request(port, "POST", "/api/v1/cart/items", {"product_id": p["id"], "quantity": q},
                        token=tok)
        t.keys("c")
        s = t.wait_for(lambda s: "ending 4242" in s and "1 Demo Street" in s, timeout=8)
        C.check("demo shopper: checkout offers the seeded sandbox card and address", s, t.screen())
        t.keys("Right")
        s = t.wait_for("Sandbox test cards: 4242 4242 4242 4242", timeout=4)
        C.check("card form: the sandbox test numbers are shown for a new card", s, t.screen())
        t.keys("Left", "Down", "Down", "Enter")
        s = t.wait_for("(y/n)")
        if s:
            t.keys("y")
        s = t.wait_for(lambda s: re.search(r"Order #(\d+) placed", s), timeout=10)
        C.check("demo shopper: the order is placed with the seeded card", s, t.screen())
        m = re.search(r"Order #(\d+) placed", s or "")
        t.keys("Escape")
        s = t.wait_for(lambda s: m and re.search(r"#%s .* 3 items" % m.group(1), s), timeout=6)
        C.check("orders list counts units, as checkout does (3 items)", s, t.screen())

        # a stale validation message goes once the field is fixed
        if items:
            lib.request(port, "POST", "/api/v1/cart/items",
                        {"product_id": items[0]["id"], "quantity": 1}, token=tok)
        t.keys("c")
        t.wait_for(lambda s: "ending 4242" in s and "1 Demo Street" in s, timeout=8)
        t.keys("Down", "Right")  # Ship to: New address
        s = None
        for _ in range(12):
            t.keys("Enter")
            s = t.wait_for("is needed for the delivery", timeout=0.5)
            if s:
                break
        C.check("checkout: a missing address line is named", s and
                "Address is needed for the delivery" in s, t.screen())
        t.type("2 New Road")
        s = t.wait_for(lambda s: "is needed for the delivery" not in s, timeout=3)
        C.check("checkout: the message goes once the field is filled", s, t.screen())
        t.keys("Escape", "q")
        if t.wait_for("(y/n)", timeout=3):
            t.keys("y")
        s = t.wait_for("TUI-EXITED", timeout=15)
        C.check("quitting the demo's TUI stops its server", s and "stopping voxcartd" in s and
                not _answers(port), t.screen())
    finally:
        t.close()


def _answers(port):
    try:
        st, _, _ = lib.request(port, "GET", "/health", timeout=2)
        return st == 200
    except OSError:
        return False


def main():
    if not shutil.which("tmux"):
        C.check("tmux is installed", False)
        C.finish()
    if not os.access(TUI, os.X_OK):
        C.check("%s is built (make voxcart-tui)" % TUI, False)
        C.finish()
    xdg = tempfile.mkdtemp(prefix="voxcart-tui-xdg-")
    os.environ["TUI_XDG"] = xdg
    try:
        with lib.Server(args=["--demo"]) as srv:
            url = "http://127.0.0.1:%d" % srv.port
            tok = C.run("fixtures", prepare, srv)
            if tok:
                C.run("shop", shop_session, srv, tok, url, xdg)
                C.run("voice", voice_session, srv, tok, url, xdg)
                C.run("crash", crash_session, url, xdg)
                C.run("client config", client_config_session, url, xdg)
                C.run("hands-free", handsfree_session, srv, tok, url, xdg)
                C.run("reconnect", reconnect_session, srv, url, xdg)
                C.run("login over", login_over_session, srv, url)
            C.run("demo", demo_session, srv)
            if C.failed:
                print("--- the last lines of voxcartd's log ---")
                print(srv.log_tail(30))
    finally:
        tmux("kill-server", check=False)
        shutil.rmtree(xdg, ignore_errors=True)
    C.finish()


if __name__ == "__main__":
    main()
