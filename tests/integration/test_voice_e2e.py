#!/usr/bin/env python3
"""test_voice_e2e.py - the buddy heard end to end: speech synthesised at test time,
sent with `voxcart talk --input x.wav --output y.wav --fast --json` to a real
voxcartd holding the test catalog, and judged by what happened to the shopper's cart
and orders.

The utterance set: 36 shopping sentences (adding, removing, changing a quantity,
reading the cart, searching, asking a price, checking out, confirming, declining,
order status), each rendered four times (144 utterances), in two parts so each
script keeps within the per-script time limit: this script runs part "a" (Flite,
clean and changed: 72), test_voice_e2e_b.py part "b" (eSpeak NG and a second
changed Flite rendering: 72); E2E_PART=all runs both here:
  - a clean Flite voice (slt, awb, rms, kal in turn);
  - a Flite voice changed: faster or slower (duration_stretch), white noise or
    reverb added with sox;
  - eSpeak NG (en-us, 150 or 175 words a minute, every third one with noise).
The sentences are split in two halves: "tune" (phrasing the language model was
looked at against) and "held" (written at the same time and never used to change the
model); word error rates are reported for both, so tuning to the test shows.

Hard conditions (tests/integration/voice_conditions.py): the same sentences in noise
(white, pink, brown at 5-20 dB SNR), reverb, a quiet (-18, -24 dB) or clipping
(+6 dB) microphone, 1-1.5 s of silence before speaking, fast and slow speech, and
eSpeak NG's accents (Scotland, Caribbean, West Midlands, RP, New York), made at test
time.  E2E_CONDITIONS picks how many: "none" (the default here), "smoke"
(test_voice_conditions.py in `make test`, which runs this script so: one of each
kind, each heard in HARD_PER_CONDITION sentences, two tune and two held), "full"
(`make bench`: every condition x every sentence).  E2E_BASE=0 leaves out
the base set above (the bench runs only the grid).  Figures per condition and half
go to the JSON as figures.hard_by_condition and figures.hard_by_half.  For tuning:
E2E_HALF=tune (only the tune half), E2E_ONLY=name,name (only those conditions).

Each utterance gets a fresh shopper (registered with `voxcart register`), the set-up
it needs through the REST API (cart lines, an address and a card, an order, or a
typed "check out" turn first in the same conversation), then one talk run.

Hard requirements, one check each per utterance:
  - exactly one final transcript (and the summary repeats it);
  - reply.done arrives, speech frames numbered 0..N-1 without gaps, as many as
    reply.done announced (from the talk summary);
  - the output WAV holds speech_frames x 20 ms of audio (+-5%), and is not empty.
Then measured figures with thresholds set from measurements on this machine
(see THRESHOLDS): word error rate per synthesizer and overall, the task success
rate (did the cart / orders / actions end up as the sentence asked).  Every
utterance's outcome is printed; the figures go to tests/integration/out/
voice_e2e.json.

Before/after comparisons: VOXCARTD_BASELINE=/path/to/an/older/voxcartd runs the
same WAV files through that binary too (a second server) and prints both word error
rates side by side (not counted as checks).  E2E_CONFIG and E2E_BASELINE_CONFIG add
lines to either server's configuration ("[voice]\\nclean = off": the same binary with
and without a feature); E2E_BASELINE_FILTER="prog args" runs each WAV through
`prog args in.wav out.wav` before the baseline hears it (another cleaner in front of
a server with clean = off: tests/bench/voice_apm_compare.sh).  Also: E2E_JOBS (parallel talk runs,
default 2), VERBOSE=1 (every passing check), E2E_KEEP=1 (keep the WAV files).

Prints `N passed, M failed` last; exits 1 on any failure.
"""

import concurrent.futures as futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
import voice_conditions  # noqa: E402

VOXCART = os.environ.get("VOXCART", os.path.join(lib.ROOT, "voxcart"))
CATALOG = os.path.join(lib.ROOT, "tests", "fixtures", "test_catalog.csv")
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
BASELINE = os.environ.get("VOXCARTD_BASELINE")
BASELINE_FILTER = os.environ.get("E2E_BASELINE_FILTER")
JOBS = int(os.environ.get("E2E_JOBS", "2"))
GRID_MODE = os.environ.get("E2E_CONDITIONS", "none")
PART = os.environ.get("E2E_PART", "a")  # a, b, or all
BASE_SET = os.environ.get("E2E_BASE", "1") != "0"
OUT_NAME = os.environ.get("E2E_OUT", "voice_e2e.json")
HARD_PER_CONDITION = 4
# Tuning runs: E2E_HALF=tune keeps the held-out half out of sight; E2E_ONLY=a,b
# runs only the named conditions of the grid.
HALF = os.environ.get("E2E_HALF")
ONLY = [x for x in os.environ.get("E2E_ONLY", "").split(",") if x]
PASSWORD = "password123"
C = lib.Checks("test_voice_e2e")
TMP = tempfile.mkdtemp(prefix="voxcart-e2e-")

