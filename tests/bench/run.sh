#!/bin/sh
# run.sh - voxcart REST benchmark (`make bench`).
#
# Generates a 100,000-product catalog (gen_catalog.py), starts voxcartd on it with
# --import-catalog (timing the import), then measures requests/s and p50/p99 latency
# with wrk for product search (varied realistic queries, bench.lua), long-tail search
# (random one- and two-word queries from the catalog's titles: no cache of whole
# answers helps), category browsing with a price cap, product fetch (random ids) and
# the categories list, then the idle latency of every filter and sort of the product
# list (browse_bench.py: p50/p99 per combination), idle search latency (search_idle.py:
# realistic and long-tail queries one at a time, p50/p99), commerce, the typed buddy, and idle
# logged-in buddy sessions on a server of their own (idle_sessions.py: RSS per session,
# /health p50/p99 while they are held).  Prints a table; writes
# tests/bench/out/results.json (with the server's CPU time per request and the load
# average of each run).  About 2.5 minutes on a 2-core machine.  Then PostgreSQL with
# 1, 2 and 3 voxcartd behind HAProxy on a catalog of the same size (scale_bench.py:
# search, product fetch, checkouts/s, typed buddy turns/s, per-process CPU, HAProxy's
# cost against one process alone; about 6 more minutes; BENCH_NO_SCALE=1 skips it,
# and it is skipped with a message without haproxy or PostgreSQL).
#
# Environment: BENCH_PRODUCTS (100000), BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNECTIONS (64), VOXCARTD (./voxcartd), BENCH_KEEP=1 keeps the temp dir,
# BENCH_DB (a new SQLite file; or an empty postgresql:// database to measure
# PostgreSQL), BENCH_OUT (tests/bench/out/results.json),
# BENCH_IDLE_SESSIONS (5000; 0 skips), BENCH_NO_VOICE=1 skips the voice figures.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
bench=$root/tests/bench
n=${BENCH_PRODUCTS:-100000}
dur=${BENCH_DURATION:-10s}
threads=${BENCH_THREADS:-2}
conns=${BENCH_CONNECTIONS:-64}
daemon=${VOXCARTD:-$root/voxcartd}
out=${BENCH_OUT:-$bench/out/results.json}

