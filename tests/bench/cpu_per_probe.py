#!/usr/bin/env python3
"""CPU time per HTTPS probe: flywatch (connection: fresh and reuse) vs prometheus-blackbox-exporter.

Budgets (DESIGN §9, §13): flywatch's CPU per probe on loopback is at most 0.25 x
blackbox_exporter's with `connection: fresh` (a new TCP connection and full TLS handshake per
probe) and at most 0.05 x with `connection: reuse` (one kept-alive connection per target),
both measured in the same run, in the same window.

What runs, side by side, for the same measurement window:
- one nginx on 127.0.0.1 with TLS (a throwaway CA and a leaf for localhost, made with the
  `openssl` CLI) answering `GET /` with a small JSON body; TLS session caching and tickets are
  off in nginx, so every new connection of any prober pays a full handshake; keep-alive is on
  (keepalive_timeout 60s, well above the interval; keepalive_requests 100000), so a reused
  connection is never closed by nginx during the run;
- two flywatch daemons, one with --targets N `connection: fresh` targets and one with
  --reuse-targets M `connection: reuse` targets, all pointing at that nginx (distinct names
  and query strings) at --interval, so each completes about N / interval probes per second on
  its own schedule;
- prometheus-blackbox-exporter with an `http_2xx` module that trusts the test CA; this script
  hits its `/probe?target=…&module=http_2xx` endpoint from --bb-concurrency threads in a loop
  for the window. Blackbox builds a new HTTP client per probe, so each is a fresh TCP + TLS
  connection (blackbox has no connection reuse to compare with).

What is measured: each process's utime + stime from /proc/<pid>/stat at the start and at the
end of the window, divided by the probes it completed in the window — for each flywatch the
change in sum(flywatch_probes_total) (read from its /metrics, so two scrapes are included in
its CPU), for blackbox the number of /probe answers that reported probe_success 1. After the
window, the reuse daemon's /api/v1/status must show its targets' last probes on reused
connections ("connection": "reused"), or the reuse figure would not be measuring reuse.

Note on fairness: blackbox's CPU also includes serving the HTTP /probe request and rendering
the probe's metrics page, because that is how blackbox is used (Prometheus asks it per probe);
flywatch schedules probes itself and serves no request per probe. Nothing is subtracted from
either side: the comparison is the cost of one probe as each tool is deployed.

Run on purpose (not part of `meson test`):
    python3 tests/bench/cpu_per_probe.py --flywatch build/daemon/flywatch [--targets 100]
Exit 0 when both ratios are within their budgets, 1 when one is over, 2 on a setup error.
"""

import argparse
import os
import sys
import threading
import time
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

import harness  # noqa: E402
from harness import target, wait_until  # noqa: E402
from procs import CLK_TCK, cpu_seconds, free_port, start_process, stop_process, wait_port  # noqa: E402

BLACKBOX = "/usr/bin/prometheus-blackbox-exporter"
BUDGET_FRESH = 0.25
BUDGET_REUSE = 0.05


def start_blackbox(env, ca_file):
    d = os.path.join(env.dir, "blackbox")
    os.makedirs(d)
    conf = os.path.join(d, "blackbox.yml")
    with open(conf, "w") as f:
        f.write(f"""\
modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      method: GET
      valid_status_codes: [200]
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      fail_if_not_ssl: true
      tls_config:
        ca_file: {ca_file}
""")
    port = free_port()
    log = open(os.path.join(d, "blackbox.log"), "w")
    proc = start_process([BLACKBOX, f"--config.file={conf}", f"--web.listen-address=127.0.0.1:{port}",
                          "--log.level=warn"], stdout=log, stderr=log)
    log.close()
    env.on_cleanup(lambda: stop_process(proc))
    wait_port(port, proc, "blackbox exporter", log_path=log.name)
    return proc, port


class BlackboxLoad:
    """Threads that call /probe back to back until stopped, counting successful probes."""

    def __init__(self, port, probe_url, threads):
        q = urllib.parse.urlencode({"target": probe_url, "module": "http_2xx"})
        self.url = f"http://127.0.0.1:{port}/probe?{q}"
        self.ok = 0
        self.failed = 0
        self.counting = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(threads)]

    def _loop(self):
        while not self._stop.is_set():
            try:
                with urllib.request.urlopen(self.url, timeout=10) as r:
                    good = "\nprobe_success 1" in r.read().decode()
            except OSError:
                good = False
            with self._lock:
                if self.counting:
                    if good:
                        self.ok += 1
                    else:
                        self.failed += 1

    def start(self):
        for t in self._threads:
            t.start()

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=15)


def flywatch_probes(d):
    m = d.metrics()
    return sum(v for _, v in m.all("flywatch_probes_total")), \
        sum(v for _, v in m.all("flywatch_probes_total", result="failure"))


def reused_targets(d):
    """How many targets' last probe ran on a reused connection, and how many targets."""
    targets = list(d.status().values())
    return sum(1 for t in targets if (t.get("last") or {}).get("connection") == "reused"), len(targets)


def start_flywatch(env, name, url, count, args, connection):
    d = env.daemon(name)
    extra = {"connection": "reuse"} if connection == "reuse" else {}
    targets = [target(f"{connection}{i:05d}", f"{url}?{connection}={i}", env.pki.ca_cert, **extra)
               for i in range(count)]
    d.write_config(d.config(targets, interval=args.interval, timeout="900ms"))
    d.start(args=["--log-level", "warn"])
    return d


