"""Debian's prometheus-alertmanager next to a flywatch daemon in the integration tests (stdlib
only).

    am = Alertmanager(env).start()          # stopped by env's cleanup, whatever happens
    d.config(..., extra={"alerts": {"sinks": [{"name": "am", "type": "alertmanager",
                                               "url": am.url, "resend_interval": "2s"}]}})
    firing = am.alerts(alertname="TargetDown")   # GET /api/v2/alerts?filter=alertname="TargetDown"

It listens on 127.0.0.1:<free port> with a throwaway config (one receiver that sends nothing,
short group_wait), keeps its storage in the test's temp dir and runs with clustering off, so
nothing it does leaves the test. `start_cluster` starts several nodes gossiping on loopback
instead, routing every alert to a webhook (each alert its own group), for the deduplication
tests:

    nodes = start_cluster(env, 2, rx.url("/am"))   # both report the cluster ready
    nodes[0].kill()                                 # SIGKILL: a crash, not a graceful leave API v2 lists only alerts that are not resolved: an alert whose
`endsAt` has passed is gone from GET /api/v2/alerts (there is no `?active=false` for resolved
ones), which is why `received()` reads the alertmanager_alerts_received_total counters too.
"""

import json
import os
import signal
import urllib.parse

from harness import check, free_port, http_request, parse_metrics, start_process, stop_process
from harness import wait_until

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"

_CONFIG = """\
# Throwaway config of one integration test: every alert goes to a receiver with no
# notifier, so Alertmanager stores and groups alerts but never sends anything anywhere.
route:
  receiver: "null"
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: "null"
"""

_WEBHOOK_CONFIG = """\
# Throwaway config of one integration test: every alert is a group of its own ('...'), sent
# once to the test's webhook receiver (repeat_interval far beyond the test).
route:
  receiver: hook
  group_by: ['...']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: {url}
        send_resolved: true
"""


