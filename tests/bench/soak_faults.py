"""Fault servers and the fleet of the soak (tests/bench/soak.py), stdlib only.

`ToggleServer` is one loopback TCP server whose answer is chosen per group and switched while it
runs: an HTTP request for `/g<k>` or a `PING <k>` line (a tcp:// target's `send`) gets what group
k's mode says:

    ok       200 with the healthy JSON / `+PONG`
    http500  500 / `-ERR`
    reset    the request is read, then the connection is closed with SO_LINGER 0 (RST)
    stall    the request is read and never answered (until the prober hangs up)
    trickle  `HTTP/1.1 200 OK\r\n` one byte every 0.3 s, never finished
    garbage  bytes that are not HTTP (nor `+PONG`)

Every connection has its own thread, which ends when the prober hangs up or after 30 s.
"""

import socket
import struct
import threading
import time

from servers import HEALTHY_BODY, _SocketServer

FAULT_MODES = ["reset", "stall", "trickle", "garbage", "http500"]


class ToggleServer(_SocketServer):
    conn_timeout = 30.0  # a stall or a trickle holds its connection longer than a probe's timeout

    def __init__(self, groups):
        super().__init__()
        self.sock.listen(1024)
        self._modes = ["ok"] * groups
        self._lock = threading.Lock()
        self.served = {}  # mode → connections answered so (counted, for the summary)

    def set_mode(self, group, mode):
        with self._lock:
            self._modes[group] = mode

    def mode(self, group):
        with self._lock:
            return self._modes[group]

    def handle(self, conn):
        data = b""
        while b"\n" not in data and len(data) < 8192:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        first = data.split(b"\n", 1)[0].decode("latin-1").strip()
        ping = first.startswith("PING")
        try:
            group = int(first.split()[1]) if ping else int(first.split()[1].lstrip("/g"))
            mode = self.mode(group)
        except (IndexError, ValueError):
            mode = "http500"
        if not ping:  # the rest of the request head
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
        with self._lock:
            self.served[mode] = self.served.get(mode, 0) + 1
        if mode == "ok":
            if ping:
                conn.sendall(b"+PONG\r\n")
            else:
                body = HEALTHY_BODY.encode()
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Connection: close\r\nContent-Length: " + str(len(body)).encode()
                             + b"\r\n\r\n" + body)
            _drain(conn)
        elif mode == "http500":
            if ping:
                conn.sendall(b"-ERR\r\n")
            else:
                conn.sendall(b"HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n"
                             b"Content-Length: 5\r\n\r\nerror")
            _drain(conn)
        elif mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "stall":
            _drain(conn)
        elif mode == "trickle":
            for b in b"HTTP/1.1 200 OK\r\n" * 20:
                conn.sendall(bytes([b]))
                time.sleep(0.3)
        else:  # garbage
            conn.sendall(b"\x00\xffgarbage\r\n\r\nnot HTTP \x1b[0m at all\r\n\r\n")
            _drain(conn)


def _drain(conn):
    """Reads until the peer hangs up (or the socket's timeout)."""
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def fleet(apps):
    """A flysim fleet: `apps` apps of two started machines each, in two regions, with a Fly
    check (so a database fault makes them unhealthy)."""
    out = []
    for a in range(apps):
        name = f"soak-app-{a}"
        out.append({"name": name, "machines": [
            {"id": f"{a:04x}{m:02x}5f126d08", "name": f"{name}-{m}", "region": ("iad", "ams")[m],
             "state": "started", "process_group": "app", "checks": ["servicecheck-00-http-5000"]}
            for m in range(2)]})
    return {"apps": out}
