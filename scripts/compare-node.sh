#!/usr/bin/env bash
# Measures our Socket.IO server (workbook testserver) and the official Node
# server (interop/node/fixture-server.mjs, socket.io from the lock file) under
# the same load from 'workbook load', one at a time, and prints one JSON
# result per line. docs/PERFORMANCE.md explains the figures.
#
#   scripts/compare-node.sh [SECONDS]          (10 by default)
#
# Environment: CLIENTS_BROADCAST (1000), SENDERS (10), CLIENTS_ECHO (100),
# CLIENTS_IDLE (1000), RECORD=1 to also run the testserver recording to a
# SQLite file (--db), the inspector's cost.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/workbook" ./cmd/workbook
(cd interop/node && [ -d node_modules/socket.io ] || npm ci --silent)

ulimit -n 65536 2>/dev/null || true

# start NAME CMD...: starts a server on port 3990 and waits for it.
start() {
	local name=$1
	shift
	"$@" >"$tmp/$name.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		if curl -s -o /dev/null "http://127.0.0.1:3990/socket.io/?EIO=4&transport=polling"; then
			return
		fi
		sleep 0.1
	done
	echo "$name did not start:" >&2
	cat "$tmp/$name.log" >&2
	exit 1
}

run() {
	local server=$1 scenario=$2 clients=$3
	shift 3
	"$tmp/workbook" load --url http://127.0.0.1:3990 --scenario "$scenario" --clients "$clients" \
		--duration "${secs}s" --server-pid "$pid" --json "$@" |
		tr -d '\n ' | sed "s/^{/{\"server\":\"$server\",/"
	echo
}

measure() {
	local server=$1
	run "$server" idle "${CLIENTS_IDLE:-1000}"
	run "$server" echo "${CLIENTS_ECHO:-100}"
	run "$server" broadcast "${CLIENTS_BROADCAST:-1000}" --senders "${SENDERS:-10}"
}

servers=(sio node)
[ "${RECORD:-}" = 1 ] && servers+=(sio-recorded)
for server in "${servers[@]}"; do
	case $server in
	sio) start sio "$tmp/workbook" testserver --addr 127.0.0.1:3990 --ping-interval 25s --ping-timeout 20s ;;
	sio-recorded) start sio-recorded "$tmp/workbook" testserver --addr 127.0.0.1:3990 --ping-interval 25s --ping-timeout 20s --db "$tmp/load.db" ;;
	node) start node node interop/node/fixture-server.mjs --port 3990 --ping-interval 25000 --ping-timeout 20000 ;;
	esac
	measure "$server"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	if [ "$server" = sio-recorded ]; then
		# What the recorder kept: its drops are logged at exit.
		grep -h "not recorded" "$tmp/$server.log" | tail -1 || echo "nothing dropped"
		"$tmp/workbook" sessions --db "$tmp/load.db" --limit 100000 --json | grep -o '"packets": *[0-9]*' |
			awk -F: '{n += $2} END {print "packets stored:", n}'
	fi
done
