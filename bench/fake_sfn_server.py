#!/usr/bin/env python3
"""A loopback fake of Step Functions GetExecutionHistory for benchmarks.

Serves one execution of N synthetic events (Pass states with small JSON payloads),
generated page by page, with the real API's paging rules: maxResults default 100,
at most 1000, opaque tokens. The execution is still running (its history has no end):
DescribeExecution says RUNNING since the first event's time, and
DescribeStateMachineForExecution gives a definition of Pass states (what a live
--summary asks). Counts requests of every kind; GET /requests returns the count.

Each request is answered after DELAY_MS milliseconds (default 0): a round trip to a
region. Requests are served concurrently (one thread each), as a service would.

usage: fake_sfn_server.py PORT EVENTS [DELAY_MS]
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, TOTAL = int(sys.argv[1]), int(sys.argv[2])
DELAY = (float(sys.argv[3]) if len(sys.argv) > 3 else 0.0) / 1000.0
REQUESTS = 0
COUNT_LOCK = threading.Lock()


def event(i):
    base = {"timestamp": round(1700000000 + i * 0.001, 3), "id": i, "previousEventId": i - 1}
    if i == 1:
        base["type"] = "ExecutionStarted"
        base["executionStartedEventDetails"] = {
            "input": "{\"n\":0}", "inputDetails": {"truncated": False},
            "roleArn": "arn:aws:iam::123456789012:role/bench"}
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


ENCODED = {}


def encoded(i):
    """An event's JSON, made once: the fake's own time stays out of the figures."""
    text = ENCODED.get(i)
    if text is None:
        text = ENCODED[i] = json.dumps(event(i))
    return text


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"requests": REQUESTS}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        global REQUESTS
        with COUNT_LOCK:
            REQUESTS += 1
        arrived = time.monotonic()
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        target = self.headers.get("X-Amz-Target", "")
        if target.endswith(".DescribeExecution"):
            return self.answer(arrived, json.dumps({
                "executionArn": request["executionArn"], "name": "run-1", "status": "RUNNING",
                "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Bench",
                "startDate": event(1)["timestamp"], "redriveCount": 0}).encode())
        if target.endswith(".DescribeStateMachineForExecution"):
            return self.answer(arrived, json.dumps({
                "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Bench",
                "name": "Bench", "roleArn": "arn:aws:iam::123456789012:role/bench",
                "updateDate": 1700000000,
                "definition": json.dumps({"StartAt": "Step1", "States": {
                    "Step1": {"Type": "Pass", "End": True}}})}).encode())
        size = request.get("maxResults") or 100
        start = int(request["nextToken"][4:]) if request.get("nextToken") else 0
        end = min(start + min(size, 1000), TOTAL)
        ids = range(TOTAL - start, TOTAL - end, -1) if request.get("reverseOrder") else range(start + 1, end + 1)
        body = '{"events":[' + ",".join(encoded(i) for i in ids) + "]"
        if end < TOTAL:
            body += ',"nextToken":"AAAA%d"' % end
        self.answer(arrived, (body + "}").encode())

    def answer(self, arrived, body):
        left = DELAY - (time.monotonic() - arrived)
        if left > 0:
            time.sleep(left)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


for i in range(1, TOTAL + 1):
    encoded(i)
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
