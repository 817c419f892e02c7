#!/usr/bin/env bash
# The sweep of docs/PERFORMANCE.md: our Socket.IO server (workbook
# testserver) and the official Node server (interop/node/fixture-server.mjs,
# socket.io from the lock file) under the same load from 'workbook load',
# alternated (ours, then Node's, ROUNDS times), each run on a fresh server
# process. One JSON result per line on stdout, with "case", "server",
# "round", "load1" (the machine's load average as the run began) and
# "date"; scripts/perftable turns them into the tables of
# docs/PERFORMANCE.md:
#
#   scripts/compare-node.sh [SECONDS] | tee sweep.jsonl
#   go run ./scripts/perftable < sweep.jsonl
#
# The cases (CASES, all by default):
#   rate            open-loop broadcasts of 64 B at each of RATES per second
#                   to CLIENTS WebSocket clients
#   big             1 broadcast per second to CLIENTS_BIG clients
#   saturation      SENDERS (10) clients broadcast in a closed loop (each
#                   waits for its own to come back) to CLIENTS clients
#   echo-websocket  echo with acks, CLIENTS_ECHO clients in a closed loop
#   echo-polling    the same over HTTP long-polling
#   echo-rate       echo with acks in open loop over WebSocket: CLIENTS_ECHO
#                   clients emit ECHO_RATES events per second between them,
#                   on schedule whatever the server's pace (latency from
#                   the time each event was due; the unanswered missing)
#   idle            CLIENTS_BIG idle connections: resident memory per
#                   connection (the server's RSS with them minus before)
#   record          (also with RECORD=1) our server without and with --db
#                   in turn: open-loop broadcasts at each of RECORD_RATES
#                   per second to CLIENTS clients, both echoes, and the
#                   open-loop echo at each of RECORD_ECHO_RATES per second;
#                   what the file holds is exported and counted
#                   ("exported_in", "exported_out") beside what was sent
#                   and delivered
#
# Environment, with the defaults: SECONDS (10; or the first argument) the
# window of each run, RATES ("1 20 100 300"), CLIENTS (1000), CLIENTS_BIG
# (10000), CLIENTS_ECHO (100), ECHO_RATES ("1000 5000 10000 20000": light
# load to near, but below, where Node falls behind on 2 cores, about
# 25,000-30,000 round trips per second), ROUNDS (2), RECORD_RATES
# ("20 100"), RECORD_ECHO (1; 0 leaves the echoes out of the record case),
# RECORD_ECHO_RATES ("1000 10000"), PORT (3990) the servers' port. The load generator runs on the same machine as
# the servers; each result gives its CPU time ("load_cpu_seconds") beside
# the server's.
set -euo pipefail
# bash's SECONDS counts from the shell's start, from the environment's value
# when there is one: read it first thing.
secs=${1:-$SECONDS}
[ "$secs" -gt 0 ] 2>/dev/null || secs=10
cd "$(dirname "$0")/.."
port=${PORT:-3990}
rounds=${ROUNDS:-2}
clients=${CLIENTS:-1000}
big=${CLIENTS_BIG:-10000}
echo_clients=${CLIENTS_ECHO:-100}
cases=${CASES:-rate big saturation echo-websocket echo-polling echo-rate idle}
[ "${RECORD:-}" = 1 ] && [[ " $cases " != *" record "* ]] && cases="$cases record"

tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

go build -o "$tmp/workbook" ./cmd/workbook
(cd interop/node && [ -d node_modules/socket.io ] || npm ci --silent >&2)

# Each side of 10,000 connections needs as many descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# start NAME: starts server NAME (sio, sio-recorded or node) on $port and
# waits until it answers.
start() {
	local name=$1
	case $name in
	sio) set -- "$tmp/workbook" testserver --addr "127.0.0.1:$port" --ping-interval 25s --ping-timeout 20s ;;
	sio-recorded)
		rm -f "$tmp/rec.db" "$tmp/rec.db-wal" "$tmp/rec.db-shm"
		set -- "$tmp/workbook" testserver --addr "127.0.0.1:$port" --ping-interval 25s --ping-timeout 20s --db "$tmp/rec.db"
		;;
	node) set -- node interop/node/fixture-server.mjs --port "$port" --ping-interval 25000 --ping-timeout 20000 ;;
	esac
	"$@" >"$tmp/server.log" 2>&1 &
	pid=$!
	for _ in $(seq 300); do
		if curl -s -o /dev/null "http://127.0.0.1:$port/socket.io/?EIO=4&transport=polling"; then
			return
		fi
		sleep 0.1
	done
	echo "$name did not start:" >&2
	cat "$tmp/server.log" >&2
	exit 1
}

