#!/usr/bin/env python3
"""tcp:// and tls:// targets against real loopback servers: small Python socket servers
(a banner, PING → +PONG, silence, a wrong banner, a closed port) and nginx with the test PKI
(good, expired and wrong-host certificates). Asserted through `flywatch check` (exit codes,
table and --json), the daemon's /api/v1/status and /metrics, and `promtool check metrics`.
"""

import json
import socket
import subprocess

import harness
from harness import check, target, wait_until
from servers import _SocketServer

PROMTOOL = "/usr/bin/promtool"


class BannerServer(_SocketServer):
    """Optionally reads one line, then sends `banner` and keeps the connection open (for at
    most its 2 s socket timeout) unless `close`; with no banner it says nothing."""

    def __init__(self, banner=b"", read_line=False, close=False):
        super().__init__()
        self.banner, self.read_line, self.close = banner, read_line, close

    def handle(self, conn):
        if self.read_line:
            data = b""
            while b"\n" not in data:
                chunk = conn.recv(256)
                if not chunk:
                    return
                data += chunk
            if data != b"PING\r\n":
                return
        if self.banner:
            conn.sendall(self.banner)
        if not self.close:
            try:
                conn.recv(1)  # until the prober hangs up (or the 2 s socket timeout)
            except OSError:
                pass


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def server(env, **kw):
    s = BannerServer(**kw)
    env.on_cleanup(s.stop)
    return s.start()


# name → (reason of its failure, or "" for success)
WANT = {
    "ssh": "", "redis": "", "open": "", "tls-good": "",
    "closed": "connect", "silent": "timeout", "wrong-banner": "body",
    "tls-expired": "tls", "tls-wrong-host": "tls", "tls-short": "cert",
}


def targets(env):
    ng = env.nginx({"good": env.pki.good, "expired": env.pki.expired,
                    "wrong": env.pki.wrong_host})
    ca = env.pki.ca_cert
    ssh = server(env, banner=b"SSH-2.0-OpenSSH_9.6\r\n")
    redis = server(env, banner=b"+PONG\r\n", read_line=True)
    silent = server(env)
    wrong = server(env, banner=b"554 go away\r\n", close=True)
    tcp = lambda port: f"tcp://127.0.0.1:{port}"
    tls = lambda name: f"tls://localhost:{ng.ports[name]}"
    return [
        target("ssh", tcp(ssh.port), expect={"banner_regex": r"^SSH-2\.0-"}),
        target("redis", tcp(redis.port), send="PING\r\n", expect={"banner_regex": r"^\+PONG"}),
        target("open", tcp(ssh.port)),
        target("closed", tcp(closed_port())),
        target("silent", tcp(silent.port), expect={"banner_regex": "^220 "}),
        target("wrong-banner", tcp(wrong.port), expect={"banner_regex": "220 "}),
        # pki.py's good leaf is valid for 2 days: 1d passes, 7d fails with cert.
        target("tls-good", tls("good"), ca, expect={"cert_min_validity": "1d"}),
        target("tls-short", tls("good"), ca, expect={"cert_min_validity": "7d"}),
        target("tls-expired", tls("expired"), ca),
        target("tls-wrong-host", tls("wrong"), ca),
    ]


def check_cli(env, d):
    r = env.run_cli("check", "--config", d.config_path)
    check(r.returncode == 1, f"check: exit {r.returncode}, want 1\n{r.stdout}\n{r.stderr}")
    rows = {line.split()[0]: line for line in r.stdout.splitlines()[1:-1]}
    for name, reason in WANT.items():
        row = rows.get(name, "")
        cols = row.split()
        check(len(cols) >= 4, f"check table: no row for {name}: {r.stdout}")
        check(cols[1] == ("ok" if not reason else "FAIL"), f"{name}: {row}")
        check(cols[2] == "-", f"{name}: a tcp/tls row has no HTTP status: {row}")
        if reason:
            check(cols[4].startswith(reason + ":"), f"{name}: reason should be {reason}: {row}")
    check("expired" in rows["tls-expired"], rows["tls-expired"])
    check("hostname mismatch" in rows["tls-wrong-host"], rows["tls-wrong-host"])
    check("banner_regex" in rows["wrong-banner"], rows["wrong-banner"])
    check("certificate expires in" in rows["tls-short"], rows["tls-short"])

    r = env.run_cli("check", "--config", d.config_path, "--json")
    check(r.returncode == 1, f"check --json: exit {r.returncode}")
    by_name = {t["name"]: t for t in json.loads(r.stdout)["targets"]}
    for name, reason in WANT.items():
        t = by_name[name]
        check(t["success"] == (not reason) and t["reason"] == reason, f"{name}: {t}")
        check(t["status_code"] is None, f"{name}: status_code should be null: {t}")
    check(set(by_name["ssh"]["phases"]) == {"resolve", "connect", "first_byte"},
          f"ssh phases: {by_name['ssh']['phases']}")
    check(set(by_name["open"]["phases"]) == {"resolve", "connect"},
          f"open phases: {by_name['open']['phases']}")
    check(set(by_name["tls-good"]["phases"]) == {"resolve", "connect", "tls"},
          f"tls-good phases: {by_name['tls-good']['phases']}")
    check("cert_not_after" in by_name["tls-good"] and "cert_not_after" in by_name["tls-expired"],
          "tls rows report the certificate's notAfter")

    # Only the passing ones: exit 0.
    d.write_config(d.config([t for t in targets_cache if not WANT[t["name"]]],
                            interval="5s", timeout="1500ms"))
    r = env.run_cli("check", "--config", d.config_path)
    check(r.returncode == 0, f"check on passing tcp/tls targets: exit {r.returncode}\n{r.stdout}")


def check_daemon(env, d):
    d.write_config(d.config(targets_cache, interval="2s", timeout="1500ms"))
    d.start()
    wait_until(lambda: all(t.get("last") for t in d.status().values()), 20, "every target probed")
    st = d.status()
    for name, reason in WANT.items():
        last = st[name]["last"]
        check(last["success"] == (not reason), f"{name}: last {last}")
        check(last.get("reason", "") in ((reason,) if reason else ("", None)),
              f"{name}: reason {last.get('reason')!r}, want {reason!r}: {last}")
    m = d.metrics()
    for name, reason in WANT.items():
        check(m.value("flywatch_probe_success", target=name) == (0 if reason else 1),
              f"{name}: flywatch_probe_success")
        if reason:
            check(m.value("flywatch_probe_failures_total", target=name, reason=reason) >= 1,
                  f"{name}: failures with reason {reason}")
    good = m.value("flywatch_tls_cert_expiry_timestamp_seconds", target="tls-good")
    expired = m.value("flywatch_tls_cert_expiry_timestamp_seconds", target="tls-expired")
    check(good > expired > 0, f"cert expiry gauges: good {good}, expired {expired}")
    check(not m.all("flywatch_tls_cert_expiry_timestamp_seconds", target="ssh"),
          "a tcp target has no certificate gauge")

    status, text = d.get("/metrics")
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=30)
    check(r.returncode == 0 and not r.stdout.strip(),
          f"promtool check metrics: exit {r.returncode}, output:\n{r.stdout}")
    d.assert_alive()


targets_cache = []


def main(env):
    targets_cache.extend(targets(env))
    d = env.daemon()
    d.write_config(d.config(targets_cache, interval="5s", timeout="1500ms"))
    check_cli(env, d)
    check_daemon(env, d)


if __name__ == "__main__":
    harness.run(main)
