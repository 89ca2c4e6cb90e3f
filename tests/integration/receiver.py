#!/usr/bin/env python3
"""A webhook receiver for the alert tests and the demo (stdlib only), and a switchable target.

`Receiver` is a threaded HTTP/1.1 server on 127.0.0.1 that records every request (monotonic
arrival time, method, path, lower-cased headers, body bytes) and answers by a mode that can be
changed while it runs: `ok()` (204), `status(n, retry_after=None)`, `delay(seconds)` before the
answer, and `down()` (stop listening and cut open connections; `up()` listens again on the SAME
port). It checks Standard Webhooks signatures itself (hmac/hashlib/base64, see
/work/shared/reference/standard-webhooks.md), independently of flywatch's C++ signer.

`StatusServer` is a tiny target: GET <path> answers 200 or whatever `set(path, status)` says.

As a program it prints one line per request, for a human watching the demo:

    python3 tests/integration/receiver.py --port 9099 --secret whsec_... [--status 204] [--delay 0]
    python3 tests/integration/receiver.py --self-check
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import socket
import ssl
import sys
import threading
import time

__all__ = ["Receiver", "Request", "StatusServer", "sign", "verify_signature", "describe",
           "self_check"]


# -------------------------------------------------------------------------- Standard Webhooks

def _secret_key(secret):
    """The HMAC key of a `whsec_<base64>` secret (a bare base64 secret is accepted too)."""
    if secret.startswith("whsec_"):
        secret = secret[len("whsec_"):]
    return base64.b64decode(secret, validate=True)


def _as_bytes(x):
    return x if isinstance(x, bytes) else str(x).encode()


def sign(secret, msg_id, timestamp, body):
    """`v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>` for a whsec_ secret."""
    signed = _as_bytes(msg_id) + b"." + _as_bytes(timestamp) + b"." + _as_bytes(body)
    mac = hmac.new(_secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def verify_signature(secret, msg_id, timestamp, body, header):
    """True when one `v1,<sig>` entry of the space-separated `header` is the HMAC of
    "id.timestamp.body"; entries of other versions (v1a, …) are skipped. Constant-time compare."""
    if not header or msg_id is None or timestamp is None:
        return False
    expected = sign(secret, msg_id, timestamp, body)[3:].encode()
    ok = False
    for entry in header.split():
        version, _, sig = entry.partition(",")
        if version != "v1":
            continue
        # No short-circuit: every v1 entry is compared, each in constant time.
        ok |= hmac.compare_digest(expected, sig.encode())
    return ok


# --------------------------------------------------------------------------------- receiver

class Request:
    """One request as the receiver saw it."""

    def __init__(self, arrived, method, path, headers, body):
        self.arrived = arrived        # time.monotonic() when the request head was read
        self.wall = time.time()
        self.method = method
        self.path = path
        self.headers = headers        # {lower-cased name: value}
        self.body = body              # bytes
        self.verified = None          # True/False when the receiver has a secret, else None
        self.answered_status = None   # what the receiver answered (None: no answer, e.g. cut)
        self.answered = None          # time.monotonic() of the answer

    @property
    def id(self):
        return self.headers.get("webhook-id")

    @property
    def timestamp(self):
        return self.headers.get("webhook-timestamp")

    def json(self):
        return json.loads(self.body)

    @property
    def type(self):
        """`type` of a Standard Webhooks payload (alert.firing / alert.resolved), else None."""
        try:
            doc = self.json()
        except ValueError:
            return None
        return doc.get("type") if isinstance(doc, dict) else None

    @property
    def data(self):
        return self.json().get("data", {})

    def __repr__(self):
        return (f"<{self.method} {self.path} id={self.id} type={self.type} "
                f"answered={self.answered_status}>")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class Receiver:
    """See the module doc. Thread-safe; `requests()` returns a snapshot list."""

    def __init__(self, secret=None, port=0, on_request=None, tls=None):
        self.secret = secret
        self.tls = tls  # (cert file, key file): serve HTTPS
        self.on_request = on_request  # called with each Request once it is recorded
        self._lock = threading.Lock()
        self._requests = []
        self._status = 204
        self._retry_after = None
        self._delay = 0.0
        self._conns = set()
        self._stopping = threading.Event()  # wakes delayed handlers on down()/stop()
        self._server = None
        self._thread = None
        self.port = port
        self._listen()

    # -- lifecycle

    def _listen(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with receiver._lock:
                    receiver._conns.add(self.connection)

            def finish(self):
                with receiver._lock:
                    receiver._conns.discard(self.connection)
                try:
                    super().finish()
                except OSError:
                    pass

            def log_message(self, *args):
                pass

            def _handle(self):
                receiver._handle(self)

            do_POST = do_PUT = do_GET = do_DELETE = do_PATCH = _handle

        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self.port), Handler)
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*self.tls)
            self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def down(self):
        """Stops listening and cuts every open connection (in-flight requests get no answer)."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)
        self._server = None

    def up(self):
        """Listens again on the same port."""
        if self._server is None:
            self._listen()

    def stop(self):
        self.down()

    @property
    def is_up(self):
        return self._server is not None

    def url(self, path="/hook", host="127.0.0.1"):
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    # -- modes

    def ok(self):
        """Answers 204 at once."""
        self.status(204)

    def status(self, code, retry_after=None):
        """Answers `code` at once (with `Retry-After: retry_after` when given)."""
        with self._lock:
            self._status, self._retry_after, self._delay = code, retry_after, 0.0

    def delay(self, seconds, code=204):
        """Waits `seconds` (cut short by down()/stop()) and then answers `code`."""
        with self._lock:
            self._status, self._retry_after, self._delay = code, None, float(seconds)

    # -- records

    def requests(self, path=None):
        with self._lock:
            return [r for r in self._requests if path is None or r.path == path]

    def answered(self, status_range=range(200, 300)):
        """The requests answered with a status in `status_range` (2xx by default)."""
        return [r for r in self.requests() if r.answered_status in status_range]

    def clear(self):
        with self._lock:
            self._requests.clear()

    def _handle(self, h):
        arrived = time.monotonic()
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        req = Request(arrived, h.command, h.path, {k.lower(): v for k, v in h.headers.items()}, body)
        if self.secret:
            try:
                req.verified = verify_signature(self.secret, req.id, req.timestamp, body,
                                                req.headers.get("webhook-signature"))
            except ValueError:
                req.verified = False
        with self._lock:
            self._requests.append(req)
            status, retry_after, delay = self._status, self._retry_after, self._delay
        if self.on_request:
            self.on_request(req)
        if delay > 0 and self._stopping.wait(delay):
            h.close_connection = True
            return  # cut: no answer at all
        h.send_response(status)
        if retry_after is not None:
            h.send_header("Retry-After", str(retry_after))
        h.send_header("Content-Length", "0")
        h.end_headers()
        req.answered_status = status
        req.answered = time.monotonic()


