#!/usr/bin/env python3
"""Soak with faults (issue 13; DESIGN §9 and §11): one flywatch daemon, many targets and a flysim
fleet for a long time while faults come and go; exits 0 when every budget holds, 1 otherwise.

    python3 tests/bench/soak.py build/daemon/flywatch build/tests/flysim/flysim \
        [--duration 30m] [--targets 1000] [--interval 5s] [--timeout 2s] \
        [--fault-period 60] [--hup-period 60] [--warmup 0.2]

Started on 127.0.0.1 only (stopped at the end, whatever happens): nginx (HTTPS with the test
PKI, plain HTTP, an expired and a self-signed certificate, a /slow path past the timeout), a
ToggleServer (soak_faults.py: per group ok, reset, stall, trickle, garbage or 500, for http://
and tcp:// targets), flysim with an app fleet (each app has a target through its edge), and a
Standard Webhooks receiver with a secret. Every fault period half the toggle groups change
mode (so TargetDown fires and resolves), one app's database goes down or up, and the Machines
API answers 429, 500 or garbage a few times; every hup period the config is rewritten (adding
one set of extra targets, removing the other) and the daemon gets SIGHUP; the receiver is down
from 40 % to 55 % of the run. The daemon's RSS and fd count are read from /proc every 2 s and
/metrics is scraped every 5 s.

Budgets, over the window after the warm-up (the first `--warmup` share of the run):
- RSS: median of the last minute minus median of the first post-warm-up minute ≤ 2 MiB
  (windows: 10 % of the run, between 10 s and 60 s);
- fds: the same difference ≤ 16 (sockets come and go with the probes in flight), never more
  than 64 + the targets, and for the fds that are not sockets (files, eventfds, pipes) ≤ 1;
- lateness p99 (the flywatch_scheduler_lateness_seconds delta over the window) ≤ 10 ms;
- every alert event the daemon logged (`alert firing`/`repeated`, and `alert resolved` of an
  alert whose firing was sent) reached the receiver exactly once (by webhook-id, signature
  verified), nothing else did, no delivery was given up, the queue is empty at the end;
- the daemon never exits, every reload succeeds, SIGTERM ends it with 0 within 10 s.
`--rss-budget-mib` and `--lateness-budget-ms` change those two budgets (the default suite's short
run loosens them, see docs/testing.md); FLYWATCH_SANITIZED=1 (ASan build) raises them to at
least 64 MiB (ASan's quarantine) and 100 ms.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
from flysim_env import FlySim  # noqa: E402
from harness import check, target, wait_until, webhook_sink  # noqa: E402
from soak_check import (compare, delivered_events, lateness_buckets, logged_events,  # noqa: E402
                        p99_between, window_median)
from soak_faults import FAULT_MODES, ToggleServer, fleet  # noqa: E402

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
GROUPS = 8
MIB = 1024 * 1024
SANITIZED = os.environ.get("FLYWATCH_SANITIZED") == "1"


def seconds(text):
    text = str(text)
    for suffix, mul in (("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)):
        if text.endswith(suffix) and text[:-len(suffix)].replace(".", "").isdigit():
            return float(text[:-len(suffix)]) * mul
    return float(text)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="soak.py")
    p.add_argument("--duration", default="30m")
    p.add_argument("--targets", type=int, default=1000)
    p.add_argument("--interval", default="5s")
    p.add_argument("--timeout", default="2s")
    p.add_argument("--fault-period", default="60s")
    p.add_argument("--hup-period", default="60s")
    p.add_argument("--warmup", type=float, default=0.2, help="share of the run left out")
    p.add_argument("--apps", type=int, default=4)
    p.add_argument("--rss-budget-mib", type=float, default=2.0)
    p.add_argument("--lateness-budget-ms", type=float, default=10.0)
    p.add_argument("--fd-budget", type=int, default=16)
    a = p.parse_args(argv)
    a.duration, a.fault_period, a.hup_period = (seconds(a.duration), seconds(a.fault_period),
                                                seconds(a.hup_period))
    if SANITIZED:  # ASan's quarantine keeps freed memory; its checks slow every probe
        a.rss_budget_mib = max(a.rss_budget_mib, 64.0)
        a.lateness_budget_ms = max(a.lateness_budget_ms, 100.0)
    return a


def fd_kinds(pid):
    """What each open fd of `pid` is (`socket:[…]`, `anon_inode:[eventfd]`, a path…)."""
    out = []
    d = f"/proc/{pid}/fd"
    for fd in os.listdir(d):
        try:
            out.append(os.readlink(os.path.join(d, fd)))
        except OSError:  # closed meanwhile
            pass
    return out


def self_signed(env):
    d = os.path.join(env.dir, "selfsigned")
    os.makedirs(d)
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "30", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return harness.pki_mod.Leaf(cert, key)


class Fixture:
    """Every server of the soak, and the config documents of the two reload variants."""

    def __init__(self, env, flysim_bin, a):
        self.a = a
        pki = env.pki
        self.ng = env.nginx({"good": pki.good, "expired": pki.expired,
                             "selfsigned": self_signed(env)},
                            plain=True, slow_seconds=seconds(a.timeout) + 1)
        self.tog = ToggleServer(GROUPS)
        env.on_cleanup(self.tog.stop)
        self.tog.start()
        self.sim = FlySim(env, flysim_bin, fleet(a.apps)).start()
        self.rcv = env.receiver(SECRET)
        self.d = env.daemon("soak")
        self.ca = pki.ca_cert
        self.base = [self.target(i) for i in range(a.targets)]
        self.base += [self.sim.target(f"fly-{app}", app, interval=a.interval, timeout=a.timeout)
                      for app in self.sim.edges]
        n_extra = max(4, a.targets // 50)
        good = lambda n: target(n, self.ng.url("good"), self.ca)  # noqa: E731
        self.extra = {
            "a": [good(f"extra-a-{j}") for j in range(n_extra)],
            # Half of B's extras are down: they fire, and the next reload (to A) resolves them.
            "b": [good(f"extra-b-{j}") if j % 2 else
                  target(f"extra-b-{j}", self.ng.url("plain", "/down")) for j in range(n_extra)],
        }

    def target(self, i):
        c, g, ng = i % 20, i % GROUPS, self.ng
        if c <= 5:
            return target(f"https-{i}", ng.url("good"), self.ca)
        if c <= 8:
            return target(f"http-{i}", ng.url("plain"))
        if c == 9:
            return target(f"tls-{i}", f"tls://localhost:{ng.ports['good']}", self.ca)
        if c == 10:
            return target(f"tcp-{i}", f"tcp://127.0.0.1:{ng.ports['plain']}")
        if c <= 15:
            return target(f"flip-{i}", self.tog.url(f"/g{g}"))
        if c == 16:
            return (target(f"expired-{i}", ng.url("expired"), self.ca) if i % 40 < 20 else
                    target(f"expired-tls-{i}", f"tls://localhost:{ng.ports['expired']}", self.ca))
        if c == 17:
            return target(f"selfsigned-{i}", ng.url("selfsigned"), self.ca)
        if c == 18:
            return target(f"flip-tcp-{i}", f"tcp://127.0.0.1:{self.tog.port}",
                          send=f"PING {g}\r\n", expect={"banner_regex": "^\\+PONG"})
        return target(f"slow-{i}", ng.url("plain", "/slow"))

    def config(self, variant):
        a = self.a
        alerts = {"rules": {"MachineUnhealthy": {"for": "5s"}, "AppNoHealthyMachines": {"for": "5s"}},
                  "sinks": [webhook_sink("hook", self.rcv.url(), SECRET, timeout="5s",
                                         retry={"initial": "500ms", "max": "5s"})]}
        fly = self.sim.fly_section([self.sim.app(app, target=f"fly-{app}") for app in self.sim.edges],
                                   poll_interval="2s")
        return self.d.config(self.base + self.extra[variant], interval=a.interval, timeout=a.timeout,
                             alerts=alerts, extra={"fly": fly})


def machines(sim):
    return {app: [m["id"] for m in a["machines"]] for app, a in
            ((a["name"], a) for a in sim.fleet["apps"])}


class Soak:
    def __init__(self, env, fx, a):
        self.env, self.fx, self.a, self.d = env, fx, a, fx.d
        self.rss, self.fds, self.files, self.scrapes = [], [], [], []  # (t since start, value)
        self.notes = {"hups": 0, "fault_ticks": 0, "api_faults": 0, "db_toggles": 0,
                      "queue_max_in_outage": 0, "reload_failures": 0}
        self.db_down = set()

    def sample(self, t):
        self.d.assert_alive()
        pid = self.d.proc.pid
        self.rss.append((t, harness.rss_bytes(pid)))
        fds = fd_kinds(pid)
        self.fds.append((t, len(fds)))
        self.files.append((t, sum(1 for k in fds if not k.startswith("socket:"))))

    def scrape(self, t):
        m = self.d.metrics()
        self.scrapes.append((t, lateness_buckets(m)))
        if m.value("flywatch_config_last_reload_successful") != 1:
            self.notes["reload_failures"] += 1
        return m

    def fault_tick(self, k):
        """Half the toggle groups change mode; one app's database flips; an API fault."""
        self.notes["fault_ticks"] += 1
        for g in range(GROUPS):
            bad = (k + g) % 2 == 1
            self.fx.tog.set_mode(g, FAULT_MODES[(k + g) % len(FAULT_MODES)] if bad else "ok")
        ms = machines(self.fx.sim)
        app = sorted(ms)[k % len(ms)]
        kind = "db_up" if app in self.db_down else "db_down"
        for mid in ms[app]:
            self.fx.sim.fault(mid, kind)
        (self.db_down.discard if kind == "db_up" else self.db_down.add)(app)
        self.notes["db_toggles"] += 1
        fault = k % 3
        self.fx.sim.api_fault(status=(429, 500)[fault] if fault < 2 else None,
                              garbage=fault == 2, count=3)
        self.notes["api_faults"] += 1

    def hup(self, k):
        self.d.write_config(self.fx.config("ab"[k % 2]))
        self.d.send_signal(signal.SIGHUP)
        self.notes["hups"] += 1

    def run(self):
        a, fx = self.a, self.fx
        fx.d.write_config(fx.config("a"))
        fx.d.start()
        t0 = time.monotonic()
        outage = (0.40 * a.duration, 0.55 * a.duration)
        next_sample = next_scrape = 0.0
        next_fault, next_hup, k_fault, k_hup = a.fault_period, a.hup_period, 0, 1
        while True:
            t = time.monotonic() - t0
            if t >= a.duration:
                break
            if t >= next_sample:
                self.sample(t)
                next_sample += 2.0
            if t >= next_scrape:
                m = self.scrape(t)
                if not fx.rcv.is_up:
                    self.notes["queue_max_in_outage"] = max(
                        self.notes["queue_max_in_outage"],
                        m.value("flywatch_webhook_queue_depth", sink="hook") or 0)
                next_scrape += 5.0
            if t >= next_fault:
                self.fault_tick(k_fault)
                k_fault += 1
                next_fault += a.fault_period
            if t >= next_hup:
                self.hup(k_hup)
                k_hup += 1
                next_hup += a.hup_period
            if outage[0] <= t < outage[1] and fx.rcv.is_up:
                fx.rcv.down()
                print(f"soak: receiver down at {t:.0f}s", flush=True)
            elif t >= outage[1] and not fx.rcv.is_up:
                fx.rcv.up()
                print(f"soak: receiver up at {t:.0f}s", flush=True)
            time.sleep(0.2)
        self.scrape(time.monotonic() - t0)
        self.sample(time.monotonic() - t0)
        return self.settle()

    def settle(self):
        """Faults off, receiver up; waits until everything logged is delivered and the queue
        is empty, then SIGTERM. Returns (exit code, seconds the exit took, settle seconds)."""
        fx = self.fx
        fx.rcv.up()
        for g in range(GROUPS):
            fx.tog.set_mode(g, "ok")
        for app, ids in machines(fx.sim).items():
            if app in self.db_down:
                for mid in ids:
                    fx.sim.fault(mid, "db_up")
        t = time.monotonic()
        slack = 4 if SANITIZED else 1

        def quiet():
            self.d.assert_alive()
            expected, _, _ = logged_events(self.d.log())
            delivered, _ = delivered_events(fx.rcv)
            depth = self.d.metrics().value("flywatch_webhook_queue_depth", sink="hook")
            return expected == delivered and depth == 0
        try:
            wait_until(quiet, 120 * slack, "every logged alert event delivered, queue empty", 1.0)
        except harness.CheckFailed as e:
            print(f"soak: {e}", flush=True)
        settle = time.monotonic() - t
        rc, took = self.d.stop(grace=10.0)
        return rc, took, settle


