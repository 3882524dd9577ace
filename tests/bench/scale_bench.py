#!/usr/bin/env python3
"""scale_bench.py - voxcart on PostgreSQL with 1, 2 and 3 voxcartd behind HAProxy.

  scale_bench.py [--products 100000] [--duration 10s] [--procs 1,2,3] [--json OUT]

Generates the catalog (gen_catalog.py), starts a throwaway PostgreSQL cluster
(scripts/pg-cluster.sh), imports the catalog through the first voxcartd
(--import-catalog) and starts the others on the same database (3 in all, each with
`trusted_proxies = 127.0.0.1`, rate limits off).  Then, in one run:

  direct   the first voxcartd alone, no balancer (the baseline for HAProxy's cost)
  haproxy1, haproxy2, haproxy3
           HAProxy (dist/haproxy/voxcart.cfg with these ports) in front of the first
           1, 2 or 3 processes (the others idle)

and for each: REST search (bench.lua's varied queries) and product fetch with wrk
(req/s, p50, p99), checkouts/s (commerce_bench.py: add + checkout per shopper, its
p50/p99), and typed buddy turns/s (buddy_bench.py over the WebSocket, each session
kept on one process by HAProxy).  Each phase records the CPU seconds of every
voxcartd, of HAProxy and of PostgreSQL (all its processes), and the load average.
On a 2-core machine the totals cannot grow with processes: the figures say what a
process and the balancer cost, not how far it scales.

Environment: VOXCARTD (./voxcartd).  Needs wrk, haproxy and Debian's postgresql.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def healthy(port, timeout=1.0):
    try:
        urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=timeout).read()
        return True
    except OSError:
        return False


def wait_health(port, seconds, proc=None):
    end = time.time() + seconds
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            return False
        if healthy(port):
            return True
        time.sleep(0.2)
    return False


def wait_idle(port):
    """Until /health answers within 0.2 s (what a previous phase queued is done)."""
    end = time.time() + 60
    while time.time() < end:
        t = time.time()
        if healthy(port, 10) and time.time() - t < 0.2:
            return
        time.sleep(0.2)


def cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def children_cpu_s(ppid):
    """CPU of ppid and its live children (PostgreSQL's backends and workers)."""
    total = cpu_s(ppid)
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == ppid:
                total += (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, IndexError, ValueError):
            pass
    return total


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


class Procs:
    """The processes whose CPU a phase reports."""

    def __init__(self, voxcartds, postmaster):
        self.voxcartds = voxcartds
        self.postmaster = postmaster
        self.haproxy = None

    def sample(self):
        s = {"voxcartd%d" % (i + 1): cpu_s(p.pid) for i, p in enumerate(self.voxcartds)}
        s["postgres"] = children_cpu_s(self.postmaster)
        if self.haproxy:
            s["haproxy"] = cpu_s(self.haproxy.pid)
        s["_t"] = time.time()
        return s


def delta(a, b):
    wall = b["_t"] - a["_t"]
    out = {}
    for k in b:
        if k != "_t" and k in a:
            # CPU seconds, and as a share of one core over the phase
            out[k] = {"cpu_s": round(b[k] - a[k], 2),
                      "cores": round((b[k] - a[k]) / wall, 2) if wall > 0 else None}
    return out


def run_wrk(port, mode, max_id, duration, threads, conns, titles):
    args = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%s" % duration, "--latency", "--timeout",
            "10s", "-s", os.path.join(HERE, "bench.lua"), "http://127.0.0.1:%d" % port, "--", mode,
            str(max_id)]
    if mode == "longtail":
        args.append(titles)
    out = subprocess.run(args, capture_output=True, text=True).stdout
    m = re.search(r"^BENCH_JSON (\{.*\})$", out, re.M)
    if not m:
        return {"error": out[-300:]}
    r = json.loads(m.group(1))
    return {k: r[k] for k in ("rps", "p50_ms", "p99_ms", "non_2xx", "socket_errors")}


