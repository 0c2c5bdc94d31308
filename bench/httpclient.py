"""The benchmark's HTTP/1.1 clients: a lean one on a raw socket, and the standard library's.

A load generator should cost the machine as little as it can: the servers under test share the
two cores with it, and the latency it measures includes its own work. ``LeanConnection`` sends a
request that was encoded once and reads the answer with a few byte searches, as load generators
such as wrk or oha do. ``StdlibConnection`` is ``http.client``, which parses every header with
the ``email`` package (about 0.5 ms of CPU per request on the 2-core box, measured); it is kept
for comparison (``--client stdlib``).

Both keep their connection alive and have the same ``post(path, body)`` returning the status,
the body and the headers (names in lower case).
"""

from __future__ import annotations

import http.client
import socket
import urllib.parse

ACCEPT = "application/sparql-results+json"


def form(query: str) -> bytes:
    """The query as a form body, encoded once per query (not once per request)."""
    return urllib.parse.urlencode({"query": query}).encode()


class HttpError(OSError):
    """The server's answer could not be read as HTTP/1.1 (or the connection broke)."""


class LeanConnection:
    """One kept-alive HTTP/1.1 connection on a raw socket."""

    def __init__(self, host: str, port: int, timeout: float = 60.0, source_address=None):
        self.host, self.port, self.timeout, self.source = host, port, timeout, source_address
        self.sock: socket.socket | None = None
        self.buf = b""
        self._requests: dict[tuple[str, bytes], bytes] = {}

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), self.timeout, self.source)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.buf = sock, b""
        return sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buf = None, b""

    def _request(self, path: str, body: bytes) -> bytes:
        key = (path, body)
        data = self._requests.get(key)
        if data is None:
            head = (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\nAccept: {ACCEPT}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n")
            data = self._requests[key] = head.encode("latin-1") + body
            if len(self._requests) > 64:
                self._requests.pop(next(iter(self._requests)))
        return data

    def post(self, path: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        sock = self.sock or self._connect()
        try:
            sock.sendall(self._request(path, body))
            return self._response()
        except BaseException:
            self.close()
            raise

    def _fill(self) -> None:
        part = self.sock.recv(262144)
        if not part:
            raise HttpError("the server closed the connection")
        self.buf += part

    def _line(self) -> bytes:
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line, self.buf = self.buf[:end], self.buf[end + 2:]
                return line
            self._fill()

    def _exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _response(self) -> tuple[int, bytes, dict[str, str]]:
        while (end := self.buf.find(b"\r\n\r\n")) < 0:
            self._fill()
        head, self.buf = self.buf[:end].decode("latin-1"), self.buf[end + 4:]
        status_line, *lines = head.split("\r\n")
        try:
            status = int(status_line.split(" ", 2)[1])
        except (IndexError, ValueError):
            raise HttpError(f"not an HTTP status line: {status_line[:80]!r}") from None
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            data = self._exactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            pieces = []
            while size := int(self._line().split(b";")[0], 16):
                pieces.append(self._exactly(size))
                self._exactly(2)  # the CRLF after each chunk
            while self._line():  # trailers, up to the empty line
                pass
            data = b"".join(pieces)
        else:  # the body ends with the connection
            try:
                while True:
                    self._fill()
            except HttpError:
                pass
            data, self.buf = self.buf, b""
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, data, headers


class StdlibConnection:
    """``http.client`` with the same ``post`` as LeanConnection."""

    def __init__(self, host: str, port: int, timeout: float = 60.0, source_address=None):
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout,
                                               source_address=source_address)

    def close(self) -> None:
        self.conn.close()

    def post(self, path: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        try:
            self.conn.request("POST", path, body, {
                "Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT})
            response = self.conn.getresponse()
            data = response.read()
        except http.client.HTTPException as exc:
            self.conn.close()
            raise HttpError(str(exc)) from exc
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}


CLIENTS = {"lean": LeanConnection, "stdlib": StdlibConnection}
