#!/usr/bin/env python3
"""A loopback fake of CodePipeline ListActionExecutions and ListPipelineExecutions for
benchmarks (`histx codepipeline PIPELINE --all`).

Serves one pipeline, `bench`, of EXECUTIONS executions of ACTIONS actions each, an hour
apart, with the real API's paging rules: maxResults 1 to 100 (100 by default), newest
first, opaque tokens, filter.pipelineExecutionId (PipelineExecutionNotFoundException
for an execution it does not hold). GET /requests returns the requests per operation.

Each request is answered after DELAY_MS milliseconds (default 0): a round trip to a
region. Requests are served concurrently (one thread each), as a service would.

usage: fake_codepipeline_server.py PORT EXECUTIONS ACTIONS [DELAY_MS]
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, EXECUTIONS, ACTIONS = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
DELAY = (float(sys.argv[4]) if len(sys.argv) > 4 else 0.0) / 1000.0
START = 1714557600.0
REQUESTS = {}
COUNT_LOCK = threading.Lock()


def execution_id(i):
    return "%08x-bbbb-4bbb-8bbb-bbbbbbbbbbbb" % i


def action(i, n):
    start = START + 3600.0 * i + n
    return {
        "pipelineExecutionId": execution_id(i),
        "actionExecutionId": "%08x-%04d" % (i, n),
        "pipelineVersion": 3,
        "stageName": "Stage%d" % (n // 10),
        "actionName": "Action%d" % n,
        "startTime": start,
        "lastUpdateTime": start + 0.5,
        "status": "Succeeded",
        "input": {
            "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
            "configuration": {"ProjectName": "project-%d" % n},
            "region": "us-east-1",
            "inputArtifacts": [],
        },
        "output": {
            "outputArtifacts": [],
            "executionResult": {"externalExecutionId": "build-%d" % n, "externalExecutionSummary": "Build done"},
            "outputVariables": {},
        },
    }


# Newest first, encoded once: the fake's own time stays out of the figures.
BY_EXECUTION = {
    execution_id(i): [json.dumps(action(i, n)) for n in reversed(range(ACTIONS))]
    for i in range(EXECUTIONS)
}
ALL = [text for i in reversed(range(EXECUTIONS)) for text in BY_EXECUTION[execution_id(i)]]
SUMMARIES = [
    json.dumps({
        "pipelineExecutionId": execution_id(i),
        "status": "Succeeded",
        "startTime": START + 3600.0 * i,
        "lastUpdateTime": START + 3600.0 * i + ACTIONS,
        "trigger": {"triggerType": "StartPipelineExecution"},
    })
    for i in reversed(range(EXECUTIONS))
]


def page(records, key, request):
    size = request.get("maxResults") or 100
    if not 1 <= size <= 100:
        return 400, {"__type": "ValidationException", "message": "maxResults must be 1 to 100"}
    start = int(request["nextToken"][4:].split(":")[0]) if request.get("nextToken") else 0
    end = min(start + size, len(records))
    body = '{"%s":[%s]' % (key, ",".join(records[start:end]))
    if end < len(records):
        body += ',"nextToken":"AAAA%d:%s"' % (end, "x" * 40)
    return 200, body + "}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        with COUNT_LOCK:
            body = json.dumps(REQUESTS).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        arrived = time.monotonic()
        target = self.headers.get("X-Amz-Target", "").split(".")[-1]
        with COUNT_LOCK:
            REQUESTS[target] = REQUESTS.get(target, 0) + 1
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if target == "ListActionExecutions":
            wanted = (request.get("filter") or {}).get("pipelineExecutionId")
            if wanted is None:
                status, body = page(ALL, "actionExecutionDetails", request)
            elif wanted in BY_EXECUTION:
                status, body = page(BY_EXECUTION[wanted], "actionExecutionDetails", request)
            else:
                status, body = 400, {"__type": "PipelineExecutionNotFoundException", "message": wanted}
        elif target == "ListPipelineExecutions":
            status, body = page(SUMMARIES, "pipelineExecutionSummaries", request)
        else:
            status, body = 400, {"__type": "UnknownOperationException", "message": target}
        if not isinstance(body, str):
            body = json.dumps(body)
        body = body.encode()
        left = DELAY - (time.monotonic() - arrived)
        if left > 0:
            time.sleep(left)
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
