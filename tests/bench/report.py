#!/usr/bin/env python3
"""report.py - turns the pieces tests/bench/run.sh collected into a table and JSON.

Usage: report.py RAW_DIR OUT.json
RAW_DIR holds meta.json (run facts) and <name>.wrk (wrk output with a BENCH_JSON line).
"""
import json
import os
import sys


def main():
    raw, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(raw, "meta.json")) as f:
        meta = json.load(f)
    results = []
    for name in meta["scenarios"]:
        path = os.path.join(raw, name + ".wrk")
        fig = None
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("BENCH_JSON "):
                        fig = json.loads(line[len("BENCH_JSON "):])
        except OSError:
            pass
        entry = {"name": name, "url": meta["urls"].get(name)}
        entry.update(fig or {"error": "no figures (see %s)" % path})
        try:  # the server's CPU ticks before and after, ticks per second, load average
            with open(os.path.join(raw, name + ".cpu")) as f:
                c0, c1, hz, load = f.read().split()
            if fig and fig.get("requests"):
                entry["cpu_us_per_req"] = round((float(c1) - float(c0)) / float(hz) * 1e6
                                                / fig["requests"], 1)
            entry["load_avg"] = float(load)
        except (OSError, ValueError):
            pass
        results.append(entry)
    doc = {k: v for k, v in meta.items() if k not in ("scenarios", "urls")}
    doc["results"] = results
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")

    print()
    print("voxcart bench: %d products, wrk %s, %s" % (meta["products"], meta["wrk_args"], meta["date"]))
    print("catalog import: %.1f s (%.0f products/s); database %.1f MB"
          % (meta["import_s"], meta["products"] / max(meta["import_s"], 1e-9),
             meta["db_bytes"] / 1e6))
    print()
    hdr = "%-12s %10s %10s %10s %10s %10s %9s %11s %6s" % (
        "endpoint", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "CPU us/req",
        "load")
    print(hdr)
    print("-" * len(hdr))
    bad = 0
    for r in results:
        if "rps" not in r:
            print("%-12s %s" % (r["name"], r["error"]))
            bad += 1
            continue
        errs = r["non_2xx"] + r["socket_errors"]
        bad += errs > 0 or r["requests"] == 0
        print("%-12s %10.0f %10.2f %10.2f %10.2f %10.2f %9d %11s %6s" % (
            r["name"], r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"], errs,
            "%.1f" % r["cpu_us_per_req"] if "cpu_us_per_req" in r else "-",
            "%.1f" % r["load_avg"] if "load_avg" in r else "-"))
    if meta.get("server_exit_status") != 0:
        print("\nvoxcartd did not exit cleanly after SIGTERM: %s" % meta.get("server_exit_status"))
        bad += 1
    print()
    print("results written to %s" % out)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
