"""A TCP forwarder on 127.0.0.1 that a test can cut and restore.

Put it between the app and a server (PostgreSQL, Redis) to make the server
disappear for the app without stopping it::

    with TcpProxy(5432) as proxy:
        url = url.set(port=proxy.port)
        ...
        proxy.cut()      # close the listener and every forwarded connection
        proxy.restore()  # listen again on the same port

The proxy stops by itself when the ``with`` block ends.
"""

from __future__ import annotations

import selectors
import socket
import threading

HOST = "127.0.0.1"
BUFFER_BYTES = 65536
POLL_SECONDS = 0.05


class TcpProxy:
    """Forwards connections from a free local port to ``HOST:target_port``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.connections = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> TcpProxy:
        self.restore()
        return self

    def __exit__(self, *_exc) -> None:
        self.cut()

    def restore(self) -> None:
        """Listen again, on the same port after the first start; no-op if listening."""
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((HOST, self.port))
            listener.listen()
        except OSError:
            listener.close()
            raise
        listener.settimeout(POLL_SECONDS)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._running.set()
        self._start(self._accept_loop, listener)

    def cut(self) -> None:
        """Stop listening and close every forwarded connection at once."""
        self._running.clear()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _close(sock)

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._running.is_set():
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection((HOST, self.target_port))
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._sockets.update((client, upstream))
                self.connections += 1
            self._start(self._pump, client, upstream)

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for sock in peers:
                selector.register(sock, selectors.EVENT_READ)
            while self._running.is_set():
                for key, _events in selector.select(timeout=POLL_SECONDS):
                    if not _forward(key.fileobj, peers[key.fileobj]):
                        _close(client)
                        _close(upstream)
                        return


def _forward(source: socket.socket, target: socket.socket) -> bool:
    try:
        data = source.recv(BUFFER_BYTES)
        if data:
            target.sendall(data)
    except OSError:
        return False
    return bool(data)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
