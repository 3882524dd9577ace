#!/bin/sh
# make scale-demo: one shop on several processes, on this machine.  Starts a throwaway
# PostgreSQL cluster (scripts/pg-cluster.sh), three voxcartd sharing its database
# (the first loads the demo catalog) and HAProxy in front of them
# (dist/haproxy/voxcart.cfg with these ports), prints the URL to point clients at,
# and stops everything (the cluster removed) on Ctrl-C.
#
#   VOXCART_SCALE_PORT=8080  the balancer's port     VOXCART_SCALE_N=3  processes
#   VOXCART_SCALE_RUN_SECONDS=N  stop by itself after N seconds (for tests)
set -eu
cd "$(dirname "$0")/.."
PORT=${VOXCART_SCALE_PORT:-8080}
N=${VOXCART_SCALE_N:-3}
command -v haproxy >/dev/null 2>&1 || { echo "scale-demo: haproxy is missing (make deps)" >&2; exit 1; }
[ -x ./voxcartd ] || { echo "scale-demo: ./voxcartd is missing (make voxcartd)" >&2; exit 1; }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
dir=$(mktemp -d "${TMPDIR:-/tmp}/voxcart-scale-XXXXXX")
chmod 0755 "$dir" # the cluster may belong to another user (pg-cluster.sh, as root)
pids=""
cleanup() {
	trap - EXIT INT TERM
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	scripts/pg-cluster.sh destroy "$dir/pg" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "scale-demo: starting a PostgreSQL cluster in $dir/pg ..."
url=$(scripts/pg-cluster.sh start "$dir/pg")
printf '[server]\ndatabase = %s\ntrusted_proxies = 127.0.0.1\n' "$url" > "$dir/voxcart.conf"

wait_health() { # port seconds
	i=0
	while [ "$i" -lt "$(($2 * 10))" ]; do
		if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$1/health', timeout=1)" 2>/dev/null; then
			return 0
		fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

servers=""
k=1
while [ "$k" -le "$N" ]; do
	p=$(free_port)
	demo=""
	[ "$k" -eq 1 ] && demo="--demo"
	./voxcartd --config "$dir/voxcart.conf" --port "$p" $demo >"$dir/voxcartd$k.log" 2>&1 &
	pids="$pids $!"
	wait_health "$p" 60 || { echo "scale-demo: voxcartd $k did not start:" >&2; tail -5 "$dir/voxcartd$k.log" >&2; exit 1; }
	servers="$servers    server voxcartd$k 127.0.0.1:$p\n"
	echo "scale-demo: voxcartd $k on port $p (log $dir/voxcartd$k.log)"
	k=$((k + 1))
done

sed -e "s/bind 127.0.0.1:8080/bind 127.0.0.1:$PORT/" -e '/^    server voxcartd[0-9]* /d' \
	dist/haproxy/voxcart.cfg > "$dir/haproxy.cfg"
printf "$servers" >> "$dir/haproxy.cfg"
haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
pids="$pids $!"
wait_health "$PORT" 15 || { echo "scale-demo: haproxy did not start on port $PORT:" >&2; tail -5 "$dir/haproxy.log" >&2; exit 1; }

cat <<MSG

The shop runs on $N voxcartd behind HAProxy: http://127.0.0.1:$PORT
(PostgreSQL: $url)
  export VOXCART_SERVER=http://127.0.0.1:$PORT
  ./voxcart login shopper@demo.voxcart         # password: shop-demo-2026
  ./voxcart search coffee
Press Ctrl-C to stop everything (the cluster is removed).
MSG
if [ -n "${VOXCART_SCALE_RUN_SECONDS:-}" ]; then
	sleep "$VOXCART_SCALE_RUN_SECONDS"
else
	while :; do sleep 3600; done
fi
