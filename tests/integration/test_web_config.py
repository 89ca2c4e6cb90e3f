#!/usr/bin/env python3
"""The admin server behind server.web_config_file (issue 12, "Admin security"): TLS from the
throwaway PKI and basic_auth_users with a bcrypt hash.

Daemon 1 (TLS, NoClientCert, one user):
- a good client (trusts the CA, right password) gets 200 on /metrics;
- a wrong password, an unknown user and no credentials get 401 with
  `WWW-Authenticate: Basic realm="flywatch"` and a body that says nothing more;
- plain HTTP to the TLS port gets no HTTP answer at all;
- a client that connects and never handshakes is dropped within the head deadline (5 s);
- GET /-/reload is 405; POST /-/reload is 200; a reload whose web config has a bad hash is
  refused (500 naming the web config file:line:column, never the hash) and the old users still
  work.
Daemon 2 (RequireAndVerifyClientCert): a client without a certificate, or with one from another
CA, is refused; one with a certificate of the CA gets 200.
"""

import base64
import http.client
import os
import socket
import ssl
import subprocess
import time

from harness import check, run, wait_until

# bcrypt("s3cret"), cost 4, fixed salt (made with libcrypt; cost 4 keeps the test fast).
HASH = "$2b$04$abcdefghijklmnopqrstuuLZYjhNQAOdpbzt4WxWlUHjv1wsyH5DG"
PASSWORD = "s3cret"
HEAD_TIMEOUT = 5.0


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def client_context(ca, cert=None, key=None):
    ctx = ssl.create_default_context(cafile=ca)
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def request(port, ctx, method="GET", path="/metrics", auth=None, timeout=5.0):
    """(status, headers dict with lower-case names, body) over HTTPS."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=timeout)
    try:
        headers = {"Authorization": auth} if auth else {}
        conn.request(method, path, body=b"" if method == "POST" else None, headers=headers)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def refused(port, ctx, auth):
    """True when a request fails at the TLS level (handshake or the first read after it)."""
    try:
        status, _, _ = request(port, ctx, auth=auth)
    except (ssl.SSLError, ConnectionError, http.client.RemoteDisconnected, OSError):
        return True
    print(f"unexpectedly answered {status}")
    return False


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def client_leaf(pki, d, name, ca=True):
    """A client certificate (extendedKeyUsage clientAuth) signed by the test CA, or self-signed."""
    key, csr, crt = (os.path.join(d, f"{name}.{x}") for x in ("key", "csr", "crt"))
    ext = os.path.join(d, f"{name}.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=clientAuth\n")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", csr, "-subj", f"/CN={name}")
    if ca:
        openssl("x509", "-req", "-in", csr, "-CA", pki.ca_cert, "-CAkey", pki.ca_key,
                "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", crt)
    else:
        openssl("x509", "-req", "-in", csr, "-signkey", key, "-days", "1", "-extfile", ext,
                "-out", crt)
    return crt, key


def start(env, name, web_doc):
    d = env.daemon(name)
    web_path = os.path.join(env.dir, f"{name}-web.yml")
    with open(web_path, "w") as f:
        f.write(web_doc)
    cfg = d.config([])
    cfg["server"]["web_config_file"] = os.path.basename(web_path)  # relative to the config
    d.write_config(cfg)
    d.start(wait_ready=False)
    return d, web_path


def wait_tls_ready(d, ctx, auth):
    def ready():
        d.assert_alive()
        try:
            return request(d.port, ctx, path="/readyz", auth=auth, timeout=2)[0] == 200
        except (OSError, ssl.SSLError, http.client.HTTPException):
            return False
    wait_until(ready, 20, "flywatch /readyz over TLS")


def check_tls_and_auth(env, pki):
    web = (f"tls_server_config:\n  cert_file: {pki.good.cert}\n  key_file: {pki.good.key}\n"
           f"basic_auth_users:\n  alice: '{HASH}'\n")
    d, web_path = start(env, "tls", web)
    good = client_context(pki.ca_cert)
    right = basic("alice", PASSWORD)
    wait_tls_ready(d, good, right)

    status, _, body = request(d.port, good, auth=right)
    check(status == 200, f"good client: /metrics answered {status}")
    check("flywatch_build_info" in body or "flywatch_" in body, "no flywatch metrics in /metrics")
    status, headers, body = request(d.port, good, path="/", auth=right)
    check(status == 200 and headers.get("content-type") == "text/html; charset=utf-8"
          and "<title>flywatch status</title>" in body, f"good client: / answered {status}")

    for what, auth in [("wrong password", basic("alice", "s3creT")),
                       ("unknown user", basic("mallory", PASSWORD)),
                       ("no credentials", None),
                       ("not Basic", "Bearer " + PASSWORD)]:
        for path in ("/metrics", "/healthz", "/-/reload", "/", "/nope"):
            status, headers, body = request(d.port, good, path=path, auth=auth)
            check(status == 401, f"{what} {path}: answered {status}")
            check(headers.get("www-authenticate") == 'Basic realm="flywatch"',
                  f"{what}: WWW-Authenticate is {headers.get('www-authenticate')!r}")
            check(body == "Unauthorized\n", f"{what}: the 401 says more: {body!r}")

    # Plain HTTP to the TLS port: whatever comes back, it is not an HTTP answer.
    with socket.create_connection(("127.0.0.1", d.port), timeout=5) as s:
        s.sendall(f"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: {right}\r\n\r\n".encode())
        got = b""
        try:
            while chunk := s.recv(4096):
                got += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    check(not got.startswith(b"HTTP/"), f"plain HTTP got an HTTP answer: {got[:80]!r}")
    check(b"flywatch_" not in got, "plain HTTP got metrics")

    # A client that never sends its ClientHello is dropped by the head deadline.
    with socket.create_connection(("127.0.0.1", d.port), timeout=HEAD_TIMEOUT + 5) as s:
        t0 = time.monotonic()
        try:
            closed = s.recv(1) == b""
        except ConnectionResetError:
            closed = True
        except socket.timeout:
            closed = False
        took = time.monotonic() - t0
    check(closed and took < HEAD_TIMEOUT + 3,
          f"a silent client was not dropped in time (closed={closed}, {took:.1f}s)")

    status, headers, body = request(d.port, good, path="/-/reload", auth=right)
    check(status == 405 and body == "use POST to reload\n", f"GET /-/reload: {status} {body!r}")
    check(headers.get("allow") == "POST", f"GET /-/reload: Allow is {headers.get('allow')!r}")
    status, _, body = request(d.port, good, method="PUT", path="/-/reload", auth=right)
    check(status == 405, f"PUT /-/reload: {status}")
    status, _, body = request(d.port, good, method="POST", path="/-/reload", auth=right)
    check(status == 200 and body == "reloaded\n", f"POST /-/reload: {status} {body!r}")

    # A reload validates the web config again: a bad hash refuses the whole reload.
    bad_hash = "$2b$04$SECRETnotahash"
    with open(web_path, "w") as f:
        f.write(web.replace(HASH, bad_hash))
    status, _, body = request(d.port, good, method="POST", path="/-/reload", auth=right)
    check(status == 500, f"reload with a bad web config: {status} {body!r}")
    check(body.startswith(f"{web_path}:5:10: basic_auth_users.alice: not a bcrypt hash"),
          f"reload error: {body!r}")
    check("SECRET" not in body and HASH not in body, f"reload error leaks a hash: {body!r}")
    status, _, _ = request(d.port, good, auth=right)
    check(status == 200, f"after a refused reload the old users no longer work: {status}")
    d.assert_alive()


def check_client_certs(env, pki):
    certs = os.path.join(env.dir, "clients")
    os.makedirs(certs)
    ok_cert, ok_key = client_leaf(pki, certs, "scraper")
    other_cert, other_key = client_leaf(pki, certs, "stranger", ca=False)
    web = (f"tls_server_config:\n  cert_file: {pki.good.cert}\n  key_file: {pki.good.key}\n"
           f"  client_ca_file: {pki.ca_cert}\n  client_auth_type: RequireAndVerifyClientCert\n"
           f"  min_version: TLS13\n"
           f"basic_auth_users:\n  alice: '{HASH}'\n")
    d, _ = start(env, "mtls", web)
    right = basic("alice", PASSWORD)
    with_cert = client_context(pki.ca_cert, ok_cert, ok_key)
    wait_tls_ready(d, with_cert, right)
    status, _, _ = request(d.port, with_cert, auth=right)
    check(status == 200, f"client with a CA certificate: {status}")
    check(refused(d.port, client_context(pki.ca_cert), right), "a client without a certificate got in")
    check(refused(d.port, client_context(pki.ca_cert, other_cert, other_key), right),
          "a client with a certificate of another CA got in")
    tls12 = client_context(pki.ca_cert, ok_cert, ok_key)
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    check(refused(d.port, tls12, right), "min_version TLS13 let a TLS 1.2 client in")
    d.assert_alive()


def main(env):
    pki = env.pki
    check_tls_and_auth(env, pki)
    check_client_certs(env, pki)


run(main)
