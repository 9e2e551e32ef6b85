#!/usr/bin/env bash
# `histx codepipeline PIPELINE --all`: one ListActionExecutions chain over the pipeline
# against execution by execution (8 at once), on the loopback fake
# bench/fake_codepipeline_server.py with 20 ms (and 0 ms) added to every request, for a
# few shapes of pipeline (executions x actions each). Prints, for each, the requests and
# wall time of each plan forced (HISTX_CODEPIPELINE_ALL_PLAN=chain|executions) and of the
# rule's choice (auto). Each figure is the best of 3 runs on a shared, noisy machine.
# usage: bench/codepipeline_all.sh [path/to/histx]   (default: target/debug/histx, built)
set -euo pipefail
cd "$(dirname "$0")/.."
histx=${1:-}
if [ -z "$histx" ]; then
    cargo build --quiet
    histx=target/debug/histx
fi
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export HOME=$(mktemp -d)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Requests so far, every operation.
requests() {
    curl -s "http://127.0.0.1:$port/" | python3 -c 'import json,sys; print(sum(json.load(sys.stdin).values()))'
}
server=
stop() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    server=
}
trap stop EXIT
start_fake() { # executions actions delay_ms
    port=$(free_port)
    python3 bench/fake_codepipeline_server.py "$port" "$1" "$2" "$3" &
    server=$!
    for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/" >/dev/null 2>&1 && return; sleep 0.1; done
}
# "seconds requests" of the best of 3 runs with this plan.
measure() { # plan
    local best= before after start end t n
    for _ in 1 2 3; do
        read -r before <<<"$(requests)"
        start=$(date +%s.%N)
        HISTX_CODEPIPELINE_ALL_PLAN=$1 "$histx" codepipeline bench --all --endpoint-url "http://127.0.0.1:$port" -o jsonl >/dev/null
        end=$(date +%s.%N)
        read -r after <<<"$(requests)"
        t=$(echo "$end - $start" | bc -l)
        n=$((after - before))
        if [ -z "$best" ] || (( $(echo "$t < $best" | bc -l) )); then best=$t; fi
    done
    printf '%.2f s, %d' "$best" "$n"
}

echo "| executions × actions | delay | one chain (s, requests) | by execution (s, requests) | auto (s, requests) | auto picks |"
echo "|---|---:|---|---|---|---|"
for delay in 20 0; do
    for shape in "50 5" "50 40" "300 5" "300 40" "20 150"; do
        read -r executions actions <<<"$shape"
        start_fake "$executions" "$actions" "$delay"
        chain=$(measure chain)
        each=$(measure executions)
        auto=$(measure auto)
        stop
        # What auto sent tells its plan: the chain's requests, one more (a listing page,
        # asked when the first page was dense), or the executions plan's and one more.
        a=$(echo "$auto" | cut -d' ' -f3) c=$(echo "$chain" | cut -d' ' -f3)
        picks="by execution"
        [ "$a" -eq "$c" ] && picks="chain"
        [ "$a" -eq "$((c + 1))" ] && picks="chain (after a listing page)"
        echo "| $executions × $actions | $delay ms | $chain | $each | $auto | $picks |"
    done
done