# Pass thresholds, set from measurements on this machine (2 cores, PocketSphinx
# en-us, the catalog model) with some headroom; see the report printed by the run.
THRESHOLDS = {
    # measured (2026-11, 144 utterances): Flite task 86%, WER 7.5% (held-out 6.6%);
    # eSpeak NG task 92%, WER 5.2%; all task 87.5%.  Before the catalog model's
    # weighted quantities and the per-utterance cepstral mean: WER 16.2%, task 76%.
    "flite_task_success_min": 0.75,   # Flite voices, clean and changed (kal included)
    "flite_wer_max": 0.12,
    "espeak_task_success_min": 0.70,
    "espeak_wer_max": 0.15,
    "overall_task_success_min": 0.75,
    "held_flite_wer_max": 0.12,       # the half never tuned against
    # the hard-condition smoke set (test_voice_conditions.py: 13 conditions x 4 sentences)
    "hard_task_success_min": 0.50,   # measured: 67% (before this work: 62%)
}

# ---- the sentences -----------------------------------------------------------------
#
# (id, half, text, expectation).  Expectations:
#   ("add", title, qty)            the cart has title x qty (it starts empty)
#   ("remove", title, setup)       setup lines in the cart; title gone, the rest kept
#   ("set", title, qty, setup)     setup lines in the cart; title now x qty
#   ("view",)                      a cart.view action
#   ("search", title, max_cents)   a search action whose items include title (all at
#                                  or under max_cents when given)
#   ("price", title)               product.show of title, or a search including it,
#                                  and the reply says a price
#   ("ask_checkout",)              cart, address and card ready: no order yet, the
#                                  reply asks to confirm
#   ("confirm",)                   after a typed "check out": an order, cart empty
#   ("deny",)                      after a typed "check out": no order, cart kept
#   ("status",)                    an order exists: an order.status action
SENTENCES = [
    ("t01", "tune", "add two gala apples to my cart", ("add", "Gala Apples", 2)),
    ("t02", "tune", "can i get three blueberries", ("add", "Blueberries", 3)),
    ("t03", "tune", "put one sourdough bread in my cart", ("add", "Sourdough Bread", 1)),
    ("t04", "tune", "throw in two bags of green tea", ("add", "Green Tea", 2)),
    ("t05", "tune", "i'd like two navel oranges", ("add", "Navel Oranges", 2)),
    ("t06", "tune", "take out the spaghetti",
     ("remove", "Spaghetti", [("Spaghetti", 1), ("Oat Milk", 1)])),
    ("t07", "tune", "get rid of the whole milk",
     ("remove", "Whole Milk", [("Whole Milk", 1), ("Plain Bagels", 1)])),
    ("t08", "tune", "what's in my cart", ("view",)),
    ("t09", "tune", "do you have oat milk", ("search", "Oat Milk", None)),
    ("t10", "tune", "how much is the french press", ("price", "French Press")),
    ("t11", "tune", "what's the price of the electric kettle", ("price", "Electric Kettle")),
    ("t12", "tune", "check out", ("ask_checkout",)),
    ("t13", "tune", "yes please", ("confirm",)),
    ("t14", "tune", "where is my order", ("status",)),
    ("t15", "tune", "i'd like a watermelon", ("add", "Watermelon", 1)),
    ("t16", "tune", "put two boxes of penne rigate in my cart", ("add", "Penne Rigate", 2)),
    ("t17", "tune", "how much is the shampoo", ("price", "Daily Moisture Shampoo")),
    ("t18", "tune", "throw in a pack of athletic socks", ("add", "Athletic Crew Socks", 1)),
    ("h01", "held", "add a chamomile tea please", ("add", "Chamomile Tea", 1)),
    ("h02", "held", "i'll take three everything bagels", ("add", "Everything Bagels", 3)),
    ("h03", "held", "could you add two oat milk", ("add", "Oat Milk", 2)),
    ("h04", "held", "i want one ceramic coffee mug", ("add", "Ceramic Coffee Mug", 1)),
    ("h05", "held", "add the crunchy peanut butter", ("add", "Crunchy Peanut Butter", 1)),
    ("h06", "held", "remove the salted butter from my cart",
     ("remove", "Salted Butter", [("Salted Butter", 1), ("Sharp Cheddar", 1)])),
    ("h07", "held", "change the strawberries to three",
     ("set", "Strawberries 1 lb", 3, [("Strawberries 1 lb", 1), ("Baby Spinach", 1)])),
    ("h08", "held", "show me my cart", ("view",)),
    ("h09", "held", "show me wireless headphones under fifty dollars",
     ("search", "Tunebox Wireless Headphones", 5000)),
    ("h10", "held", "i'm looking for dark roast coffee", ("search", "Dark Roast Coffee", None)),
    ("h11", "held", "place my order", ("ask_checkout",)),
    ("h12", "held", "no thanks", ("deny",)),
    ("h13", "held", "do you sell bluetooth speakers", ("search", "JBL Flip 6", None)),
    ("h14", "held", "how much is the jasmine rice", ("price", "Jasmine Rice")),
    ("h15", "held", "add three chocolate chip cookies", ("add", "Chocolate Chip Cookies", 3)),
    ("h16", "held", "i need a cotton bath towel", ("add", "Cotton Bath Towel", 1)),
    ("h17", "held", "what do i have in my cart", ("view",)),
    ("h18", "held", "can you find me some toothpaste", ("search", "Fluoride Toothpaste", None)),
]