# ------------------------------------------------------------------------------ the target

class StatusServer:
    """GET <path> → `status` (200 unless set) with a small JSON body; HTTP/1.1, keep-alive."""

    def __init__(self):
        self._lock = threading.Lock()
        self._status = {}
        self.hits = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                with server._lock:
                    code = server._status.get(self.path.split("?")[0], 200)
                    server.hits += 1
                body = b'{"status":"ok"}' if code < 400 else b'{"status":"error"}'
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def set(self, path, status):
        with self._lock:
            self._status[path] = status

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# ----------------------------------------------------------------------------- human output

_MAIN_LABELS = ("severity", "target", "app", "machine", "region")


def _labels_text(labels):
    return " ".join(f"{k}={labels[k]}" for k in _MAIN_LABELS if k in labels)


def describe(req):
    """One readable line for a request: signature, id, and what the body says by sink format."""
    if req.verified is False and "webhook-signature" not in req.headers:
        sig = "NO-SIGNATURE"
    else:
        sig = {True: "verified", False: "BAD-SIGNATURE", None: "unchecked"}[req.verified]
    head = f"{time.strftime('%H:%M:%S', time.localtime(req.wall))} {req.method} {req.path} [{sig}]"
    if req.id:
        head += f" id={req.id}"
    ts = req.timestamp
    if ts and ts.isdigit() and abs(int(ts) - req.wall) > 300:
        head += f" (webhook-timestamp {int(ts) - int(req.wall):+d}s off)"
    try:
        doc = json.loads(req.body) if req.body else None
    except ValueError:
        return f"{head} non-JSON body ({len(req.body)} bytes)"
    if isinstance(doc, dict) and "data" in doc and "type" in doc:  # webhook
        d = doc["data"] or {}
        labels = d.get("labels", {})
        what = f"{doc['type']} {labels.get('alertname', '?')} status={d.get('status')}"
        ends = f" endsAt={d['endsAt']}" if d.get("endsAt") else ""
        return f"{head} {what} {_labels_text(labels)} startsAt={d.get('startsAt')}{ends}"
    if isinstance(doc, list):  # alertmanager: an array of postable alerts
        parts = []
        for a in doc:
            labels = a.get("labels", {})
            parts.append(f"alertmanager {labels.get('alertname', '?')} {_labels_text(labels)} "
                         f"endsAt={a.get('endsAt')}")
        return f"{head} " + "; ".join(parts)
    if isinstance(doc, dict) and "event_action" in doc:  # pagerduty
        p = doc.get("payload", {})
        return (f"{head} pagerduty {doc['event_action']} dedup_key={doc.get('dedup_key')} "
                f"severity={p.get('severity')} summary={p.get('summary')!r}")
    if isinstance(doc, dict) and "text" in doc:  # slack
        return f"{head} slack " + doc["text"].replace("\n", " | ")
    return f"{head} {req.body[:200]!r}"