def judge(s, a, rc, took, settle):
    """The summary table; returns the list of budgets missed."""
    d, fx = s.d, s.fx
    warm = a.warmup * a.duration
    w = max(10.0, min(60.0, 0.1 * a.duration))
    end = a.duration
    rss0, rss1 = window_median(s.rss, warm, warm + w), window_median(s.rss, end - w, end + 1)
    fd0, fd1 = window_median(s.fds, warm, warm + w), window_median(s.fds, end - w, end + 1)
    fd_max = max(v for t, v in s.fds if t >= warm)
    nf0, nf1 = window_median(s.files, warm, warm + w), window_median(s.files, end - w, end + 1)
    before = next(b for t, b in s.scrapes if t >= warm)
    p99, share, probes = p99_between(before, s.scrapes[-1][1])
    log = d.log()
    expected, labels, counts = logged_events(log)
    delivered, problems = delivered_events(fx.rcv)
    diff = compare(expected, delivered, labels)
    n_expected = sum(len(v) for v in expected.values())
    n_delivered = sum(len(v) for v in delivered.values())
    m_failed = sum(1 for q in fx.rcv.requests() if q.answered_status and q.answered_status >= 300)
    reloads = log.count('msg="config reloaded"')
    rows, missed = [], []

    def row(name, value, budget, ok):
        rows.append((name, value, budget, "ok" if ok else "MISSED"))
        if not ok:
            missed.append(f"{name}: {value} (budget {budget})")

    rss_growth = (rss1 - rss0) / MIB
    row("RSS growth after warm-up", f"{rss_growth:+.2f} MiB ({rss0 / MIB:.1f} → {rss1 / MIB:.1f} MiB)",
        f"≤ {a.rss_budget_mib:g} MiB", rss_growth <= a.rss_budget_mib)
    row("fd growth after warm-up", f"{fd1 - fd0 + 0.0:+.0f} ({fd0:.0f} → {fd1:.0f}, max {fd_max})",
        f"≤ {a.fd_budget}, max ≤ {64 + a.targets}", fd1 - fd0 <= a.fd_budget
        and fd_max <= 64 + a.targets)
    row("non-socket fd growth", f"{nf1 - nf0 + 0.0:+.0f} ({nf0:.0f} → {nf1:.0f})", "≤ 1", nf1 - nf0 <= 1)
    row("scheduler lateness p99", f"{p99 * 1000:.2f} ms ({share * 100:.2f} % ≤ 10 ms, "
        f"{probes:.0f} probes)" if p99 is not None else "no probes",
        f"≤ {a.lateness_budget_ms:g} ms", p99 is not None and p99 * 1000 <= a.lateness_budget_ms)
    row("alert events delivered", f"{n_delivered} of {n_expected} logged ({counts['firing']} firing, "
        f"{counts['resolved']} resolved, {counts['inhibited']} inhibited, "
        f"{counts['resolved_unsent']} resolved never paged)", "all, once each",
        not diff and not problems)
    row("webhook requests refused or cut", f"{len(fx.rcv.requests())} requests, "
        f"{m_failed} not 2xx; queue max {s.notes['queue_max_in_outage']:.0f} during the outage",
        "events queued during the outage", s.notes["queue_max_in_outage"] > 0)
    row("reloads (SIGHUP)", f"{reloads} logged for {s.notes['hups']} SIGHUPs, "
        f"{s.notes['reload_failures']} scrapes saw a failed one", "all succeed",
        reloads >= s.notes["hups"] and s.notes["reload_failures"] == 0)
    served = dict(fx.tog.served)
    row("faults served", ", ".join(f"{k} {v}" for k, v in sorted(served.items()))
        + f"; {s.notes['api_faults']} API fault bursts, {s.notes['db_toggles']} database flips",
        "every fault mode", all(served.get(m, 0) > 0 for m in FAULT_MODES))
    row("alert events (enough to judge)", f"{counts['firing']} firing, {counts['resolved']} resolved",
        "≥ 5 each", counts["firing"] >= 5 and counts["resolved"] >= 5)
    row("SIGTERM", f"exit {rc} after {took:.2f} s (settled in {settle:.1f} s)", "0 within 10 s",
        rc == 0)
    width = max(len(r[0]) for r in rows)
    print(f"\nsoak: {a.duration:.0f} s, {a.targets} targets + {len(fx.sim.edges)} app targets, "
          f"interval {a.interval}, warm-up {warm:.0f} s, windows {w:.0f} s"
          + (" (sanitized build: RSS and lateness budgets loosened)" if SANITIZED else ""))
    for name, value, budget, verdict in rows:
        print(f"  {name:<{width}}  {verdict:<6}  {value}   [budget {budget}]")
    for line in diff + problems[:10]:
        print(f"  alert mismatch: {line}")
    return missed


def main(env, flysim_bin, *argv):
    a = parse_args(list(argv))
    fx = Fixture(env, flysim_bin, a)
    s = Soak(env, fx, a)
    rc, took, settle = s.run()
    missed = judge(s, a, rc, took, settle)
    check(not missed, "budgets missed:\n  " + "\n  ".join(missed))


if __name__ == "__main__":
    harness.run(main)
