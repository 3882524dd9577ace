#!/bin/sh
# make demo: runs voxcartd with the demo catalog on a database of its own and says
# how to connect.  Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
PORT=${VOXCART_DEMO_PORT:-8080}
DB=${VOXCART_DEMO_DB:-${XDG_DATA_HOME:-$HOME/.local/share}/voxcart/demo.db}
cat <<MSG
Starting voxcartd with the demo shop on http://127.0.0.1:$PORT (database $DB).
In another terminal:
  export VOXCART_SERVER=http://127.0.0.1:$PORT
  ./voxcart login shopper@demo.voxcart        # password: shop-demo-2026
  ./voxcart search coffee
  ./voxcart cart add "dark roast coffee beans" 2
  printf 'add two bananas\nwhat is in my cart\n' | ./voxcart chat
Press Ctrl-C here to stop the server.
MSG
exec ./voxcartd --demo --db "$DB" --port "$PORT"
