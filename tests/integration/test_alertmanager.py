#!/usr/bin/env python3
"""The `alertmanager` sink (DESIGN §7) against a real Alertmanager (Debian's 0.25):

- a target goes down (failure_threshold 1, TargetDown for 0s): Alertmanager's API lists an active
  TargetDown alert whose labels are exactly flywatch's (alertname, severity, target, as in its
  `alert firing` log line), with endsAt in the future;
- while it stays down the alert stays active across several resend intervals (2 s): flywatch
  re-sends it (Alertmanager's received counter and the alert's updatedAt advance), about once
  per interval, never letting it lapse;
- the target recovers: flywatch POSTs the alert with endsAt at the resolve time, so Alertmanager
  counts a resolved alert and drops it from its active list before the last firing endsAt would
  have expired it; no re-sends after that;
- Alertmanager refused none of flywatch's POSTs.

Usage: test_alertmanager.py <flywatch>
"""

import datetime
import time

import harness
from alertmanager import Alertmanager
from flysim_env import log_events, wait_event
from harness import check, target, wait_until
from receiver import StatusServer

RESEND_S = 2.0
INTERVAL = "500ms"
TARGET_LABELS = {"alertname": "TargetDown", "severity": "critical", "target": "web"}


def parse_time(s):
    """RFC 3339 as Alertmanager writes it (…Z, up to nanoseconds) → unix seconds."""
    return datetime.datetime.fromisoformat(s).timestamp()


def the_alert(am):
    """The one TargetDown alert of `web` Alertmanager lists as active, or None."""
    found = am.alerts(alertname="TargetDown", target="web")
    check(len(found) <= 1, f"alertmanager lists {len(found)} TargetDown alerts for web: {found}")
    if not found:
        return None
    a = found[0]
    check(a["status"]["state"] == "active", f"TargetDown in alertmanager is not active: {a}")
    return a


def firing_gauge(d):
    return d.metrics().value("flywatch_alerts_firing", alertname="TargetDown") or 0