command -v wrk >/dev/null 2>&1 || { echo "bench: wrk is not installed" >&2; exit 2; }
[ -x "$daemon" ] || { echo "bench: $daemon is missing (make voxcartd)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/voxcart-bench.XXXXXX")
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		sleep 1
		kill -KILL "$pid" 2>/dev/null || true
	fi
	[ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { python3 -c 'import time; print("%.3f" % time.time())'; }
elapsed() { python3 -c "print('%.2f' % ($2 - $1))"; }
get() { python3 -c '
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    print(json.dumps(json.load(r)))' "$1"; }

echo "bench: generating $n products"
t0=$(now)
python3 "$bench/gen_catalog.py" "$n" "$tmp/cat.csv"
t1=$(now)
gen_s=$(elapsed "$t0" "$t1")
echo "bench: generated in ${gen_s}s ($(wc -c <"$tmp/cat.csv") bytes)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '[auth]\nhash_cost = min\n[server]\nrate_limit = 0\n[buddy]\nmessage_rate = 0\n' >"$tmp/bench.conf"
base=http://127.0.0.1:$port

echo "bench: importing into voxcartd (port $port)"
t0=$(now)
"$daemon" --db "${BENCH_DB:-$tmp/b.db}" --import-catalog "$tmp/cat.csv" --port "$port" \
	--config "$tmp/bench.conf" --log-level warn >"$tmp/server.log" 2>&1 &
pid=$!
ready=""
for _ in $(seq 1 3000); do
	if ! kill -0 "$pid" 2>/dev/null; then break; fi
	if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
		"$base/health" 2>/dev/null; then
		ready=1
		break
	fi
	sleep 0.1
done
t1=$(now)
if [ -z "$ready" ]; then
	echo "bench: voxcartd did not come up; its log:" >&2
	tail -n 20 "$tmp/server.log" >&2
	exit 1
fi
import_s=$(elapsed "$t0" "$t1")
grep -h "imported" "$tmp/server.log" || true
total=$(get "$base/api/v1/products?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
max_id=$(get "$base/api/v1/products?limit=1&sort=newest" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
echo "bench: import + start-up ${import_s}s; $total active products, ids up to $max_id"
if [ "$total" -lt "$n" ]; then
	echo "bench: expected $n products, the server lists $total" >&2
	exit 1
fi

# --timeout 10s: slow answers count in the latency figures instead of vanishing as
# wrk's default 2 s timeouts.
wrk_args="-t$threads -c$conns -d$dur --latency --timeout 10s"
# Waits (up to 60 s) until /health answers within 0.2 s: requests queued by the
# previous run (wrk gives up on them, the workers do not) must not slow the next one.
wait_idle() {
	python3 - "$base/health" <<'PY' || echo "bench: the server stayed busy after the last run" >&2
import sys, time, urllib.request
end = time.time() + 60
while time.time() < end:
    t = time.time()
    try:
        urllib.request.urlopen(sys.argv[1], timeout=10).read()
        if time.time() - t < 0.2:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(1)
PY
}
# The long-tail vocabulary: the titles of the catalog, one a line.
python3 -c '
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for row in csv.DictReader(f):
        out.write(row["title"] + "\n")' "$tmp/cat.csv" "$tmp/titles.txt"
# The server's CPU time (user + system, in clock ticks) so far, and the load average.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0; }
run_wrk() { # name mode url
	wait_idle
	echo "bench: $1 ($wrk_args)"
	c0=$(cpu_ticks)
	# shellcheck disable=SC2086
	wrk $wrk_args -s "$bench/bench.lua" "$3" -- "$2" "$max_id" "$tmp/titles.txt" >"$tmp/raw/$1.wrk" 2>&1 || true
	c1=$(cpu_ticks)
	# CPU per request is the steadier figure on a shared machine (req/s follows the load).
	echo "$c0 $c1 $(getconf CLK_TCK) $(cut -d' ' -f1 /proc/loadavg)" >"$tmp/raw/$1.cpu"
	grep -E "Requests/sec|Non-2xx|Socket errors" "$tmp/raw/$1.wrk" | sed 's/^/    /' || true
	kill -0 "$pid" 2>/dev/null || { echo "bench: voxcartd is gone" >&2; tail -n 20 "$tmp/server.log" >&2; }
}
mkdir -p "$tmp/raw" "$bench/out"
# A short warm-up (not counted) so the first run does not pay for cold caches.
wrk -t1 -c8 -d2s -s "$bench/bench.lua" "$base" -- product "$max_id" >/dev/null 2>&1 || true
run_wrk categories categories "$base"
run_wrk product product "$base"
run_wrk browse browse "$base"
# Search last: if it is pathologically slow, it cannot hold up the other figures.
run_wrk search search "$base"
run_wrk longtail longtail "$base"
wait_idle
echo "bench: every filter and sort of the product list, idle (browse_bench.py)"
python3 "$bench/browse_bench.py" --port "$port" --json "$bench/out/browse.json" >"$tmp/raw/browse_idle.txt" 2>&1 ||
	{ echo "bench: browse bench failed" >&2; tail -n 20 "$tmp/raw/browse_idle.txt" >&2; }
tail -n 1 "$tmp/raw/browse_idle.txt" | sed 's/^/    /'
wait_idle
echo "bench: search one request at a time, idle (search_idle.py: realistic and long-tail queries)"
python3 "$bench/search_idle.py" --port "$port" --pid "$pid" --titles "$tmp/titles.txt" \
	--json "$bench/out/search_idle.json" >"$tmp/raw/search_idle.txt" 2>&1 ||
	{ echo "bench: search idle bench failed" >&2; tail -n 20 "$tmp/raw/search_idle.txt" >&2; }
sed 's/^/    /' "$tmp/raw/search_idle.txt"

# Commerce and the typed buddy on the same server and catalog.
wait_idle
echo "bench: commerce (32 shoppers: add + checkout; cart add/show/set)"
python3 "$bench/commerce_bench.py" --port "$port" --shoppers 32 --seconds 10 \
	--json "$bench/out/commerce.json" >"$tmp/raw/commerce.txt" 2>&1 ||
	{ echo "bench: commerce bench failed" >&2; tail -n 20 "$tmp/raw/commerce.txt" >&2; }
wait_idle
echo "bench: buddy (typed turns: 1 session, ${BENCH_BUDDY_SESSIONS:-200} concurrent)"
# Idle sessions are measured below on a fresh server: here the RSS before them holds
# what the earlier runs left (a negative growth per session).
python3 "$bench/buddy_bench.py" --port "$port" --pid "$pid" --sessions "${BENCH_BUDDY_SESSIONS:-200}" \
	--idle 0 --products "$total" \
	--json "$bench/out/buddy.json" >"$tmp/raw/buddy.txt" 2>&1 ||
	{ echo "bench: buddy bench failed" >&2; tail -n 20 "$tmp/raw/buddy.txt" >&2; }
wait_idle
# Stop: SIGTERM, then up to 15 s for the workers to finish what is queued.
kill -TERM "$pid"
status=""
for _ in $(seq 1 150); do
	if ! kill -0 "$pid" 2>/dev/null; then
		status=0
		wait "$pid" || status=$?
		break
	fi
	sleep 0.1
done
if [ -z "$status" ]; then
	echo "bench: voxcartd still busy 15 s after SIGTERM; killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	status='"hung"'
fi
pid=""
[ "$status" = 0 ] || echo "bench: voxcartd exit status after SIGTERM: $status" >&2

python3 - "$tmp/raw/meta.json" <<PY
import json, os, platform, sys, time
meta = {
    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "products": $total, "generate_s": $gen_s, "import_s": $import_s,
    "db_bytes": os.path.getsize("$tmp/b.db") + (os.path.getsize("$tmp/b.db-wal") if os.path.exists("$tmp/b.db-wal") else 0),
    "wrk_args": "$wrk_args", "cpus": os.cpu_count(), "machine": platform.machine(),
    "server_exit_status": $status,
    "scenarios": ["search", "longtail", "browse", "product", "categories"],
    "urls": {"search": "$base/api/v1/products?q=<one of 70 queries>[&category|max_price|sort|offset]",
             "longtail": "$base/api/v1/products?q=<one or two random words of a random title>&limit=20",
             "browse": "$base/api/v1/products?category=<c>&max_price=<p>&limit=20[&sort=<s>]",
             "product": "$base/api/v1/products/<random 1..$max_id>",
             "categories": "$base/api/v1/categories"},
}
json.dump(meta, open(sys.argv[1], "w"))
PY
idle_n=${BENCH_IDLE_SESSIONS:-5000}
rm -f "$bench/out/idle.json"
if [ "$idle_n" -gt 0 ]; then
	echo "bench: $idle_n idle logged-in buddy sessions on a fresh server (idle_sessions.py)"
	VOXCARTD=$daemon python3 "$bench/idle_sessions.py" "$idle_n" --json "$bench/out/idle.json" \
		>"$tmp/raw/idle.txt" 2>&1 || { echo "bench: idle sessions failed" >&2; tail -n 20 "$tmp/raw/idle.txt" >&2; }
	grep '^idle_sessions:' "$tmp/raw/idle.txt" | sed 's/^/    /'
fi
python3 "$bench/report.py" "$tmp/raw" "$out"
for f in browse search_idle commerce buddy idle; do
	[ -f "$bench/out/$f.json" ] && { echo; echo "$f ($bench/out/$f.json):"; cat "$bench/out/$f.json"; echo; }
done
if [ -z "${BENCH_NO_SCALE:-}" ]; then
	echo
	echo "bench: PostgreSQL, 1/2/3 voxcartd behind HAProxy (scale_bench.py)"
	VOXCARTD=$daemon python3 "$bench/scale_bench.py" --products "$n" --duration "$dur" \
		--threads "$threads" --connections "$conns" --json "$bench/out/scale.json" \
		>"$tmp/raw/scale.txt" 2>&1 || echo "bench: scale bench failed or skipped" >&2
	grep -E '^(scale_bench:|    [a-z])' "$tmp/raw/scale.txt" | sed 's/^/    /' || true
fi
if [ -f "$bench/voice_bench.py" ] && [ -z "${BENCH_NO_VOICE:-}" ]; then
	echo
	echo "bench: voice"
	python3 "$bench/voice_bench.py" || echo "bench: voice bench failed" >&2
fi
