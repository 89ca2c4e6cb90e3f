"""Shared harness of the flywatch integration tests (stdlib only).

A test does:

    def main(env):                      # env: harness.Env, cleaned up whatever happens
        ng = env.nginx({"good": env.pki.good})
        d = env.daemon([target("ok", ng.url("good"))])
        wait_until(lambda: d.status_of("ok") ..., 15, "ok probed")
    harness.run(main)

`run` parses the command line (the flywatch binary first), makes a temp dir, runs `main`,
stops every process it started (process groups, SIGTERM then SIGKILL) and exits 0 on success,
1 on a failed check with the reason on stderr. Set FLYWATCH_KEEP_TMP=1 to keep the temp dir.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

import pki as pki_mod
from procs import cpu_seconds, free_port, port_open, rss_bytes, start_process, stop_process, wait_port
from receiver import Receiver, StatusServer
from servers import (GarbageServer, Nginx, ResetServer, PATH_BIG, PATH_DOWN, PATH_HEALTHY,
                     PATH_SLOW)

__all__ = ["Env", "Daemon", "run", "check", "wait_until", "target", "webhook_sink", "to_yaml",
           "parse_metrics", "free_port", "cpu_seconds", "rss_bytes", "port_open", "start_process",
           "stop_process", "wait_port", "http_request", "PATH_BIG", "PATH_DOWN", "PATH_HEALTHY", "PATH_SLOW"]


class CheckFailed(AssertionError):
    pass


def check(cond, message):
    """Fails the test with `message` unless `cond`."""
    if not cond:
        raise CheckFailed(message)


def wait_until(fn, timeout, what, interval=0.2):
    """Polls `fn` until it returns something truthy, which is returned; fails after `timeout` s.
    Exceptions from `fn` count as "not yet" (the last one is reported)."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            v = fn()
            if v:
                return v
        except (CheckFailed, OSError, ValueError, KeyError) as e:
            last_exc = e
        if time.monotonic() >= deadline:
            raise CheckFailed(f"timed out after {timeout}s waiting for {what}"
                              + (f" (last error: {last_exc})" if last_exc else ""))
        time.sleep(interval)


# ---------------------------------------------------------------------------------------- YAML

def _yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(str(v))


def to_yaml(v, indent=0):
    """Block-style YAML for dicts, lists and scalars (enough for flywatch configs)."""
    pad = "  " * indent
    lines = []
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                lines.append(f"{pad}{k}:")
                lines.append(to_yaml(x, indent + 1))
            elif isinstance(x, dict):
                lines.append(f"{pad}{k}: {{}}")
            elif isinstance(x, list):
                lines.append(f"{pad}{k}: []")
            else:
                lines.append(f"{pad}{k}: {_yaml_scalar(x)}")
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, dict) and x:
                body = to_yaml(x, indent + 1).split("\n")
                lines.append(f"{pad}- {body[0].lstrip()}")
                lines.extend(body[1:])
            else:
                lines.append(f"{pad}- {_yaml_scalar(x)}")
    else:
        lines.append(f"{pad}{_yaml_scalar(v)}")
    return "\n".join(lines)


def target(name, url, ca_file=None, **extra):
    """One `targets[]` entry; `extra` adds keys verbatim (interval, expect, max_body, …)."""
    t = {"name": name, "url": url}
    if ca_file:
        t["tls"] = {"ca_file": ca_file}
    t.update(extra)
    return t


def webhook_sink(name, url, secret=None, **extra):
    """One `alerts.sinks[]` entry of type webhook; `extra` adds keys verbatim (filter, retry, …)."""
    s = {"name": name, "type": "webhook", "url": url}
    if secret:
        s["secret"] = secret
    s.update(extra)
    return s


# --------------------------------------------------------------------------------------- HTTP

