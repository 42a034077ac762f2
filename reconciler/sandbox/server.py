"""Serving the sandbox: over real HTTP (`serve`, `start_in_thread`) and in-process
as an httpx transport (`SandboxTransport`) for fast unit tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from reconciler.sandbox.app import Request, Response, Sandbox


class _Handler(BaseHTTPRequestHandler):
    server: _SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request.build(self.command, self.path, self.headers.items(), body)
        req.remote_addr = self.client_address[0]
        sandbox = self.server.sandbox
        fault = sandbox.faults.before(req)
        if fault == "drop":
            sandbox.request_log.record(req, Response(0), 0.0, "drop")
            self.close_connection = True
            return
        if isinstance(fault, Response):
            sandbox.request_log.record(req, fault, 0.0, "injected")
            response = fault
        else:
            response = sandbox.handle(req)
        if sandbox.faults.after(req, response) == "drop":
            self.close_connection = True  # the write happened; the answer is lost
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet; the request log keeps it
        return


class _SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        super().__init__(address, _Handler)


@dataclass
class RunningSandbox:
    sandbox: Sandbox
    url: str
    _server: _SandboxHTTPServer
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def make_server(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 8065) -> _SandboxHTTPServer:
    return _SandboxHTTPServer((host, port), sandbox)


#: How often a background server looks for `stop()`: serve_forever's default (0.5 s) made
#: every stop, at the end of each `--sandbox` run and each test, wait up to that long.
STOP_POLL_SECONDS = 0.01


def start_in_thread(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> RunningSandbox:
    """Serve on a background thread (port 0 picks a free port); returns the base URL."""
    server = make_server(sandbox, host, port)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": STOP_POLL_SECONDS},
        name="mmrc-sandbox",
        daemon=True,
    )
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    return RunningSandbox(sandbox, f"http://{bound_host!s}:{bound_port}", server, thread)


@contextmanager
def running(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningSandbox]:
    handle = start_in_thread(sandbox, host, port)
    try:
        yield handle
    finally:
        handle.stop()


class SandboxTransport(httpx.BaseTransport):
    """An httpx transport that calls the sandbox in-process (no sockets)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode()
        req = Request.build(request.method, target, request.headers.items(), request.read())
        fault = self.sandbox.faults.before(req)
        if fault == "drop":
            raise httpx.RemoteProtocolError("connection dropped (injected fault)", request=request)
        response = fault if isinstance(fault, Response) else self.sandbox.handle(req)
        if self.sandbox.faults.after(req, response) == "drop":
            raise httpx.RemoteProtocolError("response lost (injected fault)", request=request)
        return httpx.Response(response.status, headers=response.headers, content=response.body)
