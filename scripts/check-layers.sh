#!/bin/sh
# Dependencies point downwards: the clients (cli/, tui/) and libvoxcart (shared/)
# include nothing of the server.  The Makefile already leaves server/ off their include
# paths; this also catches a header reached by a relative path ("../server/http.h")
# or named with its folder ("server/http.h").  Prints each offending line; exit 1.
cd "$(dirname "$0")/.." || exit 2
bad=$(grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*/)?(\.\.|server)/' \
	cli/*.[ch] tui/*.[ch] shared/*.[ch] shared/*/*.[ch] 2>/dev/null)
if [ -n "$bad" ]; then
	echo "check-layers: clients and libvoxcart must not include server headers:" >&2
	echo "$bad" >&2
	exit 1
fi
exit 0