def run_py(script, args):
    out = subprocess.run([sys.executable, os.path.join(HERE, script)] + args, capture_output=True,
                         text=True)
    m = re.search(r"^\{.*\}", out.stdout, re.M | re.S)
    if out.returncode != 0 or not m:
        return {"error": (out.stdout + out.stderr)[-400:]}
    return json.loads(m.group(0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=100000)
    ap.add_argument("--duration", default="10s")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--procs", default="1,2,3")
    ap.add_argument("--shoppers", type=int, default=32)
    ap.add_argument("--commerce-seconds", type=float, default=10)
    ap.add_argument("--buddy-sessions", type=int, default=50)
    ap.add_argument("--json")
    a = ap.parse_args()
    counts = [int(x) for x in a.procs.split(",")]
    nproc = max(counts)
    daemon = os.environ.get("VOXCARTD", os.path.join(ROOT, "voxcartd"))
    for tool in ("wrk", "haproxy"):
        if not shutil.which(tool):
            sys.exit("scale_bench: %s is not installed (make deps)" % tool)
    tmp = tempfile.mkdtemp(prefix="voxcart-scale-bench-")
    os.chmod(tmp, 0o755)  # the cluster may belong to another user (pg-cluster.sh)
    pgdir = os.path.join(tmp, "pg")
    servers = []
    procs = None
    res = {"products": a.products, "cpus": os.cpu_count(), "wrk": "-t%d -c%d -d%s" % (
        a.threads, a.connections, a.duration), "phases": {}}
    try:
        cat = os.path.join(tmp, "cat.csv")
        subprocess.check_call([sys.executable, os.path.join(HERE, "gen_catalog.py"),
                               str(a.products), cat], stdout=subprocess.DEVNULL)
        titles = os.path.join(tmp, "titles.txt")
        subprocess.check_call([sys.executable, "-c", """
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for row in csv.DictReader(f):
        out.write(row["title"] + "\\n")""", cat, titles])
        url = subprocess.check_output([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", pgdir],
                                      text=True).strip()
        with open(os.path.join(pgdir, "data", "postmaster.pid")) as f:
            postmaster = int(f.readline())
        conf = os.path.join(tmp, "voxcart.conf")
        with open(conf, "w") as f:
            f.write("[auth]\nhash_cost = min\n[server]\nrate_limit = 0\ndatabase = %s\n"
                    "trusted_proxies = 127.0.0.1\n[buddy]\nmessage_rate = 0\n" % url)
        ports = []
        t0 = time.time()
        for k in range(nproc):
            port = free_port()
            extra = ["--import-catalog", cat] if k == 0 else []
            log = open(os.path.join(tmp, "voxcartd%d.log" % (k + 1)), "wb")
            p = subprocess.Popen([daemon, "--config", conf, "--port", str(port), "--log-level", "warn"]
                                 + extra, stdout=log, stderr=subprocess.STDOUT)
            servers.append(p)
            if not wait_health(port, 900, p):
                sys.exit("scale_bench: voxcartd %d did not start (log %s)" % (k + 1, log.name))
            ports.append(port)
            if k == 0:
                res["import_and_start_s"] = round(time.time() - t0, 1)
                print("scale_bench: %d products imported into PostgreSQL, first voxcartd up in %.1fs"
                      % (a.products, time.time() - t0), flush=True)
        max_id = json.load(urllib.request.urlopen(
            "http://127.0.0.1:%d/api/v1/products?limit=1&sort=newest" % ports[0]))["items"][0]["id"]
        procs = Procs(servers, postmaster)

        def phase(name, port):
            print("scale_bench: %s (port %d)" % (name, port), flush=True)
            out = {}
            # a short warm-up, not counted
            subprocess.run(["wrk", "-t1", "-c8", "-d2s", "-s", os.path.join(HERE, "bench.lua"),
                            "http://127.0.0.1:%d" % port, "--", "product", str(max_id)],
                           capture_output=True)
            for mode in ("search", "product"):
                wait_idle(port)
                c0, l0 = procs.sample(), loadavg()
                r = run_wrk(port, mode, max_id, a.duration, a.threads, a.connections, titles)
                r["cpu"] = delta(c0, procs.sample())
                r["load"] = l0
                out[mode] = r
                print("    %-9s %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  load %.1f" % (
                    mode, r.get("rps", 0), r.get("p50_ms", 0), r.get("p99_ms", 0), l0), flush=True)
            wait_idle(port)
            c0, l0 = procs.sample(), loadavg()
            com = run_py("commerce_bench.py", ["--port", str(port), "--shoppers", str(a.shoppers),
                                               "--seconds", str(a.commerce_seconds)])
            ck = com.get("checkout_phase", {}).get("checkout", {})
            out["checkout"] = {"per_s": ck.get("per_s"), "p50_ms": ck.get("p50_ms"),
                               "p99_ms": ck.get("p99_ms"),
                               "errors": com.get("checkout_phase", {}).get("errors", com.get("error")),
                               "cpu": delta(c0, procs.sample()), "load": l0}
            print("    checkout  %8s /s     p50 %7s ms  p99 %7s ms  load %.1f" % (
                ck.get("per_s"), ck.get("p50_ms"), ck.get("p99_ms"), l0), flush=True)
            wait_idle(port)
            c0, l0 = procs.sample(), loadavg()
            bud = run_py("buddy_bench.py", ["--port", str(port), "--sessions", str(a.buddy_sessions),
                                            "--one-turns", "20", "--turns", "3", "--idle", "0"])
            cc = bud.get("concurrent", {})
            out["buddy"] = {"turns_per_s": cc.get("turns_per_s"), "done_p50_ms": cc.get("done_p50_ms"),
                            "done_p99_ms": cc.get("done_p99_ms"), "sessions": cc.get("sessions"),
                            "error": bud.get("error"), "cpu": delta(c0, procs.sample()), "load": l0}
            print("    buddy     %8s turns/s p50 %7s ms  p99 %7s ms  load %.1f" % (
                cc.get("turns_per_s"), cc.get("done_p50_ms"), cc.get("done_p99_ms"), l0), flush=True)
            return out

        res["phases"]["direct"] = phase("direct: voxcartd 1 alone, no balancer", ports[0])
        for n in counts:
            hport = free_port()
            with open(os.path.join(ROOT, "dist", "haproxy", "voxcart.cfg")) as f:
                cfg = f.read()
            cfg = cfg.replace("bind 127.0.0.1:8080", "bind 127.0.0.1:%d" % hport)
            cfg = re.sub(r"(?m)^    server voxcartd\d+ .*\n", "", cfg)
            cfg += "".join("    server voxcartd%d 127.0.0.1:%d\n" % (k + 1, ports[k]) for k in range(n))
            cfg = cfg.replace("log stdout format raw local0 notice", "log stdout format raw local0 err")
            path = os.path.join(tmp, "haproxy%d.cfg" % n)
            with open(path, "w") as f:
                f.write(cfg)
            hlog = open(os.path.join(tmp, "haproxy%d.log" % n), "wb")
            procs.haproxy = subprocess.Popen(["haproxy", "-db", "-f", path], stdout=hlog,
                                             stderr=subprocess.STDOUT)
            if not wait_health(hport, 20, procs.haproxy):
                sys.exit("scale_bench: haproxy did not start (log %s)" % hlog.name)
            time.sleep(2.5)  # its health checks mark every server up (rise 2, inter 1s)
            res["phases"]["haproxy%d" % n] = phase("HAProxy in front of %d voxcartd" % n, hport)
            procs.haproxy.terminate()
            procs.haproxy.wait()
            procs.haproxy = None
    finally:
        if procs and procs.haproxy:
            procs.haproxy.terminate()
        for p in servers:
            p.terminate()
        for p in servers:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.call([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "destroy", pgdir],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(res, indent=2))
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
