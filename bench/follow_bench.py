#!/usr/bin/env python3
"""Follow-mode benchmark: `histx sfn ARN --follow -o jsonl` of a long run that grows.

Serves, on loopback, one Step Functions execution with the real API's paging rules
(GetExecutionHistory: maxResults default 100, at most 1000, reverseOrder, opaque tokens
bound to the request) and DescribeExecution. The run has START events at the first
request, then grows by RATE events a second for GROW seconds, then ends with
ExecutionSucceeded. Each event carries a ~200-byte payload, as in fake_sfn_server.py.

It starts histx itself, reads its stdout line by line and stamps each line as it
arrives, on the same clock as the fake's: the delay of an event is the time from the
moment it appeared in the fake to the moment histx printed it. It prints requests per
poll (a poll = one DescribeExecution after the first), the history requests of the
first read, and the delay's median, 95th percentile and maximum.

usage: follow_bench.py HISTX [START [RATE [GROW [INTERVAL]]]]
       defaults: 20000 events, 50 a second, for 60 s, --interval 1s
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HISTX = sys.argv[1]
START = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
RATE = float(sys.argv[3]) if len(sys.argv) > 3 else 50.0
GROW = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
INTERVAL = sys.argv[5] if len(sys.argv) > 5 else "1s"
ARN = "arn:aws:states:us-east-1:123456789012:execution:Bench:follow-1"
TOTAL = START + int(RATE * GROW) + 1  # the last one is ExecutionSucceeded

LOCK = threading.RLock()
CLOCK = {"t0": None}
REQUESTS = []  # (time, target, reverseOrder, events returned, response bytes)


def now():
    return time.monotonic()


def elapsed():
    with LOCK:
        if CLOCK["t0"] is None:
            CLOCK["t0"] = now()
        return now() - CLOCK["t0"]


def visible():
    """How many events there are now."""
    grown = START + int(elapsed() * RATE)
    return TOTAL if grown >= TOTAL - 1 and elapsed() >= GROW else min(grown, TOTAL - 1)


def appeared_at(event_id):
    """When event `event_id` appeared, on the fake's clock (0 = the first request)."""
    if event_id <= START:
        return 0.0
    if event_id == TOTAL:
        return GROW
    return (event_id - START) / RATE


def event(i):
    base = {"timestamp": round(1700000000 + i * 0.001, 3), "id": i, "previousEventId": i - 1}
    if i == 1:
        base["type"] = "ExecutionStarted"
        base["executionStartedEventDetails"] = {
            "input": "{\"n\":0}", "inputDetails": {"truncated": False},
            "roleArn": "arn:aws:iam::123456789012:role/bench"}
    elif i == TOTAL:
        base["type"] = "ExecutionSucceeded"
        base["executionSucceededEventDetails"] = {
            "output": "{}", "outputDetails": {"truncated": False}}
    elif i % 2 == 0:
        base["type"] = "PassStateEntered"
        base["stateEnteredEventDetails"] = {
            "name": "Step%d" % (i // 2), "input": json.dumps({"n": i, "payload": "x" * 200}),
            "inputDetails": {"truncated": False}}
    else:
        base["type"] = "PassStateExited"
        base["stateExitedEventDetails"] = {
            "name": "Step%d" % (i // 2), "output": json.dumps({"n": i, "payload": "y" * 200}),
            "outputDetails": {"truncated": False}}
    return base


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, kind=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        if kind:
            self.send_header("x-amzn-errortype", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        target = self.headers.get("X-Amz-Target", "")
        if body.get("executionArn") != ARN:
            return self.reply(400, {"__type": "ExecutionDoesNotExist", "message": "no"},
                              "ExecutionDoesNotExist")
        if target.endswith("DescribeExecution"):
            done = visible() == TOTAL
            with LOCK:
                REQUESTS.append((elapsed(), "describe", None, 0, 0))
            answer = {"executionArn": ARN, "stateMachineArn": ARN.replace("execution", "stateMachine", 1),
                      "status": "SUCCEEDED" if done else "RUNNING", "startDate": 1700000000.0,
                      "redriveCount": 0, "redriveStatus": "NOT_REDRIVABLE"}
            if done:
                answer["stopDate"] = 1700000000.0 + GROW
            return self.reply(200, answer)
        if not target.endswith("GetExecutionHistory"):
            return self.reply(400, {"__type": "UnknownOperationException", "message": target},
                              "UnknownOperationException")
        size = body.get("maxResults") or 100
        if size > 1000:
            return self.reply(400, {"__type": "ValidationException", "message": "maxResults"},
                              "ValidationException")
        reverse = bool(body.get("reverseOrder"))
        token = body.get("nextToken")
        if token:
            # Opaque to the client: the snapshot the listing began with, and the offset.
            try:
                _, snapshot, offset, was_reverse = token.split("-")
                snapshot, offset = int(snapshot), int(offset)
                assert (was_reverse == "r") == reverse
            except (ValueError, AssertionError):
                return self.reply(400, {"__type": "InvalidToken", "message": "Invalid Token"},
                                  "InvalidToken")
        else:
            snapshot, offset = visible(), 0
        ids = range(snapshot - offset, max(snapshot - offset - size, 0), -1) if reverse \
            else range(offset + 1, min(offset + size, snapshot) + 1)
        events = [event(i) for i in ids]
        answer = {"events": events}
        if offset + len(events) < snapshot:
            answer["nextToken"] = "t-%d-%d-%s" % (snapshot, offset + len(events), "r" if reverse else "f")
        with LOCK:
            REQUESTS.append((elapsed(), "history", reverse, len(events), len(json.dumps(answer))))
        return self.reply(200, answer)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
               AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")
    child = subprocess.Popen(
        [HISTX, "sfn", ARN, "--endpoint-url", "http://127.0.0.1:%d" % port, "--follow",
         "-o", "jsonl", "--exit-status", "--interval", INTERVAL],
        stdout=subprocess.PIPE, env=env)
    delays, ids = [], []
    for line in child.stdout:
        arrived = elapsed()
        event_id = json.loads(line)["id"]
        ids.append(event_id)
        if event_id > START:
            delays.append(arrived - appeared_at(event_id))
    code = child.wait()
    server.shutdown()

    assert ids == list(range(1, TOTAL + 1)), "each event once, in order"
    describes = [r for r in REQUESTS if r[1] == "describe"]
    histories = [r for r in REQUESTS if r[1] == "history"]
    first_read = [r for r in histories if not r[2]]
    polls = len(describes) - 1
    poll_reads = [r for r in histories if r[2]]
    delays.sort()
    q = statistics.quantiles(delays, n=20)
    print("events: %d at the start, +%g/s for %gs, %d in all; --interval %s; exit %d"
          % (START, RATE, GROW, TOTAL, INTERVAL, code))
    print("first read: %d GetExecutionHistory requests" % len(first_read))
    print("polls: %d; per poll: %.2f requests (%.2f DescribeExecution + %.2f GetExecutionHistory);"
          " %.0f events (%.0f KB) a history request"
          % (polls, (polls + len(poll_reads)) / polls, 1.0, len(poll_reads) / polls,
             sum(r[3] for r in poll_reads) / max(len(poll_reads), 1),
             sum(r[4] for r in poll_reads) / max(len(poll_reads), 1) / 1024))
    print("delay from appearing to printed (s): median %.2f, p95 %.2f, max %.2f, min %.2f"
          % (statistics.median(delays), q[18], delays[-1], delays[0]))


if __name__ == "__main__":
    main()