# ------------------------------------------------------------------------------ self-check

# The vector every Standard Webhooks / Svix library tests against. The reference text shows a
# signature header but not the secret behind its `v1,K5oZ…` entry, so that entry serves as a
# v1 signature made with another key, and its `v1a,…` entry as one of another version.
_VECTOR = {
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "timestamp": "1614265330",
    "body": b'{"test": 2432232314}',
    "signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}
_DOC_OTHER_KEY = "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="
_DOC_V1A = ("v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8E"
            "M+m7TBAg==")


def _expect(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"ok: {what}")


def self_check():
    """Checks the signer/verifier against the vector and the receiver's modes over real HTTP."""
    import urllib.error
    import urllib.request
    v = _VECTOR
    _expect(sign(v["secret"], v["id"], v["timestamp"], v["body"]) == v["signature"],
            "sign() reproduces the Standard Webhooks test vector")
    _expect(verify_signature(v["secret"], v["id"], v["timestamp"], v["body"], v["signature"]),
            "the vector's signature verifies")
    _expect(verify_signature(v["secret"], v["id"], v["timestamp"], v["body"],
                             f"{_DOC_OTHER_KEY} {_DOC_V1A} {v['signature']}"),
            "verifies when the good v1 entry comes after another key's v1 and a v1a")
    _expect(not verify_signature(v["secret"], v["id"], v["timestamp"], v["body"],
                                 f"{_DOC_OTHER_KEY} {_DOC_V1A}"),
            "refuses the reference text's header (another key, v1a skipped)")
    _expect(not verify_signature(v["secret"], v["id"], v["timestamp"], v["body"] + b" ",
                                 v["signature"]), "refuses a changed body")
    _expect(not verify_signature(v["secret"], v["id"], "1614265331", v["body"], v["signature"]),
            "refuses a changed timestamp")
    _expect(not verify_signature(v["secret"], "msg_other", v["timestamp"], v["body"],
                                 v["signature"]), "refuses a changed id")
    _expect(not verify_signature(v["secret"], v["id"], v["timestamp"], v["body"],
                                 "v1a," + v["signature"][3:]), "refuses a v1 MAC labelled v1a")
    _expect(not verify_signature(v["secret"], v["id"], v["timestamp"], v["body"], ""),
            "refuses an empty header")

    def post(url, body, headers, timeout=5):
        req = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, r.headers.get("Retry-After")
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Retry-After")

    r = Receiver(secret=v["secret"])
    try:
        hdrs = {"webhook-id": v["id"], "webhook-timestamp": v["timestamp"],
                "webhook-signature": v["signature"], "Content-Type": "application/json"}
        _expect(post(r.url(), v["body"], hdrs) == (204, None), "ok mode answers 204")
        req = r.requests()[-1]
        _expect(req.verified is True and req.body == v["body"] and req.id == v["id"]
                and req.headers["content-type"] == "application/json" and req.path == "/hook",
                "records the request, lower-cased headers, and verifies it")
        _expect(post(r.url(), v["body"] + b"x", hdrs)[0] == 204 and r.requests()[-1].verified
                is False, "a tampered body is recorded as BAD")
        r.status(503, retry_after=2)
        _expect(post(r.url(), v["body"], hdrs) == (503, "2"), "status mode: 503 + Retry-After")
        r.status(400)
        _expect(post(r.url(), v["body"], hdrs)[0] == 400, "status mode: 400")
        r.delay(0.5)
        t0 = time.monotonic()
        _expect(post(r.url(), v["body"], hdrs)[0] == 204 and time.monotonic() - t0 >= 0.5,
                "delay mode answers after the delay")
        port = r.port
        r.down()
        try:
            post(r.url(), v["body"], hdrs, timeout=2)
            refused = False
        except urllib.error.URLError:
            refused = True
        _expect(refused, "down: connections are refused")
        r.up()
        r.ok()
        _expect(r.port == port and post(r.url(), v["body"], hdrs)[0] == 204,
                "up: listens again on the same port")
        r.delay(30)
        result = {}
        th = threading.Thread(target=lambda: result.update(
            x=_try(lambda: post(r.url(), v["body"], hdrs, timeout=10))))
        th.start()
        time.sleep(0.3)
        r.down()
        th.join(timeout=5)
        _expect(not th.is_alive() and isinstance(result.get("x"), Exception),
                "down() cuts a held request without an answer")
        _expect([q.answered_status for q in r.requests()] == [204, 204, 503, 400, 204, 204, None],
                "every request recorded with what it was answered")
        print(describe(r.requests()[0]))
    finally:
        r.stop()
    s = StatusServer()
    try:
        s.set("/b", 500)
        codes = []
        for path in ("/a", "/b"):
            try:
                with urllib.request.urlopen(s.url(path), timeout=5) as resp:
                    codes.append(resp.status)
            except urllib.error.HTTPError as e:
                codes.append(e.code)
        _expect(codes == [200, 500], "StatusServer answers per path")
    finally:
        s.stop()
    print("receiver self-check passed")


def _try(fn):
    try:
        return fn()
    except Exception as e:  # the caller inspects it
        return e


# ------------------------------------------------------------------------------------ CLI

def main(argv=None):
    ap = argparse.ArgumentParser(description="Webhook receiver: prints one line per request.")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    ap.add_argument("--secret", help="Standard Webhooks secret (whsec_…) to verify signatures")
    ap.add_argument("--secret-file", help="read the secret from this file (keeps it out of ps)")
    ap.add_argument("--status", type=int, default=204, help="status to answer (default 204)")
    ap.add_argument("--retry-after", help="Retry-After value sent with --status")
    ap.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering")
    ap.add_argument("--self-check", action="store_true", help="run the self-check and exit")
    a = ap.parse_args(argv)
    if a.self_check:
        self_check()
        return 0
    if a.secret_file:
        with open(a.secret_file, encoding="utf-8") as f:
            a.secret = f.read().strip()
    if a.secret:
        _secret_key(a.secret)  # a bad secret fails here, not on the first request
    r = Receiver(secret=a.secret, port=a.port,
                 on_request=lambda req: print(describe(req), flush=True))
    if a.delay:
        r.delay(a.delay, a.status)
    else:
        r.status(a.status, a.retry_after)
    print(f"listening on {r.url('/')} (answering {a.status}"
          + (f" after {a.delay}s" if a.delay else "") + ")", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        r.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
