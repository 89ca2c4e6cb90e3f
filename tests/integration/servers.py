"""Servers the integration tests probe: Debian's nginx for the HTTP(S) cases, and two small
Python socket servers for what nginx will not do on purpose (reset a connection, speak garbage).

Every server binds to 127.0.0.1 only. nginx runs in the foreground as a single process
(`daemon off; master_process off;`) in its own process group, with every path it writes inside
the test's temp dir, so stopping it is one signal to one group.
"""

import os
import socket
import struct
import threading
import time

from procs import free_port, start_process, wait_port

NGINX = "/usr/sbin/nginx"
ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"

HEALTHY_BODY = '{"status":"ok","database":"connected","timestamp":"2026-01-01T00:00:00.000Z"}'
DOWN_BODY = '{"status":"error","database":"disconnected"}'
BIG_BODY_BYTES = 5 * 1024 * 1024

# Paths served by every nginx server block below.
PATH_HEALTHY = "/"
PATH_DOWN = "/down"
PATH_SLOW = "/slow"
PATH_BIG = "/big.json"


class Nginx:
    """One nginx serving several TLS ports on 127.0.0.1.

    `servers` maps a port name to (cert, key); each named port serves the same locations:
    `/` healthy JSON (200), `/down` the 503 JSON, `/slow` the healthy JSON after
    `slow_seconds`, `/big.json` a 5 MiB body. `plain` adds a plain-HTTP port with the same
    locations, named "plain". `keepalive_timeout` and `keepalive_requests` set nginx's own;
    `access_log` writes `access.log` (self.access_log), one line per request:
    "<connection serial> <requests on it so far> <request line>".
    """

    def __init__(self, workdir, servers, slow_seconds=3.0, plain=False, keepalive_timeout="5s",
                 keepalive_requests=1000, access_log=False):
        self.dir = os.path.join(workdir, "nginx")
        self.ports = {name: free_port() for name in servers}
        if plain:
            self.ports["plain"] = free_port()
        self.proc = None
        os.makedirs(os.path.join(self.dir, "www"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "tmp"), exist_ok=True)
        with open(os.path.join(self.dir, "www", PATH_BIG.lstrip("/")), "wb") as f:
            # Valid-looking JSON filler so only the size can fail it.
            f.write(b'{"pad":"' + b"x" * (BIG_BODY_BYTES - 10) + b'"}')
        blocks = []
        for name, (cert, key) in servers.items():
            blocks.append(self._server_block(self.ports[name],
                                             f"ssl_certificate {cert}; ssl_certificate_key {key};",
                                             slow_seconds, ssl=True))
        if plain:
            blocks.append(self._server_block(self.ports["plain"], "", slow_seconds, ssl=False))
        self.access_log = os.path.join(self.dir, "access.log")
        log_lines = (f"log_format conn '$connection $connection_requests \"$request\"';\n"
                     f"  access_log {self.access_log} conn;") if access_log else "access_log off;"
        self.conf = os.path.join(self.dir, "nginx.conf")
        t = os.path.join(self.dir, "tmp")
        with open(self.conf, "w") as f:
            f.write(f"""\
load_module {ECHO_MODULE};
daemon off;
master_process off;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  {log_lines}
  client_body_temp_path {t}/body;
  proxy_temp_path {t}/proxy;
  fastcgi_temp_path {t}/fastcgi;
  uwsgi_temp_path {t}/uwsgi;
  scgi_temp_path {t}/scgi;
  keepalive_timeout {keepalive_timeout};
  keepalive_requests {keepalive_requests};
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_cache off;
  ssl_session_tickets off;
{''.join(blocks)}
}}
""")

    def _server_block(self, port, tls_lines, slow_seconds, ssl):
        listen = f"listen 127.0.0.1:{port}{' ssl' if ssl else ''};"
        return f"""
  server {{
    {listen}
    server_name localhost;
    {tls_lines}
    root {self.dir}/www;
    location = {PATH_HEALTHY} {{
      default_type application/json;
      return 200 '{HEALTHY_BODY}';
    }}
    location = {PATH_DOWN} {{
      default_type application/json;
      return 503 '{DOWN_BODY}';
    }}
    location = {PATH_SLOW} {{
      default_type application/json;
      echo_sleep {slow_seconds};
      echo '{HEALTHY_BODY}';
    }}
    location = {PATH_BIG} {{
      default_type application/json;
    }}
  }}
"""

    def start(self):
        log = open(os.path.join(self.dir, "stderr.log"), "w")
        self.proc = start_process([NGINX, "-p", self.dir, "-c", self.conf, "-e",
                                   os.path.join(self.dir, "error.log")], stdout=log, stderr=log)
        for port in self.ports.values():
            wait_port(port, self.proc, what="nginx", log_path=os.path.join(self.dir, "error.log"))
        return self

    def url(self, name, path="/", host="localhost"):
        scheme = "http" if name == "plain" else "https"
        return f"{scheme}://{host}:{self.ports[name]}{path}"


class _SocketServer:
    """A loopback TCP server that hands every accepted connection to `handle` on a thread."""

    conn_timeout = 2.0  # seconds a connection's socket operations may block

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def _loop(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(self.conn_timeout)
            self.handle(conn)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle(self, conn):
        raise NotImplementedError

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"


def _read_request_head(conn):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


class ResetServer(_SocketServer):
    """Reads the request, then closes with SO_LINGER 0 so the kernel sends RST, not FIN."""

    def handle(self, conn):
        _read_request_head(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class GarbageServer(_SocketServer):
    """Answers every request with bytes that are not an HTTP response."""

    def handle(self, conn):
        _read_request_head(conn)
        conn.sendall(b"garbage\r\n\r\nthis is not HTTP at all\x00\xff\r\n\r\n")
        time.sleep(0.05)
