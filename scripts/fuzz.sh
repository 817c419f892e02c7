#!/usr/bin/env bash
# Runs every fuzz target of the module for a bounded time each.
#
#   scripts/fuzz.sh            # 10s per target
#   FUZZTIME=5m scripts/fuzz.sh
#
# Targets are found by name (func FuzzXxx in a _test.go file), so a new one
# runs without editing this script. Each starts from its committed corpus
# (testdata/fuzz/FuzzXxx) and the seeds in its test; a failing input is
# written there by go test, to be committed with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-10s}"

git grep -n '^func Fuzz[A-Za-z0-9_]*(' -- '*_test.go' | while IFS=: read -r file _ decl; do
  name="${decl#func }"; name="${name%%(*}"
  pkg="./$(dirname "$file")"
  echo "-- $pkg $name ($fuzztime)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"
done
