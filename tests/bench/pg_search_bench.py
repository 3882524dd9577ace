#!/usr/bin/env python3
"""pg_search_bench.py - product search at the database: SQLite FTS5 against PostgreSQL.

Usage: pg_search_bench.py [N] [--queries Q] [--seconds S]

Generates N products (gen_catalog.py; default 100,000), loads them into an SQLite
database with voxcart's FTS5 table (porter unicode61, rank bm25(10, 1, 4, 5)) and
into a throwaway PostgreSQL cluster (scripts/pg-cluster.sh) with the PostgreSQL
backend's schema (server/store/postgres/pg_schema.c: stored tsvector, GIN index),
then runs the same Q queries (one or two words drawn from the titles, each a prefix,
all required) one at a time on each: the first 20 by rank plus the total, as the
search endpoint asks.  SQLite is timed in this process (sqlite3 module); PostgreSQL
with pgbench (one client over TCP, so a round trip is included) for S seconds.
Prints median and p99 per backend.  This is the database alone: voxcartd on SQLite
answers search from its in-memory index; on PostgreSQL every search is this query
(store_products_search), measured end to end by `BENCH_DB=postgresql://...
tests/bench/run.sh`.
"""
import argparse
import csv
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def words(text):
    return re.findall(r"[A-Za-z0-9\x80-\U0010ffff]+", text)


def pg_query_text(q):
    return " & ".join(w.lower() + ":*" for w in words(q))


def fts_query_text(q):
    return " ".join('"%s"*' % w for w in words(q))


def pg_schema_sql():
    """The statements of pg_schema.c, taken from its C string literals."""
    with open(os.path.join(ROOT, "server", "store", "postgres", "pg_schema.c")) as f:
        src = f.read()
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    src = re.sub(r"(?m)^#include.*$", "", src)
    lits = re.findall(r'"((?:[^"\\]|\\.)*)"', src)
    return "".join(l.replace('\\"', '"') for l in lits)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=100000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seconds", type=int, default=15)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="voxcart-pgbench-")
    cluster = tempfile.mkdtemp(prefix="voxcart-pgbench-pg-")  # nobody must reach it
    try:
        csv_path = os.path.join(tmp, "catalog.csv")
        subprocess.check_call([sys.executable, os.path.join(ROOT, "tests", "bench", "gen_catalog.py"),
                               str(a.n), csv_path])
        with open(csv_path, newline="") as f:
            rows = list(csv.DictReader(f))
        rng = random.Random(7)
        titles = [r["title"] for r in rows]
        queries = []
        while len(queries) < a.queries:
            ws = [w for w in words(rng.choice(titles)) if len(w) > 2]
            if ws:
                queries.append(" ".join(rng.sample(ws, min(len(ws), rng.choice((1, 2))))))

        # SQLite FTS5, as voxcart's schema has it.
        db = sqlite3.connect(os.path.join(tmp, "s.db"))
        db.execute("CREATE VIRTUAL TABLE products_fts USING fts5(title, description, category,"
                   " tags_text, tokenize = 'porter unicode61 remove_diacritics 2')")
        db.execute("INSERT INTO products_fts (products_fts, rank) VALUES ('rank',"
                   " 'bm25(10.0, 1.0, 4.0, 5.0)')")
        db.executemany("INSERT INTO products_fts (rowid, title, description, category, tags_text)"
                       " VALUES (?,?,?,?,?)",
                       [(i + 1, r["title"], r["description"], r["category"],
                         r["tags"].replace(";", " ")) for i, r in enumerate(rows)])
        db.commit()
        lat = []
        deadline = time.time() + a.seconds
        i = 0
        while time.time() < deadline:
            q = fts_query_text(queries[i % len(queries)])
            t0 = time.perf_counter()
            db.execute("SELECT rowid FROM products_fts WHERE products_fts MATCH ? ORDER BY rank"
                       " LIMIT 20", (q,)).fetchall()
            db.execute("SELECT count(*) FROM products_fts WHERE products_fts MATCH ?",
                       (q,)).fetchone()
            lat.append((time.perf_counter() - t0) * 1000)
            i += 1
        sq = (statistics.median(lat), pct(lat, 99), len(lat))

        # PostgreSQL, the backend's schema.
        url = subprocess.check_output([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start",
                                       cluster], text=True).strip()
        psql = ["psql", "-q", "-v", "ON_ERROR_STOP=1", url]
        subprocess.run(psql, input=pg_schema_sql(), text=True, check=True)
        load = os.path.join(tmp, "load.csv")
        with open(load, "w", newline="") as f:
            w = csv.writer(f)
            for i, r in enumerate(rows):
                tags = "[" + ",".join('"%s"' % t for t in r["tags"].split(";") if t) + "]"
                w.writerow([i + 1, 1, r["title"], r["description"],
                            int(round(float(r["price"]) * 100)), r["stock"], r["category"],
                            tags, 0, 0])
        qfile = os.path.join(tmp, "queries.csv")
        with open(qfile, "w", newline="") as f:
            w = csv.writer(f)
            for i, q in enumerate(queries):
                w.writerow([i + 1, pg_query_text(q)])
        subprocess.run(psql, check=True, text=True, input=(
            "INSERT INTO users (id, email, password_hash, name, role, created_at)"
            " VALUES (1, 's@x', 'x', 'S', 'seller', 0);\n"
            "\\copy products (id, seller_id, title, description, price_cents, stock, category,"
            " tags, created_at, updated_at) FROM '%s' CSV\n"
            "CREATE TABLE bench_queries (id int PRIMARY KEY, q text);\n"
            "\\copy bench_queries FROM '%s' CSV\n"
            "VACUUM ANALYZE;\n" % (load, qfile)))
        script = os.path.join(tmp, "search.sql")
        with open(script, "w") as f:
            f.write("\\set i random(1, %d)\n" % len(queries))
            f.write("SELECT id, ts_rank_cd('{0.1, 0.4, 0.5, 1.0}', search, q, 1) AS rank,"
                    " count(*) OVER () FROM products, (SELECT to_tsquery('voxcart', q) AS q"
                    " FROM bench_queries WHERE id = :i) s WHERE status = 'active' AND"
                    " search @@ q ORDER BY rank DESC, id LIMIT 20;\n")
        logdir = os.path.join(tmp, "log")
        os.mkdir(logdir)
        subprocess.run(["pgbench", "-n", "-c", "1", "-T", str(a.seconds), "-f", script,
                        "--log", "--log-prefix", os.path.join(logdir, "l"), url],
                       check=True, stdout=subprocess.DEVNULL)
        pl = []
        for name in os.listdir(logdir):
            with open(os.path.join(logdir, name)) as f:
                pl += [int(line.split()[2]) / 1000.0 for line in f if line.strip()]
        pg = (statistics.median(pl), pct(pl, 99), len(pl))
        print("search of %d products, %d distinct queries, one at a time:" % (a.n, len(queries)))
        print("  %-28s median %7.3f ms   p99 %7.3f ms   (%d queries)" % (("SQLite FTS5 (bm25)",) + sq))
        print("  %-28s median %7.3f ms   p99 %7.3f ms   (%d queries)" %
              (("PostgreSQL tsvector+GIN",) + pg))
    finally:
        subprocess.call([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "destroy", cluster],
                        stderr=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