def bench(env, args):
    ng = env.nginx({"good": env.pki.good}, keepalive_timeout="60s", keepalive_requests=100000)
    url = ng.url("good")
    fresh = start_flywatch(env, "flywatch-fresh", url, args.targets, args, "fresh")
    reuse = start_flywatch(env, "flywatch-reuse", url, args.reuse_targets, args, "reuse")
    bb_proc, bb_port = start_blackbox(env, env.pki.ca_cert)
    load = BlackboxLoad(bb_port, url, args.bb_concurrency)
    load.start()

    # Warm-up: flywatch's first round spread out, blackbox's Go runtime warm.
    wait_until(lambda: flywatch_probes(fresh)[0] >= args.targets, 30, "flywatch fresh's first round")
    wait_until(lambda: flywatch_probes(reuse)[0] >= args.reuse_targets, 30,
               "flywatch reuse's first round")
    time.sleep(args.warmup)

    daemons = {"fresh": fresh, "reuse": reuse}
    n0 = {k: flywatch_probes(d) for k, d in daemons.items()}
    cpu0 = {k: cpu_seconds(d.proc.pid) for k, d in daemons.items()}
    bb_cpu0 = cpu_seconds(bb_proc.pid)
    ng_cpu0 = cpu_seconds(ng.proc.pid)
    with load._lock:
        load.counting = True
    t0 = time.monotonic()
    time.sleep(args.duration)
    with load._lock:
        load.counting = False
        bb_ok, bb_failed = load.ok, load.failed
    bb_cpu1 = cpu_seconds(bb_proc.pid)
    cpu1 = {k: cpu_seconds(d.proc.pid) for k, d in daemons.items()}
    ng_cpu1 = cpu_seconds(ng.proc.pid)
    n1 = {k: flywatch_probes(d) for k, d in daemons.items()}
    elapsed = time.monotonic() - t0
    load.stop()
    for d in daemons.values():
        d.assert_alive()
    reused, reuse_total = reused_targets(reuse)

    bb_cpu = bb_cpu1 - bb_cpu0
    if bb_ok <= 0:
        raise harness.CheckFailed(f"no blackbox probes completed: {bb_ok}")
    bb_per = bb_cpu / bb_ok
    print(f"window {elapsed:.1f}s, {os.cpu_count()} CPUs, clock tick {1 / CLK_TCK:.3f}s")
    ratios = {}
    any_failed = bb_failed > 0
    for k, count in (("fresh", args.targets), ("reuse", args.reuse_targets)):
        n, failed = n1[k][0] - n0[k][0], n1[k][1] - n0[k][1]
        cpu = cpu1[k] - cpu0[k]
        if n <= 0:
            raise harness.CheckFailed(f"no flywatch {k} probes completed")
        any_failed = any_failed or failed > 0
        per = cpu / n
        ratios[k] = per / bb_per
        print(f"flywatch {k}: {n:6.0f} probes ({failed:.0f} failed), {cpu:7.2f} s CPU, "
              f"{per * 1e6:8.1f} us/probe  ({count} targets every {args.interval})")
    print(f"blackbox:       {bb_ok:6d} probes ({bb_failed} failed), {bb_cpu:7.2f} s CPU, "
          f"{bb_per * 1e6:8.1f} us/probe  ({args.bb_concurrency} client threads)")
    print(f"nginx:          {ng_cpu1 - ng_cpu0:7.2f} s CPU serving all three")
    print(f"reuse daemon: {reused} of {reuse_total} targets' last probe on a reused connection")
    print(f"ratio flywatch fresh/blackbox CPU per probe: {ratios['fresh']:.3f} (budget <= {BUDGET_FRESH})")
    print(f"ratio flywatch reuse/blackbox CPU per probe: {ratios['reuse']:.3f} (budget <= {BUDGET_REUSE})")
    if any_failed:
        print("warning: some probes failed; their CPU is still counted", file=sys.stderr)
    if reused < reuse_total * 0.9:
        raise harness.CheckFailed(f"only {reused} of {reuse_total} reuse targets were on a reused "
                                  "connection: the reuse figure does not measure reuse")
    return ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flywatch", required=True, help="path to the flywatch binary")
    ap.add_argument("--targets", type=int, default=100,
                    help="flywatch connection: fresh targets (default 100)")
    ap.add_argument("--reuse-targets", type=int, default=100,
                    help="flywatch connection: reuse targets, in a second daemon (default 100)")
    ap.add_argument("--interval", default="1s", help="flywatch probe interval (default 1s)")
    ap.add_argument("--duration", type=float, default=20.0, help="measurement window, s (default 20)")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds after the first round (default 3)")
    ap.add_argument("--bb-concurrency", type=int, default=2,
                    help="threads calling blackbox /probe back to back (default 2)")
    args = ap.parse_args()
    if not os.access(args.flywatch, os.X_OK):
        print(f"not executable: {args.flywatch}", file=sys.stderr)
        return 2
    env = harness.Env(os.path.abspath(args.flywatch))
    try:
        ratios = bench(env, args)
    except Exception as e:  # setup or measurement failure: say so, clean up, exit 2
        print(f"benchmark failed: {e}", file=sys.stderr)
        env.dump_logs()
        return 2
    finally:
        env.close(keep=bool(os.environ.get("FLYWATCH_KEEP_TMP")))
    return 0 if ratios["fresh"] <= BUDGET_FRESH and ratios["reuse"] <= BUDGET_REUSE else 1


if __name__ == "__main__":
    sys.exit(main())