# ---- the voices ----------------------------------------------------------------------
#
# A condition: (label, synth, voice, extra synth args, sox effect or None).
CLEAN = [
    ("flite-slt", "flite", "slt", [], None),
    ("flite-awb", "flite", "awb", [], None),
    ("flite-rms", "flite", "rms", [], None),
    ("flite-kal", "flite", "kal", [], None),
]
CHANGED = [
    ("flite-slt-fast", "flite", "slt", ["--setf", "duration_stretch=0.85"], None),
    ("flite-awb-reverb", "flite", "awb", [], "reverb"),
    ("flite-rms-noise", "flite", "rms", [], "noise"),
    ("flite-awb-slow", "flite", "awb", ["--setf", "duration_stretch=1.2"], None),
    ("flite-slt-noise", "flite", "slt", [], "noise"),
    ("flite-rms-fast", "flite", "rms", ["--setf", "duration_stretch=0.9"], None),
    ("flite-slt-reverb", "flite", "slt", [], "reverb"),
]
ESPEAK = [
    ("espeak-150", "espeak-ng", "en-us", ["-s", "150"], None),
    ("espeak-175", "espeak-ng", "en-us", ["-s", "175"], None),
    ("espeak-150-noise", "espeak-ng", "en-us", ["-s", "150"], "noise"),
]


def utterances():
    """[(uid, sentence, condition)]: every sentence four times (E2E_PART "a": the
    clean and first changed Flite renderings; "b": eSpeak NG and the second changed
    one; each part is one script, so each keeps within the per-script time limit)."""
    out = []
    for i, s in enumerate(SENTENCES):
        conds = {"a": (CLEAN[i % len(CLEAN)], CHANGED[i % len(CHANGED)]),
                 "b": (ESPEAK[i % len(ESPEAK)], CHANGED[(i + 3) % len(CHANGED)])}
        for cond in conds.get(PART, conds["a"] + conds["b"]):
            out.append(("%s-%s" % (s[0], cond[0]), s, cond))
    return out


def hard_utterances(mode):
    """[(uid, sentence, condition)] for the hard conditions: "full" is every
    condition with every sentence; "smoke" one of each kind with HARD_PER_CONDITION
    sentences (half tune, half held), rotating so every sentence is used."""
    if mode == "none":
        return []
    tune = [s for s in SENTENCES if s[1] == "tune"]
    held = [s for s in SENTENCES if s[1] == "held"]
    out = []
    if mode == "full":
        for c in voice_conditions.GRID:
            if ONLY and c["name"] not in ONLY:
                continue
            for i, s in enumerate(SENTENCES):
                if not HALF or s[1] == HALF:
                    out.append(("%s-%s" % (s[0], c["name"]), s, c, i))
        return out
    k = HARD_PER_CONDITION // 2
    for j, c in enumerate(voice_conditions.SMOKE):
        for half in (tune, held):
            for m in range(k):
                i = (j * k + m) % len(half)
                out.append(("%s-%s" % (half[i][0], c["name"]), half[i], c, j * k + m))
    return out


def synth_name(cond):
    """The synthesizer a WER figure is grouped under: flite-slt, ..., espeak-ng."""
    if isinstance(cond, dict):
        return cond.get("voice", "")
    return "espeak-ng" if cond[1] == "espeak-ng" else "flite-" + cond[2]


def cond_name(cond):
    return cond["name"] if isinstance(cond, dict) else cond[0]


def sh(cmd, timeout=30):
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                                  p.stderr.decode("utf-8", "replace")[-300:]))


