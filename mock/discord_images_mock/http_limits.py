"""uvicorn's HTTP protocol with a bound on the size of a request's head, and the API's error
body for requests that are not HTTP at all.

uvicorn's httptools protocol keeps a head in memory however long it grows, so one client
could make the server hold gigabytes of `X-Anything:` header. This protocol answers such a
request 431 and closes the connection, as Node (16 KB) and nginx do. Nor does it time a head:
a client could hold a connection forever by sending its headers a byte at a time (or
nothing at all), so a head not complete within HEAD_TIMEOUT is answered 408. Unparsable
requests get uvicorn's 400, but in the API's `{"success": false, ...}` shape, not plain text.
"""

from __future__ import annotations

import asyncio
import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 64 * 1024
# As long as an upload's body may stay silent (upload_stream.RECEIVE_TIMEOUT).
HEAD_TIMEOUT = 30.0
_TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\n"
_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\n"


class BoundedHeadProtocol(HttpToolsProtocol):
    _head_open = False
    _head_bytes = 0
    _head_began_in_chunk = False
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._time_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._untime_head()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._head_began_in_chunk = False
        super().data_received(data)
        if not self._head_open or self.transport.is_closing():
            return
        # Only whole chunks received after the one the head began in are counted: every byte
        # of those is head, so a head under the limit is never refused, and at most one
        # chunk (asyncio reads 256 KB at a time) more than the limit is ever held.
        if not self._head_began_in_chunk:
            self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._refuse(_TOO_LARGE, "Request headers too large.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True
        self._head_bytes = 0
        self._head_began_in_chunk = True
        self._time_head()

    def on_headers_complete(self) -> None:
        self._head_open = False
        self._untime_head()
        super().on_headers_complete()

    def _time_head(self) -> None:
        self._untime_head()
        self._head_timer = self.loop.call_later(HEAD_TIMEOUT, self._head_timed_out)

    def _untime_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing() and (self._head_open or self.cycle is None):
            self._refuse(_TIMEOUT, "The request headers did not arrive in time.")

    def send_400_response(self, msg: str) -> None:
        self._refuse(_BAD_REQUEST, msg)

    def _refuse(self, status_line: bytes, description: str) -> None:
        self._head_open = False
        self._untime_head()
        body = json.dumps({"success": False, "description": description}).encode()
        head = [status_line]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
            body,
        ]
        self.transport.write(b"".join(head))
        self.transport.close()
