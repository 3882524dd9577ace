#!/usr/bin/env python3
"""test_backends_same.py - the same catalog answers the same searches on SQLite and on
PostgreSQL (issues 12 and 16).

Two voxcartd load the demo shop (--demo), one into a SQLite file, one into a
PostgreSQL database of the test cluster, and are asked the same product lists: every
word of the catalog's titles alone, word pairs, prefixes, any-word queries, with
category and price filters, ranked by relevance or by price, and pages further on.
Both must give the same products (compared by title and price: the ids are the
same too, but a title says more when they differ) in the same order, with the same
total.  The newest-first order is left out: each server stamps its products with its
own clock.  Always runs both backends (lib.pg_cluster: the run's, or its own).
"""
import os
import re
import shutil
import tempfile
import urllib.parse

import lib

C = lib.Checks("backends_same")


def page(srv, **q):
    st, _, b = srv.http("GET", "/api/v1/products?" + urllib.parse.urlencode(q))
    if st != 200:
        return st
    return (b["total"], [(p["id"], p["title"], p["price_cents"]) for p in b["items"]])


def main():
    try:
        pg_url = lib.pg_database()
    except Exception as e:
        C.check("a PostgreSQL cluster for the test (make deps)", False, str(e))
        C.finish()
    tmp = tempfile.mkdtemp(prefix="voxcart-it-same-")
    sq = lib.Server(args=["--demo"], db="sqlite:" + os.path.join(tmp, "shop.db"), name="sqlite")
    pg = lib.Server(args=["--demo"], db=pg_url, name="postgresql")
    try:
        sq.start()
        pg.start()
        titles = [p[1] for p in page(sq, limit=100)[1]]
        total = page(sq, limit=1)[0]
        C.check("both shops hold the same catalog", page(pg, limit=1)[0] == total and total > 0,
                (total, page(pg, limit=1)))
        words = sorted({w.lower() for t in titles for w in re.findall(r"[A-Za-z]{3,}", t)})
        cats = [c["name"] for c in sq.http("GET", "/api/v1/categories")[2]["items"]]
        queries = []
        for i, w in enumerate(words):
            queries.append({"q": w, "limit": 20})
            queries.append({"q": w[:3], "limit": 10, "offset": 5})
            queries.append({"q": w, "sort": ["price_asc", "price_desc"][i % 2], "limit": 20})
            queries.append({"q": w + " " + words[(i * 7) % len(words)], "limit": 20})
            if cats:
                queries.append({"q": w, "category": cats[i % len(cats)], "max_price": 2000,
                                "limit": 20})
        for c in cats:
            for sort in ("price_asc", "price_desc"):
                queries.append({"category": c, "max_price": 1500, "sort": sort, "limit": 20})
                queries.append({"category": c.upper(), "min_price": 300, "sort": sort,
                                "limit": 5, "offset": 2})
        differ = []
        nonempty = 0
        for q in queries:
            a, b = page(sq, **q), page(pg, **q)
            nonempty += isinstance(a, tuple) and a[0] > 0
            if a != b:
                differ.append((q, a, b))
        C.check("%d lists: the same products, order and total on both backends"
                % len(queries), not differ, differ[:3])
        C.check("most of them found something", nonempty > len(queries) // 2,
                (nonempty, len(queries)))
    finally:
        sq.stop()
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    C.finish()


if __name__ == "__main__":
    main()
