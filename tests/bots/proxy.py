"""A JSON-RPC proxy in front of Ganache that fails on demand: the next N requests get an HTTP 502
(`fail(n)`) or are held past the client's timeout (`stall(n, seconds)`), or every k-th request
does (`every(fail_every, stall_every, seconds)`). For the sender's and the bots' RPC-failure
scenarios."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


class FlakyProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream
        self.failures = 0
        self.stalls = 0
        self.stall_seconds = 0.0
        self.failed = 0
        self.requests = 0
        self.fail_every = self.stall_every = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FlakyProxy":
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, count: int) -> None:
        with self.lock:
            self.failures = count

    def stall(self, count: int, seconds: float) -> None:
        with self.lock:
            self.stalls, self.stall_seconds = count, seconds

    def every(self, fail_every: int, stall_every: int = 0, seconds: float = 0.0) -> None:
        with self.lock:
            self.fail_every, self.stall_every, self.stall_seconds = fail_every, stall_every, seconds

    def _take(self) -> str | None:
        with self.lock:
            self.requests += 1
            if self.fail_every and self.requests % self.fail_every == 0:
                self.failed += 1
                return "fail"
            if self.stall_every and self.requests % self.stall_every == 0:
                self.failed += 1
                return "stall"
            if self.failures:
                self.failures -= 1
                self.failed += 1
                return "fail"
            if self.stalls:
                self.stalls -= 1
                self.failed += 1
                return "stall"
        return None

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                mode = proxy._take()
                if mode == "stall":
                    time.sleep(proxy.stall_seconds)
                if mode == "fail":
                    self.send_response(502)
                    self.end_headers()
                    return
                answer = requests.post(proxy.upstream, data=body, headers={"Content-Type": "application/json"},
                                       timeout=60)
                self.send_response(answer.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

        return Handler