# stop ends the server: SIGTERM (ours flushes its recording then), and
# SIGKILL if it is still there 30 s later (Node's, far behind, may take
# long to close its connections).
stop() {
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
}

# measure CASE ROUND SERVER [EXTRA-JSON] -- LOAD-FLAGS...: one run on a
# fresh server, one line of JSON.
measure() {
	local case=$1 round=$2 server=$3 extra=${4:-}
	shift 5
	local load1 out
	load1=$(cut -d' ' -f1 /proc/loadavg)
	start "$server"
	if ! out=$("$tmp/workbook" load --url "http://127.0.0.1:$port" --duration "${secs}s" --server-pid "$pid" --json "$@" | tr -d '\n '); then
		echo "load failed: $case $server $*" >&2
		stop
		return
	fi
	stop
	if [ "$server" = sio-recorded ]; then
		# What the recorder kept, counted from the export; its drops are
		# logged at exit.
		local event in out_ dropped
		event=bcast
		[[ $case == *echo* ]] && event=echo
		in=$("$tmp/workbook" export --db "$tmp/rec.db" --dir in --event "$event" | wc -l)
		if [ "$event" = echo ]; then
			out_=$("$tmp/workbook" export --db "$tmp/rec.db" --dir out | grep -c '"sio_type":"ACK"' || true)
		else
			out_=$("$tmp/workbook" export --db "$tmp/rec.db" --dir out --event bcast | wc -l)
		fi
		dropped=$( (grep -ho 'dropped=[0-9]*' "$tmp/server.log" || true) | tail -1 | cut -d= -f2)
		extra="$extra,\"exported_in\":$in,\"exported_out\":$out_,\"dropped\":${dropped:-0}"
		# What the recorder said about them (the error of a batch it could
		# not store), for the record: the log goes with the run.
		if [ "${dropped:-0}" != 0 ]; then
			echo "compare-node: $case round $round: the recorder dropped $dropped items:" >&2
			grep -h 'dropped=' "$tmp/server.log" >&2 || true
		fi
	fi
	echo "{\"case\":\"$case\",\"server\":\"$server\",\"round\":$round,\"load1\":$load1,\"date\":\"$(date -u +%F)\"$extra,${out#\{}"
}

# pair CASE SERVERS -- LOAD-FLAGS...: the case on each server in turn,
# ROUNDS times.
pair() {
	local case=$1 servers=$2
	shift 2
	for round in $(seq "$rounds"); do
		for server in $servers; do
			measure "$case" "$round" "$server" "" "$@"
		done
	done
}

for case in $cases; do
	case $case in
	rate)
		for rate in ${RATES:-1 20 100 300}; do
			pair rate "sio node" -- --scenario broadcast --clients "$clients" --rate "$rate" --payload 64
		done
		;;
	big) pair big "sio node" -- --scenario broadcast --clients "$big" --rate 1 --payload 64 ;;
	saturation) pair saturation "sio node" -- --scenario broadcast --clients "$clients" --senders "${SENDERS:-10}" ;;
	echo-websocket) pair echo-websocket "sio node" -- --scenario echo --clients "$echo_clients" ;;
	echo-polling) pair echo-polling "sio node" -- --scenario echo --clients "$echo_clients" --transport polling ;;
	echo-rate)
		for rate in ${ECHO_RATES:-1000 5000 10000 20000}; do
			pair echo-rate "sio node" -- --scenario echo --clients "$echo_clients" --rate "$rate"
		done
		;;
	idle) pair idle "sio node" -- --scenario idle --clients "$big" ;;
	record)
		for rate in ${RECORD_RATES:-20 100}; do
			pair record-rate "sio sio-recorded" -- --scenario broadcast --clients "$clients" --rate "$rate" --payload 64
		done
		if [ "${RECORD_ECHO:-1}" != 0 ]; then
			pair record-echo-websocket "sio sio-recorded" -- --scenario echo --clients "$echo_clients"
			pair record-echo-polling "sio sio-recorded" -- --scenario echo --clients "$echo_clients" --transport polling
			for rate in ${RECORD_ECHO_RATES:-1000 10000}; do
				pair record-echo-rate "sio sio-recorded" -- --scenario echo --clients "$echo_clients" --rate "$rate"
			done
		fi
		;;
	*)
		echo "unknown case $case (rate, big, saturation, echo-websocket, echo-polling, echo-rate, idle, record)" >&2
		exit 2
		;;
	esac
done