def synthesise(uid, text, cond):
    """Writes the utterance's WAV; returns its path and length in seconds."""
    label, tool, voice, extra, effect = cond
    raw = os.path.join(TMP, "wav", uid + ".raw.wav")
    path = os.path.join(TMP, "wav", uid + ".wav")
    if tool == "flite":
        sh(["flite", "-voice", voice] + extra + ["-t", text, "-o", raw])
    else:
        sh(["espeak-ng", "-v", voice] + extra + ["-w", raw, text])
    # Half a second of silence either side, as a push-to-talk recording has, at 16 kHz.
    padded = os.path.join(TMP, "wav", uid + ".pad.wav")
    sh(["sox", raw, "-r", "16000", "-c", "1", "-b", "16", padded, "pad", "0.3", "0.3"])
    if effect == "reverb":
        sh(["sox", padded, path, "reverb", "30"])
    elif effect == "noise":
        with wave.open(padded) as w:
            dur = w.getnframes() / float(w.getframerate())
        noise = os.path.join(TMP, "wav", uid + ".noise.wav")
        sh(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", noise, "synth", "%.3f" % dur,
            "whitenoise", "vol", "0.02"])
        sh(["sox", "-m", padded, noise, path])
    else:
        os.rename(padded, path)
    with wave.open(path) as w:
        return path, w.getnframes() / float(w.getframerate())


# ---- words ---------------------------------------------------------------------------

def words(text):
    return re.sub(r"[^a-z' ]+", " ", (text or "").lower()).split()


def edit_distance(ref, hyp):
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


# ---- the server and its shoppers -------------------------------------------------------

class Shop:
    """A voxcartd with the test catalog, and the shoppers made on it."""

    def __init__(self, binary, name, config=""):
        self.binary = binary
        self.name = name
        self.config = config.replace("\\n", "\n")
        self.srv = None
        self.products = {}
        self.count = 0
        self.lock = threading.Lock()

    def start(self):
        old = lib.VOXCARTD
        lib.VOXCARTD = self.binary
        try:
            # talk --fast sends a recording faster than a microphone would: a
            # 4 s utterance is 200 frames at once, the flood limit's burst
            self.srv = lib.Server(config=lib.DEFAULT_CONFIG + "[buddy]\nmessage_burst = 100000\n" +
                                  self.config,
                                  args=["--import-catalog", CATALOG], name=self.name)
            self.srv.start()
        finally:
            lib.VOXCARTD = old
        self.url = "http://127.0.0.1:%d" % self.srv.port
        if not wait_language_model(self.srv):
            raise RuntimeError("%s: the language model was never built; log:\n%s"
                               % (self.name, self.srv.log_tail()))
        st, _, body = self.srv.http("GET", "/api/v1/products?limit=100")
        if st != 200:
            raise RuntimeError("products: %s %r" % (st, body))
        self.products = {p["title"]: p for p in body["items"]}
        return self

    def product(self, title):
        for t, p in self.products.items():
            if t.startswith(title):
                return p
        raise KeyError(title)

    def env(self, cfg):
        e = {k: v for k, v in os.environ.items() if not k.startswith("VOXCART")}
        e.update({"XDG_CONFIG_HOME": cfg, "XDG_STATE_HOME": cfg, "HOME": cfg,
                  "LC_ALL": "C.UTF-8", "VOXCART_SERVER": self.url})
        return e

    def shopper(self):
        """A new shopper logged in with the CLI: (config dir, access token)."""
        with self.lock:
            self.count += 1
            n = self.count
        email = "shopper%d@%s.e2e" % (n, self.name)
        cfg = os.path.join(TMP, "cfg", "%s-%d" % (self.name, n))
        os.makedirs(cfg)
        p = subprocess.run([VOXCART, "register", email, "--password-stdin"],
                           input=(PASSWORD + "\n").encode(), capture_output=True,
                           env=self.env(cfg), timeout=30)
        if p.returncode != 0:
            raise RuntimeError("register: %s" % p.stderr.decode("utf-8", "replace"))
        token = None
        try:
            with open(os.path.join(cfg, "voxcart", "credentials")) as f:
                for line in f:
                    k, _, v = line.partition("=")
                    if k.strip() == "access_token":
                        token = v.strip()
        except OSError:
            pass
        if not token:
            token = self.srv.login(email, PASSWORD)["access_token"]
        return cfg, token

    def call(self, token, method, path, body=None, want=200):
        st, _, b = self.srv.http(method, path, body, token=token)
        if st != want:
            raise RuntimeError("%s %s: %s %r" % (method, path, st, b))
        return b

    def fill(self, token, lines):
        for title, qty in lines:
            self.call(token, "POST", "/api/v1/cart/items",
                      {"product_id": self.product(title)["id"], "quantity": qty})

    def ready_to_pay(self, token):
        self.call(token, "PATCH", "/api/v1/me", {"shipping_address": {
            "name": "Test Shopper", "line1": "1 Main Street", "city": "Springfield",
            "postal_code": "12345", "country": "US"}})
        return self.call(token, "POST", "/api/v1/payment-methods", {
            "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035,
            "cvc": "123"}, want=201)["id"]

    def setup(self, token, expect):
        """Prepares the shopper for the sentence; returns a conversation id or None."""
        kind = expect[0]
        if kind == "remove":
            self.fill(token, expect[2])
        elif kind == "set":
            self.fill(token, expect[3])
        elif kind in ("view", "ask_checkout", "confirm", "deny"):
            self.fill(token, [("Gala Apples", 2), ("Oat Milk", 1)])
        if kind in ("ask_checkout", "confirm", "deny"):
            self.ready_to_pay(token)
        if kind == "status":
            card = self.ready_to_pay(token)
            self.fill(token, [("Green Tea", 1)])
            self.call(token, "POST", "/api/v1/orders", {"payment_method_id": card}, want=201)
        if kind in ("confirm", "deny"):
            b = self.call(token, "POST", "/api/v1/buddy/messages", {"text": "check out"})
            return b["conversation_id"]
        return None

    def talk(self, cfg, wav, out_wav, conversation):
        args = [VOXCART, "talk", "--input", wav, "--output", out_wav, "--fast", "--json"]
        if conversation:
            args += ["--conversation", str(conversation)]
        p = subprocess.run(args, capture_output=True, env=self.env(cfg), timeout=60)
        events = []
        for line in p.stdout.decode("utf-8", "replace").splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                events.append({"type": "(not json)", "line": line})
        return p.returncode, events, p.stderr.decode("utf-8", "replace")

    def stop(self):
        if self.srv:
            return self.srv.stop()
        return 0


