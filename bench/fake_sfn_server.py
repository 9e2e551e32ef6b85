#!/usr/bin/env python3
"""A loopback fake of Step Functions GetExecutionHistory for benchmarks.

Serves one execution of N synthetic events (Pass states with small JSON payloads),
generated page by page, with the real API's paging rules: maxResults default 100,
at most 1000, opaque tokens. Counts requests; GET /requests returns the count.

usage: fake_sfn_server.py PORT EVENTS
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, TOTAL = int(sys.argv[1]), int(sys.argv[2])
REQUESTS = 0


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
        REQUESTS += 1
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        size = request.get("maxResults") or 100
        start = int(request["nextToken"][4:]) if request.get("nextToken") else 0
        end = min(start + min(size, 1000), TOTAL)
        ids = range(TOTAL - start, TOTAL - end, -1) if request.get("reverseOrder") else range(start + 1, end + 1)
        page = {"events": [event(i) for i in ids]}
        if end < TOTAL:
            page["nextToken"] = "AAAA%d" % end
        body = json.dumps(page).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
