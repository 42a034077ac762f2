"""Serving the sandbox: over real HTTP (`serve`, `start_in_thread`) and in-process
as an httpx transport (`SandboxTransport`) for fast unit tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from reconciler.sandbox.app import Request, Response, Sandbox

MAX_BODY = 300_000  # Mattermost's ServiceSettings.MaximumPayloadSizeBytes default: 413 above
MAX_ADMIN_BODY = 64 * 1024 * 1024  # PUT /__sandbox__/state loads a whole server
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _error(status: int, error_id: str, message: str) -> Response:
    body = {"id": error_id, "message": message, "detailed_error": "", "status_code": status}
    return Response(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def host_name(header: str) -> str:
    """The name in a Host header, without the port (`[::1]:8065` → `::1`)."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class _Handler(BaseHTTPRequestHandler):
    """One request: the Host header is checked, then the request is authorised from its
    headers (/__sandbox__/ needs the admin token; a route that needs a session needs
    one), and only then is a body read, at most MAX_BODY bytes (413 above, as Mattermost
    answers; 400 for a malformed Content-Length). A bug answers 500, never a traceback."""

    server: _SandboxHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        try:
            refusal = self._refusal()
            if refusal is not None:
                self.close_connection = True  # the body (if any) is not read
                self._write(refusal)
                return
            length = self._content_length()
            req = Request.build(self.command, self.path, self.headers.items(), b"")
            req.remote_addr = self.client_address[0]
            early = sandbox.precheck(req)
            if early is not None:
                if length:
                    self.close_connection = True  # the body is not read
                self._write(early)
                return
            limit = MAX_ADMIN_BODY if self.path.startswith("/__sandbox__/") else MAX_BODY
            if length > limit:
                self.close_connection = True
                self._write(
                    _error(
                        413,
                        "api.context.request_body_too_large.app_error",
                        f"The request body is larger than {limit} bytes.",
                    )
                )
                return
            body = self.rfile.read(length) if length else b""
            req = Request.build(self.command, self.path, self.headers.items(), body)
            req.remote_addr = self.client_address[0]
            self._answer(sandbox, req)
        except _BadRequest as bad:
            self.close_connection = True
            self._write(_error(400, "api.context.bad_request.app_error", str(bad)))
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as error:  # a sandbox bug: a 500 with its type, no traceback
            self.close_connection = True
            self._write(
                _error(500, "sandbox.internal_error", f"internal error ({type(error).__name__})")
            )

    def _refusal(self) -> Response | None:
        """421 for a Host the sandbox does not answer to (DNS rebinding), 400 without one."""
        header = self.headers.get("Host")
        if header is None:
            return _error(400, "api.context.bad_request.app_error", "The Host header is missing.")
        if host_name(header) not in self.server.allowed_hosts:
            return _error(
                421,
                "sandbox.host_not_allowed",
                "This sandbox answers only to loopback and its configured host names "
                "(mmrc sandbox --allowed-host NAME).",
            )
        return None

    def _content_length(self) -> int:
        values = self.headers.get_all("Content-Length") or []
        if self.headers.get("Transfer-Encoding"):
            raise _BadRequest("Transfer-Encoding is not supported; send a Content-Length.")
        if not values:
            return 0
        if len(set(values)) != 1 or not values[0].strip().isdigit():
            raise _BadRequest("The Content-Length header is malformed.")
        return int(values[0].strip())

    def _answer(self, sandbox: Sandbox, req: Request) -> None:
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
        if self.close_connection:  # a body left unread: the client must not reuse this one
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet; the request log keeps it
        return


class _BadRequest(ValueError):
    pass


class _SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        bound = host_name(address[0])
        listening = {bound} if bound not in ("", "0.0.0.0", "::") else set()
        self.allowed_hosts = frozenset(
            LOOPBACK_HOSTS | listening | {host_name(h) for h in sandbox.options.allowed_hosts}
        )
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection that broke: no traceback on stderr (the request log keeps requests)."""
        return


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
