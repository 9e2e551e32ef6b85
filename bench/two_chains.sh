#!/usr/bin/env bash
# One chain of page tokens against two (issue 17), on the loopback fake of
# GetExecutionHistory (bench/fake_sfn_server.py) with 0 ms and 20 ms added to every
# request: histx reading the whole history (two chains), histx with a --limit above the
# history's size (one chain), the AWS CLI at its default page size and at
# --page-size 1000 (when `aws` is installed); the one-chain floor (requests x delay +
# histx's own time at 0 ms); requests of a live --summary; peak memory (RSS) of
# -o table, -o tree and -o jsonl at 25,000 events. Each figure is one run: a shared,
# noisy machine, so read them as orders of magnitude.
# usage: bench/two_chains.sh [path/to/histx]   (default: builds target/release/histx)
#        ONLY=summary bench/two_chains.sh [path/to/histx]   the --summary requests alone
#        (a count of requests, not a time: a debug build will do)
set -euo pipefail
cd "$(dirname "$0")/.."
histx=${1:-}
if [ -z "$histx" ]; then
    cargo build --release --quiet
    histx=target/release/histx
fi
arn=arn:aws:states:us-east-1:123456789012:execution:Bench:run-1
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_DEFAULT_REGION=us-east-1
has_aws=$(command -v aws >/dev/null && echo yes || echo no)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
requests() { curl -s "http://127.0.0.1:$port/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
# Wall seconds of a command (its output discarded), and the requests it sent.
timed() {
    local before after start end
    before=$(requests)
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    after=$(requests)
    printf '%.2f %d' "$(echo "$end - $start" | bc -l)" "$((after - before))"
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
start_fake() { # events delay_ms
    port=$(free_port)
    python3 bench/fake_sfn_server.py "$port" "$1" "$2" &
    server=$!
    for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/" >/dev/null 2>&1 && return; sleep 0.1; done
}

if [ "${ONLY:-}" = summary ]; then
    echo "| events | live --summary requests |"
    echo "|---:|---:|"
    for events in 1000 5000 25000; do
        start_fake "$events" 0
        read -r _ rs <<<"$(timed "$histx" sfn "$arn" --endpoint-url "http://127.0.0.1:$port" --summary)"
        echo "| $events | $rs |"
        stop
    done
    exit 0
fi

echo "| events | delay | histx two chains (s, requests) | histx one chain (s, requests) | one-chain floor (s) | aws default (s, requests) | aws --page-size 1000 (s, requests) |"
echo "|---:|---:|---|---|---:|---|---|"
declare -A own
for delay in 0 20; do
    for events in 1000 5000 25000; do
        start_fake "$events" "$delay"
        endpoint=http://127.0.0.1:$port
        read -r t2 r2 <<<"$(timed "$histx" sfn "$arn" --endpoint-url "$endpoint" -o jsonl)"
        read -r t1 r1 <<<"$(timed "$histx" sfn "$arn" --endpoint-url "$endpoint" -o jsonl --limit 1000000)"
        [ "$delay" = 0 ] && own[$events]=$t1
        floor=$(printf '%.2f' "$(echo "$r1 * $delay / 1000 + ${own[$events]}" | bc -l)")
        if [ "$has_aws" = yes ]; then
            read -r ta ra <<<"$(timed aws stepfunctions get-execution-history --execution-arn "$arn" --endpoint-url "$endpoint")"
            read -r tp rp <<<"$(timed aws stepfunctions get-execution-history --execution-arn "$arn" --endpoint-url "$endpoint" --page-size 1000)"
            aws_default="$ta, $ra"; aws_1000="$tp, $rp"
        else
            aws_default="not installed"; aws_1000="not installed"
        fi
        echo "| $events | $delay ms | $t2, $r2 | $t1, $r1 | $floor | $aws_default | $aws_1000 |"
        stop
    done
done

echo
echo "| events | live --summary requests | -o table peak RSS (MB) | -o tree peak RSS (MB) | -o jsonl peak RSS (MB) |"
echo "|---:|---:|---:|---:|---:|"
for events in 1000 25000; do
    start_fake "$events" 0
    endpoint=http://127.0.0.1:$port
    read -r _ rs <<<"$(timed "$histx" sfn "$arn" --endpoint-url "$endpoint" --summary)"
    rss=()
    for output in table tree jsonl; do
        kb=$( { /usr/bin/time -f '%M' "$histx" sfn "$arn" --endpoint-url "$endpoint" -o "$output" >/dev/null; } 2>&1 | tail -1)
        rss+=("$(printf '%.1f' "$(echo "$kb / 1024" | bc -l)")")
    done
    echo "| $events | $rs | ${rss[0]} | ${rss[1]} | ${rss[2]} |"
    stop
done
