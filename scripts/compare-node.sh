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
# SQLite file (--db), the inspector's cost: the three scenarios, then
# open-loop broadcasts at each of RATES ("20 100") per second to
# CLIENTS_BROADCAST clients, without and with --db in turn, twice, each
# with the broadcasts the file holds ("exported": every "bcast" line of
# 'workbook export', the sender's own included) and what the recorder
# logged as dropped. RATES_ONLY=1 (with RECORD=1) runs only those.
# PORT (3990) is the servers' port.
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
		if curl -s -o /dev/null "http://127.0.0.1:${PORT:-3990}/socket.io/?EIO=4&transport=polling"; then
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
	"$tmp/workbook" load --url http://127.0.0.1:${PORT:-3990} --scenario "$scenario" --clients "$clients" \
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
[ "${RATES_ONLY:-}" = 1 ] && servers=()
for server in "${servers[@]}"; do
	case $server in
	sio) start sio "$tmp/workbook" testserver --addr 127.0.0.1:${PORT:-3990} --ping-interval 25s --ping-timeout 20s ;;
	sio-recorded) start sio-recorded "$tmp/workbook" testserver --addr 127.0.0.1:${PORT:-3990} --ping-interval 25s --ping-timeout 20s --db "$tmp/load.db" ;;
	node) start node node interop/node/fixture-server.mjs --port ${PORT:-3990} --ping-interval 25000 --ping-timeout 20000 ;;
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

if [ "${RECORD:-}" = 1 ]; then
	for rate in ${RATES:-20 100}; do
		for round in 1 2; do
			for server in sio sio-recorded; do
				rm -f "$tmp/rate.db" "$tmp/rate.db-wal" "$tmp/rate.db-shm"
				args=(testserver --addr 127.0.0.1:${PORT:-3990} --ping-interval 25s --ping-timeout 20s)
				[ "$server" = sio-recorded ] && args+=(--db "$tmp/rate.db")
				start "$server" "$tmp/workbook" "${args[@]}"
				out=$(run "$server" broadcast "${CLIENTS_BROADCAST:-1000}" --rate "$rate" --payload 64)
				kill "$pid"
				wait "$pid" 2>/dev/null || true
				extra="\"rate\":$rate,\"round\":$round"
				if [ "$server" = sio-recorded ]; then
					exported=$("$tmp/workbook" export --db "$tmp/rate.db" --event bcast | wc -l)
					dropped=$( (grep -ho 'dropped=[0-9]*' "$tmp/$server.log" || true) | tail -1 | cut -d= -f2)
					extra="$extra,\"exported\":$exported,\"dropped\":${dropped:-0}"
				fi
				echo "${out%\}},$extra}"
			done
		done
	done
fi