def wait_language_model(srv, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(srv.log_path, "rb") as f:
                if b"language model built" in f.read():
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


# ---- judging one utterance -----------------------------------------------------------

def judge(shop, token, expect, events):
    """(ok, why): did the shopper's state end up as the sentence asked?"""
    kind = expect[0]
    actions = [e for e in events if e.get("type") == "action"]
    done = ([e for e in events if e.get("type") == "reply.done"] or [{}])[0]
    reply = done.get("text") or ""
    cart = shop.call(token, "GET", "/api/v1/cart")
    lines = {i["title"]: i["quantity"] for i in cart.get("items", [])}
    orders = shop.call(token, "GET", "/api/v1/orders").get("items", [])
    names = [a.get("name") for a in actions]

    def qty(title):
        return [q for t, q in lines.items() if t.startswith(title)]

    def searched(title, max_cents=None):
        for a in actions:
            items = ((a.get("result") or {}).get("items")) or []
            if a.get("name") == "search" and any(i.get("title", "").startswith(title) for i in items):
                if max_cents is None or all(i.get("price_cents", 0) <= max_cents for i in items):
                    return True
        return False

    if kind == "add":
        got = qty(expect[1])
        return got == [expect[2]] and len(lines) == 1, "cart %r, actions %r" % (lines, names)
    if kind == "remove":
        keep = [t for t, _ in expect[2] if not t.startswith(expect[1])]
        return (not qty(expect[1]) and all(qty(t) for t in keep),
                "cart %r, actions %r" % (lines, names))
    if kind == "set":
        keep = [t for t, _ in expect[3] if not t.startswith(expect[1])]
        return (qty(expect[1]) == [expect[2]] and all(qty(t) == [1] for t in keep),
                "cart %r, actions %r" % (lines, names))
    if kind == "view":
        return "cart.view" in names and len(lines) == 2, "actions %r" % names
    if kind == "search":
        return searched(expect[1], expect[2]), "actions %r, reply %r" % (names, reply[:80])
    if kind == "price":
        shown = any(a.get("name") == "product.show" and
                    ((a.get("result") or {}).get("product") or {}).get("title", "")
                    .startswith(expect[1]) for a in actions)
        return ((shown or searched(expect[1])) and "dollar" in reply,
                "actions %r, reply %r" % (names, reply[:80]))
    if kind == "ask_checkout":
        return (not orders and len(lines) == 2 and "?" in reply and "checkout" not in names,
                "orders %d, cart %r, reply %r" % (len(orders), lines, reply[:80]))
    if kind == "confirm":
        return (len(orders) == 1 and not lines and "checkout" in names,
                "orders %d, cart %r, actions %r" % (len(orders), lines, names))
    if kind == "deny":
        return (not orders and len(lines) == 2 and "checkout" not in names,
                "orders %d, cart %r, actions %r" % (len(orders), lines, names))
    if kind == "status":
        return "order.status" in names, "actions %r, reply %r" % (names, reply[:80])
    raise ValueError(kind)


def run_typed(shop, sentence):
    """The sentence typed (its exact words) for a fresh shopper, through
    POST /api/v1/buddy/messages: (ok, why).  Tells understanding failures from
    recognition failures."""
    sid, half, text, expect = sentence
    with shop.lock:
        shop.count += 1
        n = shop.count
    token = shop.srv.register("typed%d@%s.e2e" % (n, shop.name), PASSWORD)["access_token"]
    conversation = shop.setup(token, expect)
    body = {"text": text}
    if conversation:
        body["conversation_id"] = conversation
    b = shop.call(token, "POST", "/api/v1/buddy/messages", body)
    events = [dict(a, type="action") for a in b.get("actions") or []]
    events.append({"type": "reply.done", "text": b.get("reply") or ""})
    return judge(shop, token, expect, events)


def run_one(shop, uid, sentence, cond, wav, secs, hard=True):
    """Sends one utterance for a fresh shopper; returns its record."""
    sid, half, text, expect = sentence
    cfg, token = shop.shopper()
    conversation = shop.setup(token, expect)
    out_wav = os.path.join(TMP, "out", "%s-%s.wav" % (shop.name, uid))
    t0 = time.time()
    rc, events, err = shop.talk(cfg, wav, out_wav, conversation)
    took = time.time() - t0
    finals = [e for e in events if e.get("type") == "transcript" and e.get("final")]
    dones = [e for e in events if e.get("type") == "reply.done"]
    summary = events[-1] if events and events[-1].get("type") == "talk.summary" else {}
    heard = finals[0].get("text", "") if finals else ""
    ref, hyp = words(text), words(heard)
    errors = edit_distance(ref, hyp)
    ok, why = judge(shop, token, expect, events)
    rec = {"id": uid, "sentence": sid, "half": half, "condition": cond_name(cond),
           "set": "hard" if isinstance(cond, dict) else "base", "synth": synth_name(cond), "audio_s": round(secs, 3), "text": text, "heard": heard,
           "ref_words": len(ref), "errors": errors, "task_ok": bool(ok),
           "task_detail": "" if ok else why, "wall_s": round(took, 3)}
    if not hard:
        return rec
    done = dones[0] if dones else {}
    frames = summary.get("speech_frames", -1)
    rec["timing"] = done.get("timing")
    rec["speech_frames"] = frames
    try:
        with wave.open(out_wav) as w:
            out_secs = w.getnframes() / float(w.getframerate())
    except (OSError, wave.Error, EOFError):
        out_secs = -1.0
    rec["output_s"] = round(out_secs, 3)
    want = frames * 0.020
    rec["hard"] = {
        "one final transcript": (
            rc == 0 and len(finals) == 1 and summary.get("transcript") == heard,
            "rc %r, %d finals, summary %r, stderr %r" % (rc, len(finals), summary.get("transcript"),
                                                         err[-200:])),
        "reply.done, frames contiguous": (
            len(dones) == 1 and summary.get("reply_done") is True and
            summary.get("frames_contiguous") is True and summary.get("gaps") == 0 and
            frames == done.get("speech_frames") and frames > 0,
            "reply.done %d, summary %r" % (len(dones), summary)),
        "WAV length = frames x 20 ms": (
            frames > 0 and abs(out_secs - want) <= 0.05 * want,
            "wav %.3f s, frames %r (%.3f s)" % (out_secs, frames, want)),
    }
    return rec


def run_set(shop, items, hard=True):
    """Runs every utterance; returns the records in the order given."""
    def one(item):
        uid, sentence, cond, wav, secs = item
        try:
            return run_one(shop, uid, sentence, cond, wav, secs, hard)
        except Exception as e:  # noqa: BLE001 - one broken utterance is one failure
            return {"id": uid, "sentence": sentence[0], "half": sentence[1],
                    "condition": cond_name(cond), "synth": synth_name(cond),
                    "set": "hard" if isinstance(cond, dict) else "base", "text": sentence[2],
                    "heard": "", "ref_words": len(words(sentence[2])),
                    "errors": len(words(sentence[2])), "task_ok": False,
                    "task_detail": "raised: %s" % e,
                    "hard": {k: (False, "raised: %s" % e) for k in
                             ("one final transcript", "reply.done, frames contiguous",
                              "WAV length = frames x 20 ms")} if hard else None}
    with futures.ThreadPoolExecutor(JOBS) as pool:
        return list(pool.map(one, items))


def lib_try(fn, *args):
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - reported as a miss
        return False, "raised: %s" % e


# ---- figures ---------------------------------------------------------------------------

def figures(records, key):
    """{group: {"n", "wer", "task_success"}} grouped by key(record), plus "all"."""
    groups = {}
    for r in records:
        if key(r) is None:
            continue
        for g in (key(r), "all"):
            d = groups.setdefault(g, {"n": 0, "ref": 0, "err": 0, "ok": 0})
            d["n"] += 1
            d["ref"] += r["ref_words"]
            d["err"] += r["errors"]
            d["ok"] += 1 if r["task_ok"] else 0
    return {g: {"n": d["n"], "wer": round(d["err"] / float(d["ref"] or 1), 4),
                "task_success": round(d["ok"] / float(d["n"]), 4)} for g, d in groups.items()}


def family(r):
    return "flite" if r["synth"].startswith("flite") else "espeak-ng"


def summarise(records):
    hard = [r for r in records if r.get("set") == "hard"]
    records = [r for r in records if r.get("set") != "hard"]
    return {
        "hard_by_condition": figures(hard, lambda r: r["condition"]),
        "hard_by_condition_held": figures(hard, lambda r: r["condition"] if r["half"] == "held" else None),
        "hard_by_half": figures(hard, lambda r: r["half"]),
        "hard_by_kind": figures(hard, lambda r: voice_conditions.BY_NAME[r["condition"]]["kind"]),
        "by_synth": figures(records, lambda r: r["synth"]),
        "by_family": figures(records, family),
        "by_condition": figures(records, lambda r: r["condition"]),
        "by_half": figures(records, lambda r: r["half"]),
        "by_family_half": figures(records, lambda r: "%s/%s" % (family(r), r["half"])),
        "understood_typed": figures(records, lambda r: family(r) if r.get("typed_ok") else None),
    }


def print_table(title, figs, before=None):
    print("\n%s" % title)
    head = "  %-26s %4s  %7s  %7s" % ("", "n", "WER", "task ok")
    if before:
        head += "  %10s  %12s" % ("WER before", "task before")
    print(head)
    for g in sorted(figs, key=lambda g: (g == "all", g)):
        f = figs[g]
        line = "  %-26s %4d  %6.1f%%  %6.1f%%" % (g, f["n"], 100 * f["wer"], 100 * f["task_success"])
        if before and g in before:
            b = before[g]
            line += "  %9.1f%%  %11.1f%%" % (100 * b["wer"], 100 * b["task_success"])
        print(line)


def filtered(items, program):
    """items with each WAV replaced by what `program in.wav out.wav` makes of it
    (E2E_BASELINE_FILTER: another cleaner in front of the baseline server)."""
    if not program:
        return items
    def one(it):
        out = it[3][:-4] + ".filtered.wav"
        sh(program.split() + [it[3], out], timeout=60)
        return (it[0], it[1], it[2], out, it[4])
    with futures.ThreadPoolExecutor(2) as pool:
        return list(pool.map(one, items))


def main():
    for tool in ("flite", "espeak-ng", "sox"):
        if not shutil.which(tool):
            C.check("%s is installed (needed to synthesise the utterances)" % tool, False)
            C.finish()
    os.makedirs(os.path.join(TMP, "wav"))
    os.makedirs(os.path.join(TMP, "out"))
    os.makedirs(os.path.join(TMP, "cfg"))
    t0 = time.time()
    plan = utterances() if BASE_SET else []
    with futures.ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda u: synthesise(u[0], u[1][2], u[2]), plan))
    items = [(u[0], u[1], u[2], w, s) for u, (w, s) in zip(plan, made)]
    hard_plan = hard_utterances(GRID_MODE)
    wavdir = os.path.join(TMP, "wav")

    def render(u):
        path, secs, voice = voice_conditions.render(u[0], u[1][2], u[2], u[3], wavdir)
        return (u[0], u[1], dict(u[2], voice=voice), path, secs)
    with futures.ThreadPoolExecutor(2) as pool:
        items += list(pool.map(render, hard_plan))
    made = [(w, s) for _, _, _, w, s in items]
    print("synthesised %d utterances (%.0f s of audio) in %.1f s" %
          (len(items), sum(s for _, s in made), time.time() - t0))
    sys.stdout.flush()

    shops = []
    result = {"utterances": len(items), "thresholds": THRESHOLDS, "conditions": GRID_MODE}
    try:
        shop = Shop(lib.VOXCARTD, "current", os.environ.get("E2E_CONFIG", "")).start()
        shops.append(shop)
        t1 = time.time()
        with futures.ThreadPoolExecutor(JOBS) as pool:
            typed = dict(zip([x[0] for x in SENTENCES],
                             pool.map(lambda x: lib_try(run_typed, shop, x), SENTENCES)))
        records = run_set(shop, items)
        for r in records:
            r["typed_ok"] = typed[r["sentence"]][0]
        print("ran %d talk turns in %.1f s (%d at a time)" % (len(items), time.time() - t1, JOBS))
        before = None
        if BASELINE:
            base = Shop(BASELINE, "baseline", os.environ.get("E2E_BASELINE_CONFIG", "")).start()
            shops.append(base)
            before = run_set(base, filtered(items, BASELINE_FILTER), hard=False)
            for r in before:
                r["typed_ok"] = typed[r["sentence"]][0]
    finally:
        for s in shops:
            status = s.stop()
            C.check("%s server shut down cleanly" % s.name, status == 0, status)

    understood = [x[0] for x in SENTENCES if typed[x[0]][0]]
    print("\ntyped (the exact words, no recognition): %d of %d sentences done" %
          (len(understood), len(SENTENCES)))
    for x in SENTENCES:
        if not typed[x[0]][0]:
            print("  MISS %s %r [%s]" % (x[0], x[2], typed[x[0]][1]))
    result["typed_task_success"] = round(len(understood) / float(len(SENTENCES)), 4)
    result["typed_misses"] = [x[0] for x in SENTENCES if not typed[x[0]][0]]
    print("\nper utterance (ok = the task was done; errors = word errors / words):")
    for r in records:
        print("  %-4s %-26s %-20s %d/%d  %-34s heard %r%s" % (
            "ok" if r["task_ok"] else "MISS", r["id"], r["condition"], r["errors"],
            r["ref_words"], repr(r["text"]), r["heard"],
            "" if r["task_ok"] else "  [%s]" % r["task_detail"]))
    for r in records:
        for name, (ok, why) in sorted((r.get("hard") or {}).items()):
            C.check("%s: %s" % (r["id"], name), ok, why)

    now = summarise(records)
    was = summarise(before) if before else None
    for k, title in (("hard_by_condition", "hard conditions, both halves"),
                     ("hard_by_condition_held", "hard conditions, held-out half"),
                     ("hard_by_kind", "hard conditions by kind"),
                     ("hard_by_half", "hard conditions by half"),
                     ("by_synth", "by synthesizer"), ("by_condition", "by condition"),
                     ("by_half", "by half (tune: phrasing looked at; held: never used)"),
                     ("by_family_half", "by family and half"),
                     ("understood_typed", "only sentences the buddy gets right when typed")):
        if now[k]:
            print_table(title, now[k], was and was[k])
    result["figures"] = now
    if was:
        result["baseline"] = {"binary": BASELINE, "figures": was,
                              "records": [{k: r[k] for k in ("id", "heard", "errors", "task_ok")}
                                          for r in before]}
    result["records"] = records

    fam = now["by_family"]
    fh = now["by_family_half"]
    flite, espeak = fam.get("flite", {}), fam.get("espeak-ng", {})
    print("\nthresholds:")
    checks = [] if not BASE_SET else [
        ("Flite task success %.1f%% >= %.0f%%" % (100 * flite.get("task_success", 0),
                                                  100 * THRESHOLDS["flite_task_success_min"]),
         flite.get("task_success", 0) >= THRESHOLDS["flite_task_success_min"]),
        ("Flite WER %.1f%% <= %.0f%%" % (100 * flite.get("wer", 1), 100 * THRESHOLDS["flite_wer_max"]),
         flite.get("wer", 1) <= THRESHOLDS["flite_wer_max"]),
        ("Flite held-out WER %.1f%% <= %.0f%%" % (
            100 * fh.get("flite/held", {}).get("wer", 1), 100 * THRESHOLDS["held_flite_wer_max"]),
         fh.get("flite/held", {}).get("wer", 1) <= THRESHOLDS["held_flite_wer_max"]),
    ]
    if espeak.get("n"):
        checks += [
        ("eSpeak NG task success %.1f%% >= %.0f%%" % (
            100 * espeak.get("task_success", 0), 100 * THRESHOLDS["espeak_task_success_min"]),
         espeak.get("task_success", 0) >= THRESHOLDS["espeak_task_success_min"]),
        ("eSpeak NG WER %.1f%% <= %.0f%%" % (100 * espeak.get("wer", 1),
                                              100 * THRESHOLDS["espeak_wer_max"]),
         espeak.get("wer", 1) <= THRESHOLDS["espeak_wer_max"]),
        ]
    if BASE_SET:
        checks += [
        ("overall task success %.1f%% >= %.0f%%" % (
            100 * now["by_synth"]["all"]["task_success"],
            100 * THRESHOLDS["overall_task_success_min"]),
         now["by_synth"]["all"]["task_success"] >= THRESHOLDS["overall_task_success_min"]),
    ]
    hb = now["hard_by_half"].get("all")
    if hb:
        checks.append(("hard conditions task success %.1f%% >= %.0f%%" % (
            100 * hb["task_success"], 100 * THRESHOLDS["hard_task_success_min"]),
            hb["task_success"] >= THRESHOLDS["hard_task_success_min"]))
    for name, ok in checks:
        print("  %s %s" % ("ok  " if ok else "FAIL", name))
        C.check(name, ok)
    os.makedirs(OUT_DIR, exist_ok=True)
    out_path = OUT_NAME if os.path.isabs(OUT_NAME) else os.path.join(OUT_DIR, OUT_NAME)
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
    print("\nfigures written to %s" % out_path)
    if os.environ.get("E2E_KEEP"):
        print("utterances kept in %s" % TMP)
    else:
        shutil.rmtree(TMP, ignore_errors=True)
    C.finish()


if __name__ == "__main__":
    main()