def main(env):
    am = Alertmanager(env).start()
    srv = StatusServer()
    env.on_cleanup(srv.stop)

    d = env.daemon()
    d.write_config(d.config(
        [target("web", srv.url())], interval=INTERVAL, timeout="400ms",
        failure_threshold=1, success_threshold=1,
        extra={"alerts": {
            "rules": {"TargetDown": {"for": "0s"}},
            "sinks": [{"name": "am", "type": "alertmanager", "url": am.url,
                       "resend_interval": f"{RESEND_S:g}s"}]}}))
    r = env.run_cli("check-config", "--config", d.config_path)
    check(r.returncode == 0, f"check-config refused the alertmanager config (exit {r.returncode}):"
                             f" {r.stderr.strip()}")
    d.start()
    wait_until(lambda: d.status()["web"]["state"] == "up", 10, "web up")
    time.sleep(1.0)
    check(am.alerts() == [] and am.received() == {"firing": 0, "resolved": 0},
          f"alertmanager got alerts while the target was up: {am.alerts()} {am.received()}")

    # 1. Down: an active TargetDown with flywatch's labels.
    srv.set("/", 503)
    t_down = time.time()
    a = wait_until(lambda: the_alert(am), 6, "TargetDown active in alertmanager")
    got_at = time.time()
    ev = wait_event(d, 5, "alert firing", alertname="TargetDown", target="web")
    flywatch_labels = {k: ev[k] for k in ("alertname", "severity", "target")}
    check(flywatch_labels == TARGET_LABELS, f"flywatch's `alert firing` line: {ev}")
    check(a["labels"] == flywatch_labels,
          f"alertmanager labels {a['labels']} != flywatch's {flywatch_labels}")
    starts, ends = parse_time(a["startsAt"]), parse_time(a["endsAt"])
    check(t_down - 1.5 <= starts <= got_at + 0.5,
          f"startsAt {a['startsAt']} is not when the target went down ({t_down:.3f})")
    check(ends > time.time() + RESEND_S,
          f"a firing alert's endsAt {a['endsAt']} is not past the next resend ({RESEND_S}s away)")
    check(firing_gauge(d) == 1, "flywatch_alerts_firing{alertname=TargetDown} != 1")
    print(f"TargetDown active in alertmanager {got_at - t_down:.2f}s after the target went down: "
          f"labels {a['labels']}, endsAt {a['endsAt']}")

    # 2. Still down: re-sent every resend interval, never lapsing.
    received0, updated0, fingerprint = am.received(), parse_time(a["updatedAt"]), a["fingerprint"]
    window = 3 * RESEND_S + 1.5
    t0 = time.monotonic()
    last = a
    while time.monotonic() - t0 < window:
        time.sleep(0.25)
        cur = the_alert(am)
        check(cur is not None, f"TargetDown dropped out of alertmanager "
                               f"{time.monotonic() - t0:.1f}s into the outage (last: {last})")
        check(cur["fingerprint"] == fingerprint and cur["labels"] == TARGET_LABELS,
              f"the alert changed identity while firing: {last} → {cur}")
        check(parse_time(cur["endsAt"]) > time.time(),
              f"alertmanager holds a firing alert whose endsAt passed: {cur}")
        last = cur
        d.assert_alive()
    received1 = am.received()
    resent = received1["firing"] - received0["firing"]
    check(3 <= resent <= 5, f"{resent} firing POSTs in {window:.1f}s with resend_interval "
                            f"{RESEND_S:g}s (want 3..5)")
    check(received1["resolved"] == 0, f"a resolved alert while still down: {received1}")
    updated1 = parse_time(last["updatedAt"])
    check(updated1 >= updated0 + 2 * RESEND_S - 0.5,
          f"updatedAt only moved from {a['updatedAt']} to {last['updatedAt']} in {window:.1f}s")
    print(f"re-sent {resent} times in {window:.1f}s; updatedAt {a['updatedAt']} → "
          f"{last['updatedAt']}")

    # 3. Up again: resolved at once (endsAt = resolve time), not left to expire.
    last_ends = parse_time(last["endsAt"])
    srv.set("/", 200)
    t_up = time.time()
    wait_until(lambda: the_alert(am) is None, 5, "TargetDown gone from alertmanager's active list")
    gone_at = time.time()
    check(gone_at < last_ends, f"TargetDown left alertmanager only when its firing endsAt "
                               f"({last['endsAt']}) passed: it expired, it was not resolved")
    wait_until(lambda: am.received()["resolved"] >= 1, 3,
               "a resolved alert counted by alertmanager")
    check(am.received()["resolved"] == 1, f"resolved POSTed more than once: {am.received()}")
    wait_event(d, 5, "alert resolved", alertname="TargetDown", target="web")
    check(firing_gauge(d) == 0, "flywatch_alerts_firing{alertname=TargetDown} != 0 after resolve")
    print(f"resolved in alertmanager {gone_at - t_up:.2f}s after the target recovered "
          f"(the last firing endsAt was {last_ends - gone_at:.1f}s away)")

    # 4. Resolved means no more re-sends, and every POST was accepted.
    settled = am.received()
    time.sleep(2 * RESEND_S + 0.5)
    check(am.received() == settled, f"flywatch kept POSTing after the resolve: {settled} → "
                                    f"{am.received()}")
    check(am.alerts(alertname="TargetDown") == [], "TargetDown back in alertmanager")
    check(am.invalid() == 0, f"alertmanager refused {am.invalid()} of flywatch's alerts")
    check(len(log_events(d, "alert firing", alertname="TargetDown")) == 1,
          "more than one `alert firing` line for one outage")
    delivered = d.metrics().value("flywatch_webhook_deliveries_total", sink="am",
                                  result="delivered") or 0
    check(delivered >= 2, f"flywatch_webhook_deliveries_total{{sink=am,result=delivered}} "
                          f"{delivered}, want the firing and the resolved at least")
    am.assert_alive()
    d.assert_alive()


if __name__ == "__main__":
    harness.run(main)
