#!/usr/bin/env python3
"""Debian's Prometheus scrapes the daemon and sees flywatch_probe_success 1 for a healthy
target; `promtool check metrics` finds nothing to complain about in the /metrics text.
"""

import subprocess

import harness
import prom
from prom import start_prometheus
from harness import PATH_DOWN, check, target, wait_until

PROMTOOL = "/usr/bin/promtool"


def query(port, q):
    """`q`'s values by their `target` label."""
    return {m.get("target", ""): v for m, v in prom.query(port, q)}


def check_promtool(d):
    status, text = d.get("/metrics")
    check(status == 200, f"/metrics: {status}")
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=30)
    check(r.returncode == 0 and not r.stdout.strip(),
          f"promtool check metrics: exit {r.returncode}, output:\n{r.stdout}")


def main(env):
    ng = env.nginx({"good": env.pki.good})
    ca = env.pki.ca_cert
    d = env.daemon()
    d.write_config(d.config([target("healthy", ng.url("good"), ca),
                             target("down", ng.url("good", PATH_DOWN), ca)],
                            interval="1s", timeout="700ms"))
    d.start()
    # Let both targets report before linting, so every per-target series exists.
    wait_until(lambda: all(t.get("last") for t in d.status().values()), 15, "both targets probed")
    check_promtool(d)

    proc, port, log_path = start_prometheus(env, d.port)

    def scraped():
        if proc.poll() is not None:
            with open(log_path) as f:
                raise harness.CheckFailed(f"prometheus exited: {f.read()[-3000:]}")
        d.assert_alive()
        values = query(port, "flywatch_probe_success")
        return values if values.get("healthy") == 1 else None
    values = wait_until(scraped, 60, "prometheus to see flywatch_probe_success{target=healthy} 1",
                        interval=1)
    check(values.get("down") == 0, f"prometheus sees down={values.get('down')}, want 0")
    up = query(port, 'up{job="flywatch"}')
    check(list(up.values()) == [1.0], f"prometheus up{{job=flywatch}}: {up}")
    print(f"prometheus sees flywatch_probe_success: {values}")
    rc, took = d.stop()
    check(rc == 0, f"SIGTERM: exit code {rc} after {took:.1f}s")


if __name__ == "__main__":
    harness.run(main)
