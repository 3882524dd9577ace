#!/usr/bin/env python3
"""test_cli.py - the voxcart command-line client against a real voxcartd.

Starts ./voxcartd (temp db, free port, no rate limit) through lib.Server and runs
./voxcart as a user would, each user with its own XDG_CONFIG_HOME: accounts
(register, login, whoami, logout, silent token refresh), the seller's listings (add,
edit, rm, list, CSV import with bad rows), the catalog (search, show, categories),
--json output, errors and exit statuses (usage 2, refused 1, unreachable 3, not
logged in 4), settings precedence (flag > VOXCART_SERVER > config file), the bash
completion, and - once the server has them - cart, cards, address, checkout, orders
and the seller's sales.  Prints one line per check and `N passed, M failed` last;
exits 1 on any failure.
"""

import json
import os
import re
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

VOXCART = os.environ.get("VOXCART", os.path.join(lib.ROOT, "voxcart"))
C = lib.Checks("test_cli")
C.verbose = True  # one line per check
TMP = tempfile.mkdtemp(prefix="voxcart-cli-")
PASSWORD = "correct horse 42"


def home(name):
    """An XDG_CONFIG_HOME of its own for one user."""
    d = os.path.join(TMP, name)
    os.makedirs(d, exist_ok=True)
    return d


