#!/usr/bin/env python3
"""A stand-in for Medio on loopback HTTPS, for the demo (tools/demo).

Answers like Medio's backend health check (GET / on medio-backend):
  healthy:   200 {"status":"ok","database":"connected","timestamp":"<ISO 8601 now>"}
  unhealthy: 503 {"status":"error","database":"disconnected"}
and like the front end (GET /app/ on medio-react-app): 200 with a small HTML page, always.

Control, so the demo user can watch a target go down and come back:
  POST /toggle     flips healthy <-> unhealthy, answers the new state
  POST /unhealthy  POST /healthy   set it explicitly
  --unhealthy      start unhealthy

At start it makes a throwaway CA and a leaf for localhost / 127.0.0.1 / ::1 with the `openssl`
CLI in --state-dir (ca.pem is what flywatch's tls.ca_file points at), binds 127.0.0.1 on --port
(0 = any free port), then writes the port it got to <state-dir>/port. It runs until SIGINT or
SIGTERM.
"""

import argparse
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LEAF_EXT = """\
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
"""

FRONT_END_PAGE = b"""<!doctype html>
<html><head><title>Medio</title></head>
<body><div id="root">Medio (flywatch demo front end)</div></body></html>
"""


def openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def make_certificates(state_dir: str) -> tuple[str, str, str]:
    """Writes ca.pem, server.pem (leaf + CA chain) and server.key; returns their paths."""
    ca_key = os.path.join(state_dir, "ca.key")
    ca_pem = os.path.join(state_dir, "ca.pem")
    key = os.path.join(state_dir, "server.key")
    csr = os.path.join(state_dir, "server.csr")
    leaf = os.path.join(state_dir, "server.pem")
    ext = os.path.join(state_dir, "server.ext")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", ca_key, "-out", ca_pem, "-days", "365",
            "-subj", "/CN=flywatch demo CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-new", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    with open(ext, "w", encoding="ascii") as f:
        f.write(LEAF_EXT)
    # 90 days: comfortably past the demo config's cert_min_validity (14d).
    openssl("x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
            "-days", "90", "-sha256", "-extfile", ext, "-out", leaf)
    for path in (ca_key, key):
        os.chmod(path, 0o600)
    return ca_pem, leaf, key


class Health:
    """The database state the backend reports, shared by the handler threads."""

    def __init__(self, healthy: bool) -> None:
        self._lock = threading.Lock()
        self._healthy = healthy

    def get(self) -> bool:
        with self._lock:
            return self._healthy

    def set(self, healthy: bool) -> bool:
        with self._lock:
            self._healthy = healthy
            return healthy

    def toggle(self) -> bool:
        with self._lock:
            self._healthy = not self._healthy
            return self._healthy


def iso8601_now() -> str:
    # The shape of JavaScript's Date.toISOString(), which the Node backend sends.
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def compact(document: dict) -> bytes:
    # Express' res.json() writes no spaces; flywatch's body_regex in the examples relies on it.
    return json.dumps(document, separators=(",", ":")).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "medio-demo/1"
    timeout = 10  # seconds a connection may sit idle (or mid-handshake)
    health: Health  # set on the class by main()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/":
            if self.health.get():
                self.reply(200, "application/json; charset=utf-8",
                           compact({"status": "ok", "database": "connected",
                                    "timestamp": iso8601_now()}))
            else:
                self.reply(503, "application/json; charset=utf-8",
                           compact({"status": "error", "database": "disconnected"}))
        elif self.path in ("/app", "/app/"):
            self.reply(200, "text/html; charset=utf-8", FRONT_END_PAGE)
        else:
            self.reply(404, "application/json; charset=utf-8", compact({"error": "not found"}))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        actions = {"/toggle": self.health.toggle,
                   "/healthy": lambda: self.health.set(True),
                   "/unhealthy": lambda: self.health.set(False)}
        action = actions.get(self.path)
        if action is None:
            self.reply(404, "application/json; charset=utf-8", compact({"error": "not found"}))
            return
        healthy = action()
        state = "connected" if healthy else "disconnected"
        print(f"medio-demo: database is now {state} "
              f"(GET / answers {200 if healthy else 503})", file=sys.stderr, flush=True)
        self.reply(200, "application/json; charset=utf-8",
                   compact({"healthy": healthy, "database": state}))

    def reply(self, code: int, content_type: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        # Probes arrive every few seconds; logging each would drown flywatch's own log lines.
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state-dir", required=True,
                        help="where the certificates and the port file go")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any)")
    parser.add_argument("--unhealthy", action="store_true", help="start answering 503")
    args = parser.parse_args()

    os.makedirs(args.state_dir, mode=0o700, exist_ok=True)
    try:
        _, leaf, key = make_certificates(args.state_dir)
    except subprocess.CalledProcessError as e:
        print(f"medio-demo: openssl failed: {e.stderr.decode(errors='replace')}", file=sys.stderr)
        return 1

    Handler.health = Health(not args.unhealthy)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(leaf, key)
    # The handshake then happens on the handler's thread, not in accept(): one stalled client
    # cannot block the others.
    server.socket = context.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)

    port = server.server_address[1]
    port_file = os.path.join(args.state_dir, "port")
    with open(port_file + ".tmp", "w", encoding="ascii") as f:
        f.write(f"{port}\n")
    os.replace(port_file + ".tmp", port_file)  # readers never see a half-written file
    print(f"medio-demo: listening on https://localhost:{port}/", file=sys.stderr, flush=True)

    def stop(_signum, _frame) -> None:
        # shutdown() waits for serve_forever() to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
