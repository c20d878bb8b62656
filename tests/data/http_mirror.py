"""A local HTTP mirror for the download tests: a folder served on 127.0.0.1 from a thread, plus servers
that misbehave (truncated bodies, 404s). Connections anywhere else are refused while a test uses it."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass


class Truncated(Quiet):
    """Sends the first half of every file, with a Content-Length that matches the half (a server that
    hands out a cut file): only the checksum can tell."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            return self.send_error(404, "File not found")
        body = path.read_bytes()[: path.stat().st_size // 2]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class DroppedConnection(Quiet):
    """Announces the whole file, sends a tenth of it and hangs up."""

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            return self.send_error(404, "File not found")
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 10])
        self.close_connection = True


@contextmanager
def serve(folder, handler: type[SimpleHTTPRequestHandler] = Quiet):
    """Yield the base URL of `folder` served over HTTP on 127.0.0.1 (a free port)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def only_loopback(monkeypatch) -> None:
    """Refuse every outgoing connection that is not to 127.0.0.1: a download test never goes online."""
    connect = socket.socket.connect

    def guarded(sock, address):
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"network access attempted: {address}")
        return connect(sock, address)
    monkeypatch.setattr(socket.socket, "connect", guarded)
