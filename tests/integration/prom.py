"""Debian's Prometheus on loopback for the integration tests (stdlib only)."""

import json
import os
import urllib.parse

import harness

PROMETHEUS = "/usr/bin/prometheus"


def start_prometheus(env, flywatch_port=None, scrape_self=False, rule_files=(), groups=None):
    """Starts Prometheus scraping flywatch on 127.0.0.1:`flywatch_port` every second (and itself
    with `scrape_self`, job "prometheus"), evaluating `rule_files` every second; stopped by
    env's cleanup. Instead of one port, `groups` lists ([ports], {label: value}): several
    flywatch instances in the one job, each group with labels of its own (e.g. a vantage).
    Returns (process, port, log path)."""
    d = os.path.join(env.dir, "prometheus")
    os.makedirs(d)
    port = harness.free_port()
    conf = os.path.join(d, "prometheus.yml")
    if groups is None:
        groups = [([flywatch_port], {})]
    jobs = "  - job_name: flywatch\n    static_configs:\n"
    for ports, labels in groups:
        jobs += "      - targets: [" + ", ".join(f"'127.0.0.1:{p}'" for p in ports) + "]\n"
        if labels:
            jobs += "        labels: {" + ", ".join(f"{k}: '{v}'" for k, v in labels.items()) + "}\n"
    if scrape_self:
        jobs += f"""\
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:{port}']
"""
    with open(conf, "w") as f:
        rules = "".join(f"  - '{os.path.abspath(r)}'\n" for r in rule_files)
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                "  evaluation_interval: 1s\n"
                + (f"rule_files:\n{rules}" if rules else "")
                + "scrape_configs:\n" + jobs)
    log = open(os.path.join(d, "prometheus.log"), "w")
    proc = harness.start_process(
        [PROMETHEUS, f"--config.file={conf}", f"--storage.tsdb.path={d}/data",
         f"--web.listen-address=127.0.0.1:{port}",
         f"--web.console.templates={d}", f"--web.console.libraries={d}"],
        stdout=log, stderr=log)
    log.close()
    env.on_cleanup(lambda: harness.stop_process(proc, grace=10))
    harness.wait_port(port, proc, "prometheus", timeout=30, log_path=log.name)
    return proc, port, log.name


def query(port, expr):
    """The instant vector of `expr` on the Prometheus at 127.0.0.1:`port`, as (labels, value)
    pairs; fails the test on an HTTP or query error."""
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    status, body = harness.http_request(url)
    harness.check(status == 200, f"prometheus query {expr!r}: {status} {body[:300]}")
    doc = json.loads(body)
    harness.check(doc.get("status") == "success", f"prometheus query {expr!r}: {doc}")
    return [(r["metric"], float(r["value"][1])) for r in doc["data"]["result"]]
