#!/usr/bin/env python3
"""voxcartd as a program: options, the port it reports, config errors, signals."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402


def run(args, timeout=10):
    p = subprocess.run([lib.VOXCARTD] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def main():
    c = lib.Checks("server_cli")
    tmp = tempfile.mkdtemp(prefix="voxcart-srvcli-")

    rc, out, err = run(["--help"])
    c.check("--help exits 0 and lists the options", rc == 0 and "--port" in out and "--demo" in out, out)
    rc, out, err = run(["--version"])
    c.check("--version prints the version", rc == 0 and re.match(r"voxcartd \d+\.\d+", out), out)
    rc, out, err = run(["--bogus"])
    c.eq("unknown option exits 2", rc, 2)
    rc, out, err = run(["--port", "99999"])
    c.check("bad --port exits 2 with a message", rc == 2 and "--port" in err, err)
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("[server]\nworkers = lots\n")
    rc, out, err = run(["--config", bad, "--db", os.path.join(tmp, "x.db")])
    c.check("a bad config value names the key", rc == 1 and "server.workers" in err, err)
    rc, out, err = run(["--config", os.path.join(tmp, "missing.conf")])
    c.check("a missing config file is an error naming it", rc == 1 and "missing.conf" in err, err)

    # --port 0: the system picks a port, and the one printed is the real one.
    db = os.path.join(tmp, "new", "dir", "v.db")
    log = open(os.path.join(tmp, "p0.log"), "w")
    p = subprocess.Popen([lib.VOXCARTD, "--port", "0", "--db", db], stdout=log, stderr=subprocess.STDOUT)
    port = None
    for _ in range(100):
        with open(os.path.join(tmp, "p0.log")) as f:
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", f.read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.05)
    c.check("--port 0 reports a real port", port and port > 0, port)
    ok = False
    if port:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=5) as r:
                ok = r.status == 200
        except OSError as e:
            ok = repr(e)
    c.eq("... and serves on it", ok, True)
    c.check("the database directory was created", os.path.exists(db))
    p.send_signal(signal.SIGTERM)
    try:
        c.eq("SIGTERM stops it with status 0", p.wait(timeout=15), 0)
    except subprocess.TimeoutExpired:
        p.kill()
        c.check("SIGTERM stops it with status 0", False, "still running after 15 s")
    log.close()

    # [server] database = sqlite:PATH (a URL) works like --db PATH.
    conf = os.path.join(tmp, "url.conf")
    db = os.path.join(tmp, "url", "u.db")
    with open(conf, "w") as f:
        f.write("[server]\ndatabase = sqlite:%s\n" % db)
    log = open(os.path.join(tmp, "url.log"), "w")
    p = subprocess.Popen([lib.VOXCARTD, "--port", "0", "--config", conf], stdout=log,
                         stderr=subprocess.STDOUT)
    up = False
    for _ in range(100):
        with open(os.path.join(tmp, "url.log")) as f:
            up = "listening on" in f.read()
        if up:
            break
        time.sleep(0.05)
    c.check("database = sqlite:PATH starts and creates that file", up and os.path.exists(db), db)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
    log.close()
    rc, out, err = run(["--db", "mysql://shop@localhost/shop", "--port", "0"])
    c.check("an unknown database kind exits 1 naming the accepted ones",
            rc == 1 and "sqlite:" in err and "postgresql://" in err, err)
    rc, out, err = run(["--db", "sqlite:", "--port", "0"])
    c.check("sqlite: without a path exits 1", rc == 1 and "path" in err, err)
    rc, out, err = run(["--db", "postgresql://nobody@127.0.0.1:1/none", "--port", "0"], timeout=30)
    c.check("an unusable postgresql:// database exits 1 with a message", rc == 1 and err.strip(), err)
    subprocess.call(["rm", "-rf", tmp])
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