def run(args, who, server=None, stdin="", env=None, timeout=60):
    """Runs voxcart with --server (unless server is False); returns (rc, out, err)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("VOXCART")}
    e.update({"XDG_CONFIG_HOME": home(who), "HOME": home(who), "LC_ALL": "C.UTF-8"})
    if env:
        e.update(env)
    cmd = [VOXCART]
    if server is not False:
        cmd += ["--server", server or URL]
    p = subprocess.run(cmd + list(args), input=stdin.encode(), capture_output=True,
                       env=e, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def json_lines(out):
    """Every stdout line parsed as JSON, or None when one is not."""
    try:
        return [json.loads(l) for l in out.splitlines() if l.strip()]
    except ValueError:
        return None


def one_line_error(name, res, rc, pattern=None):
    """Exit status rc, and stderr starting with one 'voxcart: ' line (matching pattern)."""
    got_rc, out, err = res
    first = err.splitlines()[0] if err else ""
    ok = got_rc == rc and first.startswith("voxcart: ")
    if pattern:
        ok = ok and re.search(pattern, first, re.I) is not None
    return C.check(name, ok, "rc %r (want %r), stderr %r" % (got_rc, rc, err[:300]))


def ok(name, res, pattern=None):
    rc, out, err = res
    good = rc == 0 and (pattern is None or re.search(pattern, out, re.I | re.M) is not None)
    return C.check(name, good, "rc %r, stdout %r, stderr %r" % (rc, out[:400], err[:300]))


def product_json(pid, who="seller"):
    rc, out, _ = run(["--json", "show", str(pid)], who)
    lines = json_lines(out) if rc == 0 else None
    return lines[0] if lines else None


# ---------------------------------------------------------------------------------
def t_basics():
    rc, out, _ = run(["--version"], "nobody", server=False)
    C.check("--version prints the version", rc == 0 and re.match(r"voxcart \d+\.\d+", out), out)
    rc, out, _ = run(["help"], "nobody", server=False)
    names = ["register", "login", "logout", "whoami", "search", "show", "categories",
             "listing", "cart", "card", "address", "checkout", "orders", "sales", "fulfil",
             "completion"]
    C.check("help lists every command", rc == 0 and all(re.search(r"^  %s " % n, out, re.M)
                                                         for n in names), out)
    ok("help listing shows each form", run(["help", "listing"], "nobody", server=False),
       r"usage: voxcart listing add .*\n\s+voxcart listing edit ID")
    ok("a command's --help is its help", run(["search", "--help"], "nobody", server=False), r"usage: voxcart search")
    one_line_error("unknown command: exit 2", run(["frobnicate"], "nobody", server=False), 2, "unknown command")
    one_line_error("ambiguous prefix: exit 2", run(["ca"], "nobody", server=False), 2, "ambiguous.*cart.*card")
    one_line_error("missing flag: usage error 2", run(["listing", "add", "--title", "x"], "nobody", server=False),
                   2, r"--price is required")
    one_line_error("bad price: usage error 2",
                   run(["search", "x", "--min-price", "12.999"], "nobody", server=False), 2, "not an amount")
    one_line_error("bad sort: usage error 2", run(["search", "x", "--sort", "cheap"], "nobody", server=False), 2)
    one_line_error("unknown option: usage error 2", run(["search", "--colour", "red"], "nobody", server=False), 2,
                   "unknown option --colour")


def t_unreachable():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = "http://127.0.0.1:%d" % s.getsockname()[1]
    res = run(["search", "apples"], "nobody", server=dead)
    one_line_error("unreachable server: exit 3, clear message", res, 3,
                   r"cannot reach voxcartd at %s: Connection refused" % re.escape(dead))
    C.check("unreachable: exactly one line on stderr", len(res[2].splitlines()) == 1, res[2])
    rc, out, _ = run(["--json", "search", "apples"], "nobody", server=dead)
    lines = json_lines(out)
    C.check("unreachable --json: error object on stdout", rc == 3 and lines and
            lines[0].get("error", {}).get("code") == "unreachable", out)
    one_line_error("bad --server URL: exit 2", run(["search", "x"], "nobody", server="ftp://x"), 2,
                   "bad server URL")


def t_accounts():
    one_line_error("whoami before login: exit 4", run(["whoami"], "seller"), 4, "not logged in")
    res = run(["register", "--seller", "--name", "Green Farm", "farm@example.com"], "seller",
              stdin=PASSWORD + "\n")
    ok("register --seller (password on stdin)", res, r"Registered and logged in as farm@example.com \(seller\)")
    cred = os.path.join(home("seller"), "voxcart", "credentials")
    st = os.stat(cred) if os.path.exists(cred) else None
    C.check("credentials file is mode 0600", st and stat.S_IMODE(st.st_mode) == 0o600, st)
    dst = os.stat(os.path.dirname(cred)) if st else None
    C.check("credentials directory is mode 0700", dst and stat.S_IMODE(dst.st_mode) == 0o700, dst)
    text = open(cred).read() if st else ""
    C.check("password is not stored", PASSWORD not in text and "access_token" in text, text[:80])
    ok("whoami shows the seller", run(["whoami"], "seller"), r"farm@example.com \(Green Farm\), seller")
    rc, out, _ = run(["--json", "whoami"], "seller")
    lines = json_lines(out)
    C.check("whoami --json is the User", rc == 0 and lines and lines[0].get("role") == "seller", out)
    one_line_error("register a taken email: exit 1", run(["register", "farm@example.com"], "other",
                   stdin=PASSWORD + "\n"), 1)
    one_line_error("register with a short password: exit 2",
                   run(["register", "short@example.com"], "other", stdin="abc\n"), 2, "8 to 128")
    one_line_error("register without a password: exit 2",
                   run(["register", "nopw@example.com"], "other", stdin=""), 2, "no password")
    rc, out, _ = run(["--json", "register", "bob@example.com"], "shopper", stdin=PASSWORD + "\n")
    lines = json_lines(out)
    C.check("register --json: one JSON line, no tokens", rc == 0 and lines and len(lines) == 1 and
            "access_token" not in out and lines[0].get("user", {}).get("role") == "shopper", out)

    # logout / login
    ok("logout", run(["logout"], "shopper"), r"Logged out")
    C.check("logout removes the credentials",
            not os.path.exists(os.path.join(home("shopper"), "voxcart", "credentials")))
    one_line_error("whoami after logout: exit 4", run(["whoami"], "shopper"), 4)
    ok("logout twice is fine", run(["logout"], "shopper"))
    one_line_error("login with a wrong password: exit 4",
                   run(["login", "bob@example.com"], "shopper", stdin="wrong password\n"), 4)
    ok("login", run(["login", "--password-stdin", "bob@example.com"], "shopper",
                    stdin=PASSWORD + "\n"), r"Logged in as bob@example.com \(shopper\)")

    # an expired access token is refreshed without the user noticing
    cred = os.path.join(home("shopper"), "voxcart", "credentials")
    before = open(cred).read()
    with open(cred, "w") as f:
        f.write(re.sub(r"expires_at = \d+", "expires_at = 1", before))
    ok("expired token: whoami still works", run(["whoami"], "shopper"), r"bob@example.com")
    after = open(cred).read()
    tok = lambda t: re.search(r"access_token = (\S+)", t).group(1)  # noqa: E731
    C.check("expired token: a new pair was saved", tok(after) != tok(before), "")
    with open(cred, "w") as f:  # a revoked/unknown access token: 401, refresh, retry
        f.write(re.sub(r"access_token = \S+", "access_token = revoked0000", after))
    ok("401 on a stale token: refreshed and retried", run(["whoami"], "shopper"), r"bob@example.com")
    ok("a login for another server is not used",
       (lambda r: (0 if r[0] == 4 and "your login is for" in r[2] else 1, r[1], r[2]))(
           run(["whoami"], "shopper", server=URL.replace("127.0.0.1", "localhost"))))


def t_settings():
    cfgdir = os.path.join(home("cfg"), "voxcart")
    os.makedirs(cfgdir, exist_ok=True)
    with open(os.path.join(cfgdir, "config"), "w") as f:
        f.write("# client config\nserver = %s\n" % URL)
    ok("config file server = is used", run(["categories"], "cfg", server=False))
    bad = "http://127.0.0.1:1"
    one_line_error("VOXCART_SERVER overrides the config file",
                   run(["categories"], "cfg", server=False, env={"VOXCART_SERVER": bad}), 3)
    ok("--server overrides VOXCART_SERVER",
       run(["categories"], "cfg", server=URL, env={"VOXCART_SERVER": bad}))
    with open(os.path.join(cfgdir, "config"), "w") as f:
        f.write("[server]\nport = 1\n[client]\nserver = %s\n" % URL)
    ok("config file [client] server = is used", run(["categories"], "cfg", server=False))
    with open(os.path.join(cfgdir, "config"), "w") as f:
        f.write("this is not ini\n")
    one_line_error("a broken config file is reported", run(["categories"], "cfg", server=False), 2,
                   "config")


IMPORT_CSV = (
    "title,description,price,stock,category,tags\r\n"
    "Gala Apples,\"Crisp, red \"\"Gala\"\" apples\",0.50,100,fruit,fresh;red\r\n"
    "Pear,Juicy,1.999,10,fruit,\r\n"                      # line 3: three decimals
    "Plums,\"Sweet\npurple plums\",2,50,fruit,stone fruit\r\n"
    "Kiwi,Green,1.25,lots,fruit,\r\n"                     # line 6: stock
    "Mango,Ripe,3,5\r\n"                                  # line 7: too few fields
    ",No title,1,1,fruit,\r\n"                            # line 8: empty title
    "Cherries,Dark,\"$1,004.00\",20,fruit,summer;red\r\n"
    "\"Broken,unterminated,1,1,fruit,\r\n"                # line 10: malformed
    "Dates,Medjool,6.75,12,dried fruit,sweet\r\n"
)


def t_listings():
    res = run(["listing", "add", "--title", "Organic Bananas", "--price", "1.99", "--stock", "140",
               "--category", "fruit", "--tags", "organic,fresh", "--description",
               "Sweet bananas from a small farm."], "seller")
    ok("listing add", res, r"Listed #\d+ Organic Bananas at \$1\.99")
    m = re.search(r"#(\d+)", res[1])
    bananas = int(m.group(1)) if m else 0
    rc, out, _ = run(["--json", "listing", "add", "--title", "Sencha Green Tea", "--price", "$12.99",
                      "--stock", "3", "--category", "drinks"], "seller")
    lines = json_lines(out)
    C.check("listing add --json: the Product, price sent as cents", rc == 0 and lines and
            lines[0].get("price_cents") == 1299 and lines[0].get("stock") == 3, out)
    tea = lines[0]["id"] if lines else 0
    one_line_error("listing add with a bad price: exit 2",
                   run(["listing", "add", "--title", "x", "--price", "1.2.3", "--stock", "1",
                        "--category", "c"], "seller"), 2)
    one_line_error("listing add over the price limit: exit 2",
                   run(["listing", "add", "--title", "x", "--price", "1000000.01", "--stock", "1",
                        "--category", "c"], "seller"), 2)
    ok("listing edit", run(["listing", "edit", str(tea), "--price", "11.50", "--stock", "7"], "seller"),
       r"Updated #%d .*\$11\.50, stock 7" % tea)
    p = product_json(tea)
    C.check("listing edit changed price and stock", p and p["price_cents"] == 1150 and p["stock"] == 7, p)
    one_line_error("listing edit with nothing to change: exit 2",
                   run(["listing", "edit", str(tea)], "seller"), 2, "nothing to change")
    one_line_error("shopper cannot listing add: exit 1",
                   run(["listing", "add", "--title", "x", "--price", "1", "--stock", "1",
                        "--category", "c"], "shopper"), 1)
    rc, out, _ = run(["--json", "listing", "add", "--title", "x", "--price", "1", "--stock", "1",
                      "--category", "c"], "shopper")
    lines = json_lines(out)
    C.check("shopper listing add --json: error object, code forbidden", rc == 1 and lines and
            lines[0].get("error", {}).get("code") == "forbidden", out)
    one_line_error("editing another seller's listing: exit 1",
                   run(["listing", "edit", str(tea), "--price", "1"], "shopper"), 1)

    # import
    path = os.path.join(TMP, "products.csv")
    with open(path, "w", newline="") as f:
        f.write("\ufeff" + IMPORT_CSV)
    rc, out, err = run(["listing", "import", path], "seller")
    C.check("import: summary line", "imported 4 of 9 rows: 4 added, 0 updated, 5 rejected" in out,
            out + err)
    C.check("import: exit 1 when rows were rejected", rc == 1, rc)
    bad_lines = sorted(int(n) for n in re.findall(r"products\.csv:(\d+): ", err))
    C.check("import: bad rows reported with their line numbers", bad_lines == [3, 6, 7, 8, 10],
            err)
    C.check("import: the reasons are given", "price" in err and "stock" in err and
            "fields" in err and "unterminated" in err, err)
    C.check("import: no progress bar when stderr is not a terminal", "\r" not in err, repr(err[:200]))
    rc, out, _ = run(["search", "Cherries"], "shopper")
    C.check("import: good rows are listed (money with commas, $)", rc == 0 and "$1,004.00" in out, out)
    rc, out, _ = run(["--json", "listing", "import", "--dry-run", path], "seller")
    lines = json_lines(out)
    C.check("import --dry-run --json: JSON lines, a summary last", lines is not None and
            lines[-1].get("imported") == 4 and lines[-1].get("rejected") == 5 and
            lines[-1].get("dry_run") is True, out)
    rc, out, _ = run(["search", "Gala"], "shopper")
    C.check("import --dry-run created nothing", out.count("Gala Apples") == 1, out)
    empty = os.path.join(TMP, "empty.csv")
    open(empty, "w").close()
    one_line_error("import of an empty file: exit 1", run(["listing", "import", empty], "seller"), 1,
                   "header")
    one_line_error("import of a missing file: exit 1",
                   run(["listing", "import", os.path.join(TMP, "nope.csv")], "seller"), 1,
                   "No such file")

    # rm and list
    ok("listing rm archives", run(["listing", "rm", str(tea)], "seller"), r"Archived listing #%d" % tea)
    rc, out, _ = run(["search", "Sencha"], "shopper")
    C.check("archived listing is not found by search", rc == 0 and "Sencha Green Tea" not in out,
            out)
    rc, out, _ = run(["listing", "list"], "seller")
    C.check("listing list shows archived ones too", rc == 0 and re.search(r"Sencha.*archived", out)
            is not None and "Organic Bananas" in out, out)
    rc, out, _ = run(["--json", "listing", "list"], "seller")
    lines = json_lines(out)
    C.check("listing list --json: pages of Products", rc == 0 and lines and
            lines[0].get("total") == 6, out)
    one_line_error("listing rm of an unknown id: exit 1", run(["listing", "rm", "999999"], "seller"), 1)
    return bananas


def t_catalog(bananas):
    rc, out, _ = run(["search", "banana"], "nobody")
    C.check("search: aligned table with $ prices", rc == 0 and re.search(
        r"^\s*ID\s+TITLE\s+PRICE\s+STOCK\s+CATEGORY\s+SELLER$", out, re.M) and
        re.search(r"^\s*%d\s+Organic Bananas\s+\$1\.99\s+140\s+fruit\s+Green Farm$" % bananas,
                  out, re.M), out)
    rc, out, _ = run(["--json", "search", "fruit", "--sort", "price_asc"], "nobody")
    lines = json_lines(out)
    prices = [p["price_cents"] for p in lines[0]["items"]] if lines else []
    C.check("search --json --sort price_asc: one page, ascending", rc == 0 and len(lines) == 1 and
            prices == sorted(prices) and len(prices) >= 3, out)
    rc, out, _ = run(["--json", "search", "--min-price", "1", "--max-price", "2.50"], "nobody")
    lines = json_lines(out)
    prices = [p["price_cents"] for p in lines[0]["items"]] if lines else [0]
    C.check("search price range (money in, cents out)", rc == 0 and prices and
            all(100 <= c <= 250 for c in prices), out)
    rc, out, _ = run(["--json", "search", "--category", "dried fruit"], "nobody")
    lines = json_lines(out)
    C.check("search --category", rc == 0 and lines and [p["title"] for p in lines[0]["items"]] ==
            ["Dates"], out)
    rc, out, _ = run(["search", "--limit", "1", "fruit"], "nobody")
    C.check("search --limit: a footer says how to see more", rc == 0 and
            re.search(r"showing 1-1 of \d+; next: --offset 1", out), out)
    ok("search with no match", run(["search", "zzzzqqq"], "nobody"), r'No products match "zzzzqqq"')
    ok("show ID", run(["show", str(bananas)], "nobody"),
       r"#%d Organic Bananas\n\s+price\s+\$1\.99.*\n(.*\n)*\s+tags\s+organic, fresh" % bananas)
    one_line_error("show unknown id: exit 1", run(["show", "999999"], "nobody"), 1)
    one_line_error("show a bad id: exit 2", run(["show", "abc"], "nobody"), 2)
    ok("unique prefix runs the command", run(["cat"], "nobody"), r"^CATEGORY\s+PRODUCTS$")
    rc, out, _ = run(["categories"], "nobody")
    C.check("categories: table with counts", rc == 0 and re.search(r"^fruit\s+\d+$", out, re.M), out)
    rc, out, _ = run(["--json", "categories"], "nobody")
    lines = json_lines(out)
    C.check("categories --json", rc == 0 and lines and
            any(i["name"] == "fruit" for i in lines[0]["items"]), out)


def t_completion():
    rc, out, _ = run(["completion", "bash"], "nobody", server=False)
    C.check("completion bash prints a script", rc == 0 and "complete -F _voxcart voxcart" in out, out[:200])
    script = os.path.join(TMP, "completion.bash")
    with open(script, "w") as f:
        f.write(out)
    syntax = subprocess.run(["bash", "-n", script], capture_output=True)
    C.check("completion script is valid bash", syntax.returncode == 0, syntax.stderr)

    def complete(*words):
        prog = ("source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _voxcart; echo \"${COMPREPLY[*]}\""
                % (script, " ".join("'%s'" % w for w in words), len(words) - 1))
        p = subprocess.run(["bash", "-c", prog], capture_output=True)
        return p.stdout.decode().split()
    C.eq("completes commands", complete("voxcart", "lo"), ["login", "logout"])
    C.eq("completes subcommands", complete("voxcart", "listing", "i"), ["import"])
    C.check("completes a subcommand's flags", "--category" in complete("voxcart", "listing", "add", "--c"),
            complete("voxcart", "listing", "add", "--c"))
    C.eq("completes flag values", complete("voxcart", "search", "--sort", "price_"),
         ["price_asc", "price_desc"])
    C.eq("completes global options", complete("voxcart", "--js"), ["--json"])


def commerce_available():
    srv_tok = SRV.login("bob@example.com", PASSWORD)["access_token"]
    st, _, _ = SRV.http("GET", "/api/v1/orders", token=srv_tok)
    return st == 200


def t_commerce(bananas):
    ok("cart is empty at first", run(["cart"], "shopper"), r"Your cart is empty")
    ok("cart add ID QTY", run(["cart", "add", str(bananas), "2"], "shopper"),
       r"Added 2 x Organic Bananas \(#%d, \$1\.99 each\)\nCart: 2 items, subtotal \$3\.98" % bananas)
    ok("cart add QUERY adds the top hit and says so", run(["cart", "add", "gala", "apples"], "shopper"),
       r"Added 1 x Gala Apples .*best match\nCart: 3 items, subtotal \$4\.48")
    rc, out, _ = run(["--json", "cart"], "shopper")
    lines = json_lines(out)
    items = {i["title"]: i for i in lines[0]["items"]} if lines else {}
    C.check("cart --json is the Cart", rc == 0 and lines and lines[0].get("subtotal_cents") == 448, out)
    apples = items.get("Gala Apples", {}).get("product_id", 0)
    ok("cart set ID QTY", run(["cart", "set", str(apples), "4"], "shopper"), r"subtotal \$5\.98")
    ok("cart shows a table", run(["cart"], "shopper"),
       r"Organic Bananas\s+2\s+\$1\.99\s+\$3\.98(.*\n)*Cart: 6 items, subtotal \$5\.98")
    ok("cart rm ID", run(["cart", "rm", str(apples)], "shopper"), r"subtotal \$3\.98")
    one_line_error("cart add more than the stock: exit 1",
                   run(["cart", "add", str(bananas), "999"], "shopper"), 1)
    one_line_error("cart add a query with no match: exit 1",
                   run(["cart", "add", "zzzzqqq"], "shopper"), 1, "nothing in the catalog")

    one_line_error("checkout without a card: exit 1", run(["checkout", "--yes"], "shopper"), 1, "card")
    one_line_error("card add with a Luhn typo: exit 2",
                   run(["card", "add", "--number", "4242424242424241", "--exp", "12/30", "--cvc", "123"],
                       "shopper"), 2, "check digit")
    ok("card add (values on stdin, no terminal)",
       run(["card", "add"], "shopper", stdin="4242 4242 4242 4242\n12/30\n123\n"),
       r"Added Visa ending 4242, expires 12/30")
    rc, out, _ = run(["--json", "card", "add", "--number", "4000000000000002", "--exp", "01/31",
                      "--cvc", "999"], "shopper")
    lines = json_lines(out)
    declining = lines[0]["id"] if rc == 0 and lines else 0
    C.check("card add --json: PaymentMethod without the number", rc == 0 and lines and
            lines[0].get("last4") == "0002" and "4000000000000002" not in out, out)
    rc, out, _ = run(["card", "list"], "shopper")
    C.check("card list", rc == 0 and "Visa ending 4242" in out and "Visa ending 0002" in out, out)

    one_line_error("checkout without an address: exit 1", run(["checkout", "--yes"], "shopper"), 1,
                   "address")
    ok("address set", run(["address", "set", "--name", "Bob Shopper", "--line1", "1 Main St",
                           "--city", "Springfield", "--postal-code", "12345", "--country", "US"],
                          "shopper"), r"Shipping address saved:\n\s+Bob Shopper")
    ok("address show", run(["address"], "shopper"), r"1 Main St")
    one_line_error("checkout refuses to ask without a terminal: exit 2",
                   run(["checkout"], "shopper"), 2, "--yes")

    rc, out, err = run(["checkout", "--yes", "--card", str(declining)], "shopper")
    one_line_error("checkout with a declined card: exit 1", (rc, out, err), 1)
    C.check("declined: says nothing was charged", "nothing was charged" in err, err)
    rc, out, _ = run(["--json", "cart"], "shopper")
    lines = json_lines(out)
    C.check("declined: the cart is unchanged", lines and lines[0].get("subtotal_cents") == 398, out)

    res = run(["card", "default", str(declining)], "shopper")
    if res[0] == 0:
        ok("card default", res, r"now your default")
        run(["card", "default", str(declining - 1 if declining > 1 else 1)], "shopper")
    else:
        C.check("card default: a clear message when unsupported", res[2].startswith("voxcart: "), res)

    rc, out, err = run(["checkout", "--yes", "--card", str(declining - 1)], "shopper")
    m = re.search(r"Order #(\d+) placed: \$3\.98 charged to Visa ending 4242", out)
    C.check("checkout --yes: paid, total shown", rc == 0 and m, out + err)
    order = int(m.group(1)) if m else 0
    ok("cart is empty after checkout", run(["cart"], "shopper"), r"Your cart is empty")
    ok("orders list", run(["orders"], "shopper"), r"^\s*%d\s+\S+ \S+\s+paid\s+2\s+\$3\.98$" % order)
    ok("orders show", run(["orders", "show", str(order)], "shopper"),
       r"Order #%d\s+paid(.*\n)*.*Organic Bananas(.*\n)*Payment: \$3\.98" % order)
    rc, out, _ = run(["--json", "orders", "show", str(order)], "shopper")
    lines = json_lines(out)
    C.check("orders show --json is the Order", rc == 0 and lines and lines[0].get("total_cents") == 398, out)

    # a second order paid later, then cancelled
    run(["cart", "add", str(bananas), "1"], "shopper")
    rc, out, _ = run(["--json", "checkout", "--yes"], "shopper")
    lines = json_lines(out)
    C.check("checkout --json: one Order line", rc == 0 and lines and len(lines) == 1 and
            lines[0].get("status") == "paid", out)
    second = lines[0]["id"] if lines else 0
    ok("orders cancel refunds", run(["orders", "cancel", str(second)], "shopper"),
       r"Order #%d cancelled" % second)
    one_line_error("orders pay a cancelled order: exit 1",
                   run(["orders", "pay", str(second)], "shopper"), 1)
    run(["register", "carol@example.com"], "carol", stdin=PASSWORD + "\n")
    one_line_error("orders show of another's order: exit 1",
                   run(["orders", "show", str(order)], "carol"), 1)

    # the seller's side
    ok("sales shows the figures", run(["sales"], "seller"), r"Revenue\s+\$3\.98")
    ok("sales orders lists the order", run(["sales", "orders"], "seller"), r"^\s*%d\s" % order)
    ok("fulfil ships the seller's items", run(["fulfil", str(order)], "seller"), r"marked shipped")
    one_line_error("orders cancel once shipped: exit 1", run(["orders", "cancel", str(order)], "shopper"), 1)
    one_line_error("shopper cannot fulfil: exit 1", run(["fulfil", str(order)], "shopper"), 1)


def t_newcomer(bananas):
    """Issue 14: global flags anywhere, bad QTY is a usage error, a clear message when
    the server does not know the saved login, and a login that replaces another says so."""
    # 3. --json, --quiet, --server anywhere on the line
    rc, out, err = run(["search", "banana", "--json"], "shopper")
    lines = json_lines(out)
    C.check("search QUERY --json (flag after the command) is JSON", rc == 0 and lines and
            "items" in lines[0], (rc, out, err))
    rc, out, err = run(["cart", "--json"], "shopper")
    lines = json_lines(out)
    C.check("cart --json (flag after the command) is the Cart", rc == 0 and lines and
            "subtotal_cents" in lines[0], (rc, out, err))
    rc, out, err = run(["categories", "--server", URL], "nobody", server=False,
                       env={"VOXCART_SERVER": "http://127.0.0.1:1"})
    C.check("--server after the command is used", rc == 0 and "CATEGORY" in out, (rc, out, err))
    rc, out, err = run(["categories", "--server=" + URL, "--json"], "nobody", server=False)
    C.check("--server=URL after the command is used", rc == 0 and json_lines(out), (rc, out, err))
    rc, out, err = run(["cart", "add", str(bananas), "1", "--quiet"], "shopper")
    C.check("--quiet after the command silences the chatter", rc == 0 and out == "", (rc, out, err))
    run(["cart", "clear"], "shopper")
    one_line_error("--server at the end without a value: exit 2",
                   run(["categories", "--server"], "nobody", server=False), 2, "needs a value")
    rc, out, _ = run(["--json", "search", "--", "--json"], "nobody")
    C.check("after -- a --json is a word, not the flag", rc == 0, out)

    # 4. a bad QTY is a usage error with the rule, never a search
    for bad in ("-1", "abc", "0", "1001", "2.5"):
        one_line_error("cart add ID %s: usage error 2 with the rule for QTY" % bad,
                       run(["cart", "add", str(bananas), bad], "shopper"), 2,
                       r"QTY must be a whole number from 1 to 1000")
    one_line_error("cart add WORDS -1: usage error 2",
                   run(["cart", "add", "organic", "bananas", "-1"], "shopper"), 2, r"QTY")
    rc, out, _ = run(["--json", "cart"], "shopper")
    lines = json_lines(out)
    C.check("bad QTY changed nothing", lines and lines[0].get("items") == [], out)

    # 7. the server does not know the saved login (its database changed)
    with lib.Server() as other:
        url = "http://127.0.0.1:%d" % other.port
        run(["--server", url, "register", "gone@example.com"], "gone", server=False,
            stdin=PASSWORD + "\n")
    with lib.Server() as fresh:  # a new database: the saved tokens mean nothing to it
        url = "http://127.0.0.1:%d" % fresh.port
        cred = os.path.join(home("gone"), "voxcart", "credentials")
        text = open(cred).read()
        with open(cred, "w") as f:
            f.write(re.sub(r"server = \S+", "server = " + url, text))
        res = run(["whoami"], "gone", server=url)
        one_line_error("whoami when the server does not know the login: exit 4, says what "
                       "happened and what to run", res, 4,
                       r"You are not logged in: .*does not know your saved login.*database.*"
                       r"`voxcart login gone@example\.com`")
        C.check("... and does not claim it simply expired", "expired" not in res[2], res[2])

    # 7. a login that ran out (the server says so) vs one logged out elsewhere
    with lib.Server() as srv:
        url = "http://127.0.0.1:%d" % srv.port
        run(["--server", url, "register", "late@example.com"], "late", server=False,
            stdin=PASSWORD + "\n")
        if lib.ON_POSTGRES:
            lib.pg_query(srv.db, "UPDATE tokens SET access_expires = 1, refresh_expires = 2")
        else:
            db = sqlite3.connect(srv.db, timeout=10)
            db.execute("UPDATE tokens SET access_expires = 1, refresh_expires = 2")
            db.commit()
            db.close()
        res = run(["whoami"], "late", server=url)
        one_line_error("whoami when the saved login ran out: exit 4, 'Your session expired'",
                       res, 4, r"^voxcart: Your session expired — log in again with "
                       r"`voxcart login late@example\.com`$")
        C.check("... and does not say 'not logged in'", "not logged in" not in res[2], res[2])
        rc, out, _ = run(["--json", "whoami"], "late", server=url)
        lines = json_lines(out)
        C.check("... --json: the server's code session_expired", rc == 4 and lines and
                lines[0].get("error", {}).get("code") == "session_expired", out)
        run(["login", "--password-stdin", "late@example.com"], "late", server=url,
            stdin=PASSWORD + "\n")
        shutil.copytree(home("late"), os.path.join(TMP, "late2"))
        ok("logout", run(["logout"], "late", server=url))
        res = run(["whoami"], "late2", server=url)  # a copy of the login just logged out
        one_line_error("whoami with a login logged out elsewhere: 'You are not logged in'",
                       res, 4, r"^voxcart: You are not logged in: .*was logged out")
        C.check("... and does not say it expired", "expired" not in res[2], res[2])

    # 7. a login that replaces another saved login says so
    rc, out, err = run(["login", "--password-stdin", "farm@example.com"], "switch",
                       stdin=PASSWORD + "\n")
    rc, out, err = run(["login", "--password-stdin", "bob@example.com"], "switch",
                       stdin=PASSWORD + "\n")
    C.check("login as another account says it replaced the saved login",
            rc == 0 and "replaced the saved login of farm@example.com" in err, (rc, out, err))


def t_help():
    """Issue 14 point 9: help per command, did-you-mean, zsh completion, make install."""
    rc, out, _ = run(["help"], "nobody", server=False)
    names = re.findall(r"^  (\S+)  ", out, re.M)
    C.check("help lists the commands", len(names) >= 18, out)
    for name in names:
        rc, out, _ = run(["help", name], "nobody", server=False)
        usage = out.split("\n\n", 1)[0]
        flags = sorted(set(re.findall(r"(--[a-z0-9-]+)", usage)))
        body = out.split("\n\n", 2)[-1] if out.count("\n\n") >= 2 else ""
        missing = [f for f in flags if not re.search(r"^  %s\b.*\S\s{2,}\S" % re.escape(f), body, re.M)
                   and not re.search(r"^  %s\b[^\n]*\n {4,}\S" % re.escape(f), body, re.M)]
        C.check("help %s: every flag with a line of its own, and an example" % name,
                rc == 0 and not missing and re.search(r"^Example:\n  \S", body, re.M),
                "missing %r in\n%s" % (missing, out))
    one_line_error("a mistyped command suggests the nearest one",
                   run(["ordres"], "nobody", server=False), 2, r"did you mean `orders`\?")
    one_line_error("help of a mistyped command suggests too",
                   run(["help", "serch"], "nobody", server=False), 2, r"did you mean `search`\?")
    one_line_error("nothing near: no suggestion",
                   run(["frobnicate"], "nobody", server=False), 2, r"unknown command \"frobnicate\" \(see")

    rc, out, _ = run(["completion", "zsh"], "nobody", server=False)
    C.check("completion zsh prints a #compdef script", rc == 0 and out.startswith("#compdef voxcart"),
            out[:200])
    zsh = shutil.which("zsh")
    C.check("zsh is installed (scripts/deps.sh)", zsh, "")
    if zsh and rc == 0:
        script = os.path.join(TMP, "_voxcart")
        with open(script, "w") as f:
            f.write(out)
        syn = subprocess.run([zsh, "-n", script], capture_output=True)
        C.check("completion zsh is valid zsh", syn.returncode == 0, syn.stderr)

        def zcomplete(line):
            prog = ('compdef(){}; compadd(){ print -r -- "${(@)argv:#--}"; }; '
                    '_describe(){ print -rl -- ${(P)2}; }; _files(){ print FILES; }; '
                    '_urls(){}; source %s; words=(${=1}); [[ $1 == *" " ]] && words+=(""); '
                    'CURRENT=${#words}; _voxcart' % script)
            p = subprocess.run([zsh, "-fc", prog, "x", line], capture_output=True)
            out = p.stdout.decode()
            return out.split() if "\n" not in out.strip() else out.strip().split("\n")
        C.check("zsh completes commands, with their summaries",
                any(w.startswith("orders:your orders") for w in zcomplete("voxcart ")),
                zcomplete("voxcart "))
        C.check("zsh completes subcommands", "import" in zcomplete("voxcart listing i"),
                zcomplete("voxcart listing i"))
        C.check("zsh completes flag values", "price_asc" in zcomplete("voxcart search --sort p"),
                zcomplete("voxcart search --sort p"))
        C.check("zsh completes a file argument", zcomplete("voxcart listing import ") == ["FILES"],
                zcomplete("voxcart listing import "))
    p = subprocess.run(["make", "-n", "-C", lib.ROOT, "install", "DESTDIR=/nonexistent"],
                       capture_output=True)
    text = p.stdout.decode()
    C.check("make install installs the bash and zsh completions",
            "completion bash > /nonexistent" in text and "completion zsh > /nonexistent" in text
            and "bash-completion/completions/voxcart" in text and "site-functions/_voxcart" in text,
            text[-600:])


def t_import_again():
    """Issue 14 point 8: importing the same CSV twice updates instead of duplicating
    (by sku, or by exact title without one); the summary says added/updated/rejected;
    sales caps the low-stock list."""
    run(["register", "--seller", "--name", "Repeat Farm", "repeat@example.com"], "repeat",
        stdin=PASSWORD + "\n")
    path = os.path.join(TMP, "again.csv")
    with open(path, "w") as f:
        f.write("title,price,stock,category,sku\n"
                "Again Apples,1.00,10,fruit,AA-1\n"
                "Again Pears,2.00,3,fruit,\n"
                "Again Plums,bad,3,fruit,AP-3\n")
    rc, out, err = run(["listing", "import", path], "repeat")
    C.check("import: summary says added, updated, rejected",
            "imported 2 of 3 rows: 2 added, 0 updated, 1 rejected" in out, out + err)
    with open(path, "w") as f:
        f.write("title,price,stock,category,sku\n"
                "Again Apples (new label),1.50,12,fruit,AA-1\n"
                "Again Pears,2.25,4,fruit,\n"
                "Again Plums,bad,3,fruit,AP-3\n")
    rc, out, err = run(["listing", "import", path], "repeat")
    C.check("import twice: rows update by sku and by exact title",
            "imported 2 of 3 rows: 0 added, 2 updated, 1 rejected" in out, out + err)
    rc, out, _ = run(["--json", "listing", "list"], "repeat")
    lines = json_lines(out)
    items = lines[0]["items"] if lines else []
    C.check("import twice: no duplicates, values updated", len(items) == 2 and
            sorted((p["title"], p["price_cents"], p["stock"]) for p in items) ==
            [("Again Apples (new label)", 150, 12), ("Again Pears", 225, 4)], items)
    rc, out, _ = run(["--json", "listing", "import", "--dry-run", path], "repeat")
    lines = json_lines(out)
    C.check("import --dry-run --json: added and updated in the summary", lines and
            lines[-1].get("updated") == 1 and "added" in lines[-1], out)
    rc, out, err = run(["listing", "add", "--title", "Sku Dup", "--price", "1", "--stock", "1",
                        "--category", "fruit", "--sku", "AA-1"], "repeat")
    C.check("listing add with a sku in use updates that listing", rc == 0 and
            "Updated (same --sku)" in out, out + err)
    rc, out, _ = run(["--json", "listing", "list"], "repeat")
    lines = json_lines(out)
    C.check("... still two listings", lines and lines[0].get("total") == 2, out)
    rc, out, _ = run(["listing", "list"], "repeat")
    C.check("listing list shows each listing's sku in a SKU column",
            rc == 0 and re.search(r"^ *ID +SKU +TITLE", out, re.M) and
            re.search(r"AA-1 +Sku Dup", out), out)
    ids = [p["id"] for p in lines[0]["items"]] if lines else []
    other = [p["id"] for p in lines[0]["items"] if p.get("title") == "Again Pears"] if lines else []
    one_line_error("listing edit to another listing's sku: exit 1, conflict",
                   run(["listing", "edit", str(other[0] if other else 0), "--sku", "AA-1"], "repeat"),
                   1, "already has sku")

    # sales: at most 10 low-stock products, then "and N more"; --all shows them all
    big = os.path.join(TMP, "low.csv")
    with open(big, "w") as f:
        f.write("title,price,stock,category\n")
        for i in range(25):
            f.write("Low item %02d,1.00,%d,low\n" % (i, i % 5))
    run(["listing", "import", big], "repeat")
    # low: the 25 above, Again Pears (4) and the AA-1 listing (1 since "Sku Dup")
    rc, out, _ = run(["sales"], "repeat")
    low_rows = re.findall(r" active$", out, re.M)
    C.check("sales: the low-stock list is capped at 10 with an 'and N more' line",
            rc == 0 and len(low_rows) == 10 and re.search(r"and 17 more \(voxcart sales --all", out),
            out)
    rc, out, _ = run(["sales", "--all"], "repeat")
    C.check("sales --all: every low-stock product", rc == 0 and
            len(re.findall(r" active$", out, re.M)) == 27, out)
    rc, out, _ = run(["--json", "sales"], "repeat")
    lines = json_lines(out)
    C.check("sales --json: low_stock_total counts them all",
            lines and lines[0].get("low_stock_total") == 27, out)


def t_rate_limit():
    """A server that allows 2 requests a second: the CLI says when to retry, and an
    import waits out the limit instead of rejecting rows."""
    cfg = "[auth]\nhash_cost = min\n[server]\nrate_limit = 2\nrate_burst = 2\n"
    with lib.Server(config=cfg) as srv:
        url = "http://127.0.0.1:%d" % srv.port
        with ThreadPoolExecutor(8) as pool:  # at once, so a slow machine still trips it
            res = list(pool.map(lambda _: run(["categories"], "nobody", server=url), range(8)))
        limited = [r for r in res if r[0] != 0]
        C.check("429: some requests are refused", len(limited) > 0, [r[0] for r in res])
        if limited:
            one_line_error("429: exit 1 and 'retry after N s'", limited[0], 1,
                           r"retry after \d+ s")
        for _ in range(5):
            time.sleep(1.5)
            r = run(["register", "--seller", "rl@example.com"], "ratelimited", server=url,
                    stdin=PASSWORD + "\n")
            if r[0] == 0:
                break
        path = os.path.join(TMP, "rl.csv")
        with open(path, "w") as f:
            f.write("title,price,stock,category\n")
            for i in range(6):
                f.write("Limited %d,1.00,1,rl\n" % i)
        time.sleep(1.5)
        rc, out, err = run(["listing", "import", path], "ratelimited", server=url)
        C.check("429 during import: waited out, every row imported",
                rc == 0 and "imported 6 of 6 rows: 6 added, 0 updated, 0 rejected" in out, out + err)


def main():
    global SRV, URL
    if not os.access(VOXCART, os.X_OK):
        print("%s is missing: run `make voxcart` first" % VOXCART)
        sys.exit(1)
    C.run("basics", t_basics)
    C.run("help", t_help)
    C.run("unreachable", t_unreachable)
    with lib.Server() as srv:
        SRV, URL = srv, "http://127.0.0.1:%d" % srv.port
        C.run("accounts", t_accounts)
        C.run("settings", t_settings)
        bananas = C.run("listings", t_listings) or 0
        C.run("catalog", t_catalog, bananas)
        C.run("completion", t_completion)
        if C.run("commerce probe", commerce_available):
            C.run("commerce", t_commerce, bananas)
        else:
            print("skip commerce: this voxcartd has no orders endpoints yet")
        C.run("newcomer", t_newcomer, bananas)
        C.run("import again", t_import_again)
        C.eq("server still alive", srv.alive(), True)
    C.run("rate limit", t_rate_limit)
    shutil.rmtree(TMP, ignore_errors=True)
    C.finish()


SRV = None
URL = None
if __name__ == "__main__":
    main()