class Alertmanager:
    """One Alertmanager process on 127.0.0.1; `url` is the base URL flywatch's sink takes."""

    def __init__(self, env, name="alertmanager", webhook_url=None):
        """`webhook_url`: route every alert there (see _WEBHOOK_CONFIG) instead of nowhere."""
        self.env = env
        self.name = name
        self.dir = os.path.join(env.dir, name)
        self.port = free_port()
        self.cluster_port = None
        self.webhook_url = webhook_url
        self.config_path = os.path.join(self.dir, "alertmanager.yml")
        self.log_path = os.path.join(self.dir, "alertmanager.log")
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=30.0, cluster=None):
        """Starts the process and waits for /-/ready. `cluster`: a dict of the gossip settings,
        {"peers": [ports], "peer_timeout": "3s"}, after `cluster_port` was set; without it,
        clustering is off."""
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        with open(self.config_path, "w") as f:
            f.write(_WEBHOOK_CONFIG.format(url=self.webhook_url) if self.webhook_url else _CONFIG)
        args = [ALERTMANAGER,
                f"--config.file={self.config_path}",
                f"--storage.path={os.path.join(self.dir, 'data')}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                f"--web.external-url={self.url}",
                "--log.level=info"]
        if cluster is None:
            # Empty: no gossip listener, so no cluster and no other port taken.
            args.append("--cluster.listen-address=")
        else:
            gossip = f"127.0.0.1:{self.cluster_port}"
            args += [f"--cluster.listen-address={gossip}",
                     # On loopback there is no private address to discover: say which one.
                     f"--cluster.advertise-address={gossip}",
                     f"--cluster.peer-timeout={cluster['peer_timeout']}",
                     # Gossip and failure detection fast enough for a test (settling takes
                     # ten gossip intervals a round).
                     "--cluster.gossip-interval=100ms",
                     "--cluster.probe-interval=500ms",
                     "--cluster.pushpull-interval=5s"]
            args += [f"--cluster.peer=127.0.0.1:{p}" for p in cluster["peers"]]
        log = open(self.log_path, "a")
        self.proc = start_process(args, stdout=log, stderr=log)
        log.close()
        self.env.on_cleanup(self.stop)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"alertmanager exited with {self.proc.returncode}:\n"
                                     f"{self.log()[-3000:]}")
            return http_request(self.url + "/-/ready", timeout=2)[0] == 200
        wait_until(ready, timeout, "alertmanager /-/ready")
        return self

    def stop(self):
        """Stops the process (its whole process group); safe to call twice."""
        stop_process(self.proc)

    def kill(self):
        """SIGKILL, as a crash: the node leaves its cluster without a word."""
        stop_process(self.proc, sig=signal.SIGKILL)

    def status(self):
        """GET /api/v2/status: {"cluster": {"status", "peers", …}, "versionInfo", …}."""
        status, body = http_request(self.url + "/api/v2/status")
        check(status == 200, f"{self.name} GET /api/v2/status: {status} {body[:300]}")
        return json.loads(body)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def assert_alive(self):
        check(self.proc is not None and self.proc.poll() is None,
              f"alertmanager is not running; log:\n{self.log()[-3000:]}")

    def alerts(self, active=True, silenced=True, inhibited=True, unprocessed=True, **labels):
        """GET /api/v2/alerts: the gettable alerts (dicts with labels, annotations, startsAt,
        endsAt, updatedAt, fingerprint, status{state}) whose labels equal `labels`, sorted by
        fingerprint. The boolean filters are Alertmanager's own; resolved alerts are never
        listed."""
        query = [("active", str(active).lower()), ("silenced", str(silenced).lower()),
                 ("inhibited", str(inhibited).lower()), ("unprocessed", str(unprocessed).lower())]
        query += [("filter", f"{k}={json.dumps(str(v))}") for k, v in sorted(labels.items())]
        status, body = http_request(self.url + "/api/v2/alerts?" + urllib.parse.urlencode(query))
        check(status == 200, f"alertmanager GET /api/v2/alerts: {status} {body[:500]}")
        doc = json.loads(body)
        check(isinstance(doc, list), f"alertmanager alerts is not a list: {body[:500]}")
        return sorted(doc, key=lambda a: a.get("fingerprint", ""))

    def received(self):
        """{"firing": n, "resolved": n}: alerts Alertmanager accepted through its API so far
        (alertmanager_alerts_received_total, summed over API versions). Every POSTed alert counts
        once, so a re-send of a firing alert adds one to "firing"."""
        status, text = http_request(self.url + "/metrics")
        check(status == 200, f"alertmanager /metrics: {status} {text[:300]}")
        out = {"firing": 0, "resolved": 0}
        for name, labels, value in parse_metrics(text):
            if name == "alertmanager_alerts_received_total" and labels.get("status") in out:
                out[labels["status"]] += int(value)
        return out

    def invalid(self):
        """alertmanager_alerts_invalid_total: POSTed alerts Alertmanager refused."""
        status, text = http_request(self.url + "/metrics")
        check(status == 200, f"alertmanager /metrics: {status} {text[:300]}")
        return sum(int(v) for n, _, v in parse_metrics(text)
                   if n == "alertmanager_alerts_invalid_total")


def start_cluster(env, size, webhook_url, peer_timeout="3s", timeout=30.0):
    """`size` Alertmanager nodes gossiping on loopback (each given every other as a peer), all
    routing to `webhook_url`; returns them once every node reports the cluster `ready` with all
    `size` peers (GET /api/v2/status). A notification is sent by the first node in the
    cluster's order; the n-th waits n × `peer_timeout` and sends only when the notification log
    gossiped to it shows none yet."""
    nodes = [Alertmanager(env, f"alertmanager-{i + 1}", webhook_url=webhook_url)
             for i in range(size)]
    for n in nodes:
        n.cluster_port = free_port()
    for n in nodes:
        n.start(timeout, cluster={"peers": [o.cluster_port for o in nodes if o is not n],
                                  "peer_timeout": peer_timeout})

    def ready():
        for n in nodes:
            n.assert_alive()
            c = n.status()["cluster"]
            if c.get("status") != "ready" or len(c.get("peers") or []) != size:
                return None
        return True
    wait_until(ready, timeout, f"{size} alertmanager nodes reporting the cluster ready")
    return nodes
