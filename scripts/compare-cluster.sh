#!/usr/bin/env bash
# Measures two of our nodes (workbook testserver --redis) and two official
# Node nodes (interop/node/cluster-node.mjs: socket.io with
# @socket.io/redis-adapter) each on a Redis of their own, under the same
# broadcast load from 'workbook load', one cluster at a time, alternating,
# and prints one JSON result per run. docs/PERFORMANCE.md ("Several nodes")
# explains the figures.
#
#   scripts/compare-cluster.sh [SECONDS]          (10 by default)
#
# The load tool talks to one node, so each run starts two load processes at
# once, one per node, each with CLIENTS/2 clients of which SENDERS emit
# "bcast" in a closed loop; every broadcast reaches the clients of both
# nodes through Redis. A run's deliveries are the two processes' summed,
# its CPU the two nodes' summed (from /proc, as --server-pid reads it), and
# deliveries_per_cpu_second their ratio. Redis's own CPU is not counted: it
# is the same program for both clusters.
#
# Environment: CLIENTS (1000), SENDERS (5 per node), ROUNDS (2), PAYLOAD
# (32), PORT (42240: Redis; the nodes take PORT+1 and PORT+2).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
clients=${CLIENTS:-1000}
senders=${SENDERS:-5}
rounds=${ROUNDS:-2}
port=${PORT:-42240}
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

command -v redis-server >/dev/null || { echo "compare-cluster: redis-server is required (Debian package redis-server)" >&2; exit 1; }
command -v jq >/dev/null || { echo "compare-cluster: jq is required" >&2; exit 1; }
go build -o "$tmp/workbook" ./cmd/workbook
(cd interop/node && [ -d node_modules/@socket.io/redis-adapter ] || npm ci --silent)
ulimit -n 65536 2>/dev/null || true

# waitfor NAME URL: waits until the node at URL answers a handshake.
waitfor() {
	for _ in $(seq 200); do
		if curl -s -o /dev/null "$2/socket.io/?EIO=4&transport=polling"; then
			return
		fi
		sleep 0.1
	done
	echo "compare-cluster: $1 did not start:" >&2
	cat "$tmp/$1.log" >&2
	exit 1
}

# cluster KIND: starts Redis and two nodes of KIND (sio or node); sets
# node1 and node2 to their pids.
cluster() {
	redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >"$tmp/redis.log" 2>&1 &
	redis=$!
	pids+=("$redis")
	for _ in $(seq 100); do
		redis-cli -p "$port" ping >/dev/null 2>&1 && break
		sleep 0.1
	done
	local i
	for i in 1 2; do
		case $1 in
		sio) "$tmp/workbook" testserver --addr "127.0.0.1:$((port + i))" --redis "redis://127.0.0.1:$port" \
			--ping-interval 25s --ping-timeout 20s >"$tmp/$1$i.log" 2>&1 & ;;
		node) node interop/node/cluster-node.mjs --port "$((port + i))" --redis "redis://127.0.0.1:$port" \
			--ping-interval 25000 --ping-timeout 20000 >"$tmp/$1$i.log" 2>&1 & ;;
		esac
		eval "node$i=$!"
		pids+=("$!")
		waitfor "$1$i" "http://127.0.0.1:$((port + i))"
	done
}

stop() {
	kill "$node1" "$node2" "$redis" 2>/dev/null || true
	wait "$node1" "$node2" "$redis" 2>/dev/null || true
	pids=()
}

# load N PID: one load process against node N.
load() {
	"$tmp/workbook" load --url "http://127.0.0.1:$((port + $1))" --scenario broadcast --clients $((clients / 2)) \
		--senders "$senders" --payload "${PAYLOAD:-32}" --duration "${secs}s" --server-pid "$2" --json >"$tmp/load$1.json"
}

for round in $(seq "$rounds"); do
	for kind in sio node; do
		loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
		cluster "$kind"
		load 1 "$node1" &
		l1=$!
		load 2 "$node2" &
		l2=$!
		wait "$l1" "$l2"
		stop
		jq -c -s --arg kind "$kind" --argjson round "$round" --arg load "$loadavg" '{
			cluster: $kind, round: $round, loadavg: $load,
			clients: (map(.clients) | add), senders: (map(.senders) | add), seconds: (map(.seconds) | max),
			broadcasts: (map(.ops) | add), deliveries: (map(.deliveries) | add),
			cpu_seconds: (map(.server_cpu_seconds) | add),
			deliveries_per_cpu_second: ((map(.deliveries) | add) / (map(.server_cpu_seconds) | add) | floor),
			p50_ms: (map(.p50_ms) | max), p99_ms: (map(.p99_ms) | max),
			connections_lost: (map(.connections_lost) | add),
			per_node: map({deliveries, cpu: .server_cpu_seconds})
		}' "$tmp/load1.json" "$tmp/load2.json"
	done
done
