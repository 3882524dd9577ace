#!/usr/bin/env python3
"""browse_bench.py - idle latency of every filter and sort of GET /api/v1/products.

Usage: browse_bench.py --port P [--per 40] [--json OUT] [--seed S]

One client, one request at a time (an idle server): for each of the 16 combinations of
category, min_price, max_price and seller_id, and each sort (default, newest, price_asc,
price_desc), --per requests with random values (categories from /api/v1/categories,
sellers from the catalog, price bounds from 1 to 600 dollars), limit 20, one in five on
a later page.  Prints p50/p99 per combination and the worst p99 (issue 16's target:
every combination <= 5 ms p99 at 100,000 products).  Stdlib only.
"""
import argparse
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--per", type=int, default=40)
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--json")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)

    def get(path):
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit("browse: %s -> %d %s" % (path, r.status, body[:200]))
        return json.loads(body)

    cats = [c["name"] for c in get("/api/v1/categories")["items"]]
    sellers = sorted({p["seller_id"] for p in get("/api/v1/products?limit=100")["items"]} |
                     {p["seller_id"] for p in get("/api/v1/products?limit=100&sort=price_asc")["items"]})
    sorts = [None, "newest", "price_asc", "price_desc"]
    rows, worst = [], (0.0, "")
    for mask in range(16):
        for sort in sorts:
            lat = []
            for i in range(a.per):
                q = {"limit": 20}
                if mask & 1:
                    q["category"] = rnd.choice(cats)
                lo = rnd.randint(1, 300) * 100
                if mask & 2:
                    q["min_price"] = lo
                if mask & 4:
                    q["max_price"] = lo + rnd.randint(1, 300) * 100 if mask & 2 else rnd.randint(1, 600) * 100
                if mask & 8:
                    q["seller_id"] = rnd.choice(sellers)
                if sort:
                    q["sort"] = sort
                if i % 5 == 4:
                    q["offset"] = 20 * rnd.randint(1, 5)
                path = "/api/v1/products?" + urllib.parse.urlencode(q)
                t = time.perf_counter()
                get(path)
                lat.append((time.perf_counter() - t) * 1000)
            lat.sort()
            p50 = statistics.median(lat)
            p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
            name = "+".join([n for b, n in ((1, "category"), (2, "min_price"), (4, "max_price"),
                                            (8, "seller_id")) if mask & b] or ["none"])
            name += " sort=" + (sort or "default")
            rows.append({"combination": name, "p50_ms": round(p50, 3), "p99_ms": round(p99, 3)})
            if p99 > worst[0]:
                worst = (p99, name)
    print("%-52s %8s %8s" % ("filters and sort", "p50 ms", "p99 ms"))
    for r in rows:
        print("%-52s %8.2f %8.2f" % (r["combination"], r["p50_ms"], r["p99_ms"]))
    print("browse: %d combinations x %d requests; worst p99 %.2f ms (%s)" % (len(rows), a.per, worst[0], worst[1]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"per": a.per, "worst_p99_ms": round(worst[0], 3), "worst": worst[1],
                       "combinations": rows}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
