#!/usr/bin/env bash
# Measures histx sfn against a loopback fake: requests per history, wall time and peak
# memory (RSS) of `-o jsonl` as the history grows, start-up time of `--version`, and the
# cost and delay of following a growing run (bench/follow_bench.py).
# usage: bench/run.sh [path/to/histx]   (default: builds and uses target/release/histx)
set -euo pipefail
cd "$(dirname "$0")/.."
histx=${1:-}
if [ -z "$histx" ]; then
    cargo build --release --quiet
    histx=target/release/histx
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
arn=arn:aws:states:us-east-1:123456789012:execution:Bench:run-1
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true

echo "| events | requests | wall time (s) | peak RSS (MB) | output (MB) |"
echo "|---:|---:|---:|---:|---:|"
for events in 1000 5000 25000; do
    python3 bench/fake_sfn_server.py "$port" "$events" &
    server=$!
    trap 'kill $server 2>/dev/null' EXIT
    for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.1; done
    stats=$( { /usr/bin/time -f '%e %M' "$histx" sfn "$arn" --endpoint-url "http://127.0.0.1:$port" -o jsonl \
        | wc -c > /tmp/histx-bench-bytes; } 2>&1 )
    requests=$(curl -s "http://127.0.0.1:$port/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
    read -r wall rss_kb <<<"$stats"
    printf '| %s | %s | %s | %.1f | %.1f |\n' "$events" "$requests" "$wall" "$(echo "$rss_kb/1024" | bc -l)" \
        "$(echo "$(cat /tmp/histx-bench-bytes)/1048576" | bc -l)"
    kill "$server"; wait "$server" 2>/dev/null || true
done

echo
if command -v hyperfine >/dev/null; then
    hyperfine --warmup 10 --runs 200 --shell=none "$histx --version"
else
    start=$(date +%s%N)
    for _ in $(seq 200); do "$histx" --version >/dev/null; done
    end=$(date +%s%N)
    echo "histx --version: mean $(( (end - start) / 200 / 1000 )) µs over 200 runs"
fi

echo
# Following a 20,000-event run that grows by 50 events a second for 60 s (--interval 1s):
# requests per poll and the delay from an event appearing to histx printing it.
python3 bench/follow_bench.py "$histx" 20000 50 60 1s