def http_request(url, method="GET", data=None, timeout=5.0):
    """(status, body text) of a plain-HTTP request; HTTP error statuses are returned, not raised."""
    req = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$')
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def parse_metrics(text):
    """Prometheus text format → list of (name, {label: value}, float)."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError(f"unparsable metrics line: {line!r}")
        labels = {}
        if m.group(3):
            pos = 0
            body = m.group(3)
            while pos < len(body):
                lm = _LABEL.match(body, pos)
                if not lm:
                    raise ValueError(f"unparsable labels in: {line!r}")
                labels[lm.group(1)] = (lm.group(2).replace('\\"', '"').replace("\\n", "\n")
                                       .replace("\\\\", "\\"))
                pos = lm.end()
        out.append((m.group(1), labels, float(m.group(4))))
    return out


class Metrics:
    """Parsed /metrics with lookups by name and labels."""

    def __init__(self, text):
        self.text = text
        self.samples = parse_metrics(text)

    def all(self, name, **labels):
        return [(l, v) for n, l, v in self.samples
                if n == name and all(l.get(k) == str(x) for k, x in labels.items())]

    def value(self, name, **labels):
        """The value of the one sample matching, or None when there is none."""
        found = self.all(name, **labels)
        check(len(found) <= 1, f"{name}{labels} matches {len(found)} samples: {found}")
        return found[0][1] if found else None

    def targets_in(self):
        """Every `target` label value present on any flywatch_ series."""
        return {l["target"] for n, l, _ in self.samples if n.startswith("flywatch_") and "target" in l}


# ------------------------------------------------------------------------------------- daemon

class Daemon:
    """A `flywatch run` process with a config file, an admin port and a log file."""

    def __init__(self, env, binary, name="flywatch", state_dir=None):
        self.env = env
        self.binary = binary
        self.port = free_port()
        self.config_path = os.path.join(env.dir, f"{name}.yaml")
        self.log_path = os.path.join(env.dir, f"{name}.log")
        # Two daemons given the same state_dir share the outbox (a restart as another process).
        self.state_dir = state_dir or os.path.join(env.dir, f"{name}-state")
        os.makedirs(self.state_dir, exist_ok=True)
        self.proc = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def config(self, targets, interval="1s", timeout="700ms", failure_threshold=1,
               success_threshold=1, extra=None, alerts=None, state_dir=None, **top):
        """The config document (a dict) for `targets`. `alerts` becomes the `alerts:` section,
        `state_dir` overrides this daemon's own, and `extra` (a dict) or keyword arguments add
        or replace top-level keys verbatim."""
        doc = {
            "server": {"listen": f"127.0.0.1:{self.port}"},
            "log": {"format": "logfmt", "level": "info"},
            "state_dir": state_dir or self.state_dir,
            "defaults": {"interval": interval, "timeout": timeout,
                         "failure_threshold": failure_threshold,
                         "success_threshold": success_threshold},
            "targets": targets,
        }
        if alerts is not None:
            doc["alerts"] = alerts
        if extra:
            doc.update(extra)
        doc.update(top)
        return doc

    def write_config(self, doc_or_text):
        text = doc_or_text if isinstance(doc_or_text, str) else to_yaml(doc_or_text) + "\n"
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config_path)  # a reload never sees a half-written file

    def start(self, args=(), extra_env=None, journal=False, wait_ready=True):
        log = open(self.log_path, "a")
        env = dict(os.environ)
        env.pop("JOURNAL_STREAM", None)
        env.pop("NOTIFY_SOCKET", None)
        if journal:
            # What systemd sets: "<st_dev>:<st_ino>" of the stream stderr is connected to.
            st = os.fstat(log.fileno())
            env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        env.update(extra_env or {})
        self.proc = start_process([self.binary, "run", "--config", self.config_path, *args],
                                  env=env, stdout=log, stderr=log)
        log.close()
        self.env.on_cleanup(lambda: stop_process(self.proc))
        if wait_ready:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20.0):
        def ready():
            self.assert_alive()
            return http_request(self.base + "/readyz", timeout=2)[0] == 200
        wait_until(ready, timeout, "flywatch /readyz")

    def assert_alive(self):
        if self.proc.poll() is not None:
            raise CheckFailed(f"flywatch exited with {self.proc.returncode}; log:\n{self.log()[-4000:]}")

    def get(self, path):
        return http_request(self.base + path)

    def metrics(self):
        status, text = self.get("/metrics")
        check(status == 200, f"/metrics answered {status}: {text[:500]}")
        return Metrics(text)

    def status(self):
        status, text = self.get("/api/v1/status")
        check(status == 200, f"/api/v1/status answered {status}: {text[:500]}")
        return {t["name"]: t for t in json.loads(text)["targets"]}

    def reload_http(self):
        return http_request(self.base + "/-/reload", method="POST", data=b"")

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, grace=5.0):
        """Sends `sig` to the daemon alone; returns (exit code or None, seconds taken)."""
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            rc = None
        return rc, time.monotonic() - t0

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def log_lines(self):
        return [l for l in self.log().splitlines() if l.strip()]


# ---------------------------------------------------------------------------------------- env

class Env:
    """The temp dir, the PKI and every process/server of one test; `close` stops them all."""

    def __init__(self, flywatch):
        self.flywatch = flywatch
        self.dir = tempfile.mkdtemp(prefix="flywatch-it-")
        self._cleanups = []
        self._pki = None
        self.daemons = []

    @property
    def pki(self):
        if self._pki is None:
            d = os.path.join(self.dir, "pki")
            os.makedirs(d)
            self._pki = pki_mod.make_pki(d)
        return self._pki

    def on_cleanup(self, fn):
        self._cleanups.append(fn)

    def nginx(self, servers, **kw):
        """Starts nginx; `servers` maps a port name to a pki.Leaf."""
        ng = Nginx(self.dir, {k: (v.cert, v.key) for k, v in servers.items()}, **kw)
        self.on_cleanup(lambda: stop_process(ng.proc))
        return ng.start()

    def reset_server(self):
        s = ResetServer()
        self.on_cleanup(s.stop)
        return s.start()

    def garbage_server(self):
        s = GarbageServer()
        self.on_cleanup(s.stop)
        return s.start()

    def receiver(self, secret=None, tls=None):
        """A webhook receiver (receiver.Receiver) on 127.0.0.1, answering 204 until told else;
        with `tls` (a pki Leaf) over HTTPS."""
        r = Receiver(secret=secret, tls=(tls.cert, tls.key) if tls else None)
        self.on_cleanup(r.stop)
        return r

    def status_server(self):
        """A plain-HTTP target whose status per path is switchable (receiver.StatusServer)."""
        s = StatusServer()
        self.on_cleanup(s.stop)
        return s

    def daemon(self, name="flywatch", state_dir=None):
        d = Daemon(self, self.flywatch, name, state_dir=state_dir)
        self.daemons.append(d)
        return d

    def run_cli(self, *args, env=None, timeout=60):
        """Runs the flywatch binary to completion: CompletedProcess with text stdout/stderr."""
        e = dict(os.environ)
        e.pop("JOURNAL_STREAM", None)
        e.update(env or {})
        return subprocess.run([self.flywatch, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=e, timeout=timeout, start_new_session=True)

    def dump_logs(self):
        """Prints the tail of every daemon log (called when a test fails)."""
        for d in self.daemons:
            try:
                tail = d.log()[-6000:]
            except OSError:
                continue
            print(f"---- {d.log_path} (tail) ----\n{tail}", file=sys.stderr)

    def close(self, keep):
        errors = []
        for fn in reversed(self._cleanups):
            try:
                fn()
            except Exception as e:  # keep stopping the rest
                errors.append(e)
        if keep:
            print(f"temp dir kept: {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
        if errors:
            print(f"cleanup errors: {errors}", file=sys.stderr)


def run(main):
    """Entry point of a test script: `python3 test_x.py <flywatch> [extra args…]`."""
    if len(sys.argv) < 2:
        print(f"usage: {sys.argv[0]} <path to flywatch> [args…]", file=sys.stderr)
        sys.exit(2)
    flywatch = os.path.abspath(sys.argv[1])
    if not os.access(flywatch, os.X_OK):
        print(f"not executable: {flywatch}", file=sys.stderr)
        sys.exit(2)
    env = Env(flywatch)
    ok = False
    # SIGTERM from the test runner (meson's timeout) must still run the cleanups.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        main(env, *sys.argv[2:])
        ok = True
    except CheckFailed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        traceback.print_tb(e.__traceback__, file=sys.stderr)
    except Exception:
        print("ERROR:", file=sys.stderr)
        traceback.print_exc()
    finally:
        if not ok:
            env.dump_logs()
        env.close(keep=bool(os.environ.get("FLYWATCH_KEEP_TMP")))
    print("PASS" if ok else "FAILED")
    sys.exit(0 if ok else 1)
