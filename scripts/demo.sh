#!/bin/sh
# make demo: starts voxcartd with the demo shop on a database of its own and opens
# voxcart-tui logged in as the demo shopper; the server stops when the TUI exits.
# Without a terminal (or with VOXCART_DEMO_SERVER_ONLY=1) it runs just the server
# and says how to connect.
set -eu
cd "$(dirname "$0")/.."
PORT=${VOXCART_DEMO_PORT:-8080}
DB=${VOXCART_DEMO_DB:-${XDG_DATA_HOME:-$HOME/.local/share}/voxcart/demo.db}
URL=http://127.0.0.1:$PORT

if [ ! -t 0 ] || [ ! -t 1 ] || [ -n "${VOXCART_DEMO_SERVER_ONLY:-}" ]; then
	cat <<MSG
Starting voxcartd with the demo shop on $URL (database $DB).
In another terminal:
  export VOXCART_SERVER=$URL
  ./voxcart-tui --login shopper@demo.voxcart   # with VOXCART_PASSWORD=shop-demo-2026
  ./voxcart login shopper@demo.voxcart         # password: shop-demo-2026
  ./voxcart search coffee
  printf 'add two bananas\\nwhat is in my cart\\n' | ./voxcart chat
Press Ctrl-C here to stop the server.
MSG
	exec ./voxcartd --demo --db "$DB" --port "$PORT"
fi

mkdir -p "$(dirname "$DB")"
log=$(dirname "$DB")/demo-server.log
port_hint="Another program is using port $PORT: stop it, or choose another port, e.g.
  VOXCART_DEMO_PORT=8090 make demo"
# Something already answering on the port would be a foreign server: the demo must
# never open the TUI on someone else's shop.
if curl -sf --max-time 2 "$URL/health" >/dev/null 2>&1; then
	echo "make demo: a server is already answering on $URL; not starting the demo there." >&2
	echo "$port_hint" >&2
	exit 1
fi
./voxcartd --demo --db "$DB" --port "$PORT" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT INT TERM
# Ready when our own voxcartd says it listens (it prints that only once its socket
# is bound) and still runs; /health alone could be answered by another server.
tries=0
until grep -q "listening on http://" "$log" 2>/dev/null && kill -0 "$server" 2>/dev/null; do
	tries=$((tries + 1))
	if [ "$tries" -gt 300 ] || ! kill -0 "$server" 2>/dev/null; then
		if grep -q "cannot listen" "$log" 2>/dev/null; then
			grep -m1 "cannot listen" "$log" >&2
			echo "$port_hint" >&2
		else
			echo "make demo: voxcartd did not start; its log ($log):" >&2
			tail -20 "$log" >&2
		fi
		exit 1
	fi
	sleep 0.1
done
if ! curl -sf --max-time 5 "$URL/health" >/dev/null 2>&1 || ! kill -0 "$server" 2>/dev/null; then
	echo "make demo: voxcartd started but $URL/health does not answer; its log ($log):" >&2
	tail -20 "$log" >&2
	exit 1
fi
echo "voxcartd is serving the demo shop on $URL (log: $log); opening voxcart-tui..."
VOXCART_PASSWORD=shop-demo-2026 ./voxcart-tui --server "$URL" --login shopper@demo.voxcart || true
echo "voxcart-tui closed; stopping voxcartd."
