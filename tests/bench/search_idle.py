#!/usr/bin/env python3
"""search_idle.py - idle latency of product search (issue 16: on 1,000,000 products,
median <= 5 ms and p99 <= 20 ms).

Usage: search_idle.py --port P [--titles FILE] [--n 600] [--seed S] [--pid PID] [--json OUT]

One client, one request at a time over one keep-alive connection (an idle server):
GET /api/v1/products?q=...&limit=20 for the realistic queries of bench.lua (every
one, cycling) and, with --titles (one product title a line, as tests/bench/run.sh
writes it), as many long-tail queries: one word of a random title, or two words of
the same title.  Prints median and p99 (milliseconds, client side) per kind and for
all.  With --pid (the server's), also the server's CPU time per request (the sum over
its threads of /proc/PID/task/*/schedstat's time on a CPU, read before and after each
request; threads at a lower priority, the background fills after start-up, left out):
on a shared machine the wall-clock figures follow the load, this one what
an idle machine would take.  Stdlib only.
"""
import argparse
import http.client
import json
import os
import random
import re
import statistics
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))


def realistic():
    """The queries of bench.lua's search mode."""
    with open(os.path.join(HERE, "bench.lua"), encoding="utf-8") as f:
        text = f.read()
    block = text.split("local queries = {", 1)[1].split("}", 1)[0]
    return re.findall(r'"([^"]+)"', block)


def longtail(path, n, rnd):
    titles = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = re.findall(r"[A-Za-z0-9]+", line.lower())
            if words:
                titles.append(words)
    out = []
    for _ in range(n):
        w = rnd.choice(titles)
        i = rnd.randrange(len(w))
        if len(w) > 1 and rnd.random() < 0.5:
            j = rnd.randrange(len(w) - 1)
            j = j + 1 if j >= i else j
            out.append(w[i] + " " + w[j])
        else:
            out.append(w[i])
    return out


def cpu_ns(pid):
    """CPU time of the server's threads that run at normal priority (the niced ones
    fill caches in the background after start-up: not the request's work)."""
    total = 0
    base = "/proc/%d/task" % pid
    for tid in os.listdir(base):
        try:
            with open("%s/%s/stat" % (base, tid)) as f:
                if int(f.read().rsplit(")", 1)[1].split()[16]) > 0:
                    continue
            with open("%s/%s/schedstat" % (base, tid)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs))) - 1))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--titles")
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--pid", type=int)
    ap.add_argument("--json")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    kinds = {"realistic": [realistic()[i % 70] for i in range(a.n)]}
    if a.titles:
        kinds["longtail"] = longtail(a.titles, a.n, rnd)
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
    res = {}
    every = []
    every_cpu = []
    for kind, qs in kinds.items():
        lat = []
        cpu = []
        for q in qs:
            path = "/api/v1/products?" + urllib.parse.urlencode({"q": q, "limit": 20})
            c0 = cpu_ns(a.pid) if a.pid else 0
            t = time.perf_counter()
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            ms = (time.perf_counter() - t) * 1000
            if a.pid:
                cpu.append((cpu_ns(a.pid) - c0) / 1e6)
            if r.status != 200:
                print("search_idle: %s -> %d %s" % (path, r.status, body[:200]), file=sys.stderr)
                return 1
            lat.append(ms)
        every += lat
        res[kind] = {"n": len(lat), "p50_ms": round(statistics.median(lat), 3),
                     "p99_ms": round(pct(lat, 99), 3), "max_ms": round(max(lat), 3)}
        print("search_idle: %-9s %4d queries: p50 %.2f ms, p99 %.2f ms, max %.2f ms"
              % (kind, len(lat), res[kind]["p50_ms"], res[kind]["p99_ms"], res[kind]["max_ms"]))
        if cpu:
            every_cpu += cpu
            res[kind].update(cpu_p50_ms=round(statistics.median(cpu), 3),
                             cpu_p99_ms=round(pct(cpu, 99), 3), cpu_max_ms=round(max(cpu), 3))
            print("search_idle: %-9s server CPU per request: p50 %.2f ms, p99 %.2f ms, max %.2f ms"
                  % (kind, res[kind]["cpu_p50_ms"], res[kind]["cpu_p99_ms"], res[kind]["cpu_max_ms"]))
    res["all"] = {"n": len(every), "p50_ms": round(statistics.median(every), 3),
                  "p99_ms": round(pct(every, 99), 3), "load_avg": os.getloadavg()[0]}
    print("search_idle: all       %4d queries: p50 %.2f ms, p99 %.2f ms (load %.2f)"
          % (len(every), res["all"]["p50_ms"], res["all"]["p99_ms"], os.getloadavg()[0]))
    if every_cpu:
        res["all"].update(cpu_p50_ms=round(statistics.median(every_cpu), 3),
                          cpu_p99_ms=round(pct(every_cpu, 99), 3))
        print("search_idle: all       server CPU per request: p50 %.2f ms, p99 %.2f ms"
              % (res["all"]["cpu_p50_ms"], res["all"]["cpu_p99_ms"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
