#!/bin/sh
# A throwaway PostgreSQL cluster for tests, benchmarks and `make scale-demo`:
# initdb from Debian's postgresql package into a directory of its own, its own port
# and unix-socket directory, trust authentication on 127.0.0.1 and the socket only,
# fsync off (the data is thrown away).  Run as root, the cluster belongs to an
# unprivileged user (VOXCART_PG_USER, default nobody): PostgreSQL refuses to run as
# root.
#
#   scripts/pg-cluster.sh start DIR [PORT]  initdb DIR (if new) and start it; prints
#                                           the connection URL on stdout
#   scripts/pg-cluster.sh url DIR           the URL of a started cluster
#   scripts/pg-cluster.sh stop DIR          stop it (fast shutdown)
#   scripts/pg-cluster.sh destroy DIR       stop it and remove DIR
#
# The URL is postgresql://voxcart@127.0.0.1:PORT/voxcart (superuser voxcart, database
# voxcart).  PORT defaults to a free one.
set -eu

die() { echo "pg-cluster: $*" >&2; exit 1; }

bindir() {
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
	die "initdb not found: install Debian's postgresql package (make deps)"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Runs a command as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "${VOXCART_PG_USER:-nobody}" -- "$@"
	else
		"$@"
	fi
}

[ $# -ge 2 ] || die "usage: pg-cluster.sh start|url|stop|destroy DIR [PORT]"
cmd=$1
dir=$2
BIN=$(bindir)

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" -eq 0 ]; then
		chown "${VOXCART_PG_USER:-nobody}" "$dir"
		chmod 0700 "$dir"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		port=${3:-$(free_port)}
		as_owner mkdir -p "$dir/data" "$dir/sock"
		as_owner "$BIN/initdb" -D "$dir/data" -U voxcart -A trust -E UTF8 --locale=C.UTF-8 \
			--no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
		cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
CONF
	fi
	port=$(sed -n 's/^port = //p' "$dir/data/postgresql.conf" | tail -n 1)
	if ! as_owner "$BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 start \
			>/dev/null || { tail -n 20 "$dir/data/server.log" >&2; die "the cluster did not start"; }
	fi
	if ! "$BIN/psql" -h "$dir/sock" -p "$port" -U voxcart -d voxcart -Atc 'select 1' \
		>/dev/null 2>&1; then
		"$BIN/createdb" -h "$dir/sock" -p "$port" -U voxcart voxcart
	fi
	echo "postgresql://voxcart@127.0.0.1:$port/voxcart"
	;;
url)
	port=$(sed -n 's/^port = //p' "$dir/data/postgresql.conf" | tail -n 1)
	echo "postgresql://voxcart@127.0.0.1:$port/voxcart"
	;;
stop)
	[ -f "$dir/data/PG_VERSION" ] || exit 0
	as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
destroy)
	if [ -f "$dir/data/PG_VERSION" ]; then
		as_owner "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	die "unknown command $cmd (start, url, stop, destroy)"
	;;
esac
