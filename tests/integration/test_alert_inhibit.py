#!/usr/bin/env python3
"""One outage, one page (DESIGN §7 `alerts.inhibit`) end to end: flysim plays Medio's backend as
the demo fleet has it (machine a stopped, machine b started, both iad), flywatch probes the
target medio-backend through the app, alerts go to a signed `webhook` sink on receiver.py.

1. Default inhibition (no `alerts.inhibit` key): flysim's db_down fault on every machine (what
   `./tools/demo db-down` does) raises AppNoHealthyMachines, MachineUnhealthy (b) and TargetDown;
   the receiver gets exactly ONE `alert.firing`, AppNoHealthyMachines for medio-backend; the other
   two show in /api/v1/status "alerts" as `inhibited` by it (labels unchanged: TargetDown has no
   app), are counted in flywatch_alerts_firing and flywatch_alerts_inhibited_total and logged as
   `alert inhibited … by=AppNoHealthyMachines` once each. db_up: exactly one `alert.resolved`,
   for the same fingerprint.
2. `alerts.inhibit: []` on the same fleet (a fresh daemon and receiver): the same outage sends
   all three pages and their three resolves, none inhibited; so inhibition is what made it one.

Every wait is a condition with a deadline; "nothing more arrived" is checked once the daemon has
evaluated the fleet twice more and its webhook queue is empty.

Usage: test_alert_inhibit.py <flywatch> <flysim>
"""

import base64
import json
import os

import harness
from flysim_env import FlySim, log_events
from harness import check, wait_until
from receiver import Receiver
from webhook_events import describe, key_of, received

APP = "medio-backend"
TARGET = "medio-backend"
STOPPED = "1857705f126d08"  # medio-backend-a, as in tests/demo/medio_fleet.json
STARTED = "e2860c4ad47598"  # medio-backend-b
WAIT_S = 25  # a probe and a poll interval, for: 0s, one delivery, on a busy machine

SOURCE = {"alertname": "AppNoHealthyMachines", "severity": "critical", "app": APP}
UNHEALTHY = {"alertname": "MachineUnhealthy", "severity": "warning", "app": APP,
             "machine": STARTED, "region": "iad"}
DOWN = {"alertname": "TargetDown", "severity": "critical", "target": TARGET}
OUTAGE = [SOURCE, UNHEALTHY, DOWN]


def fleet():
    machine = {"region": "iad", "process_group": "app", "checks": ["servicecheck-00-http-5000"]}
    return {"apps": [{"name": APP, "machines": [
        dict(machine, id=STOPPED, name=f"{APP}-a", state="stopped"),
        dict(machine, id=STARTED, name=f"{APP}-b", state="started")]}]}


def status_alerts(d):
    status, text = d.get("/api/v1/status")
    check(status == 200, f"/api/v1/status answered {status}: {text[:300]}")
    alerts = json.loads(text).get("alerts")
    check(isinstance(alerts, list), f"/api/v1/status has no alerts list: {text[:500]}")
    return {key_of(a["labels"]): a for a in alerts}


def polls(d):
    """Machines API requests flywatch has made for the app (any answer)."""
    return sum(v for _, v in d.metrics().all("flywatch_fly_api_requests_total", app=APP))


def settled(d, rx):
    """Waits until the daemon has polled the fleet twice more and delivered everything queued;
    returns what the receiver has then."""
    start = polls(d)
    wait_until(lambda: polls(d) >= start + 2, 10, "two more fleet polls")

    def drained():
        m = d.metrics()
        delivered = m.value("flywatch_webhook_deliveries_total", sink="hook",
                            result="delivered") or 0
        return ((m.value("flywatch_webhook_queue_depth", sink="hook") or 0) == 0
                and delivered == len(received(rx)))
    wait_until(drained, 10, "the webhook queue drained")
    return received(rx)


def start_daemon(env, sim, rx, secret, name, inhibit):
    d = env.daemon(name)
    alerts = {
        # The test PKI's leaf lives 2 days: CertExpiringSoon (14 d) would rightly fire.
        "rules": {"MachineUnhealthy": {"for": "0s"}, "AppNoHealthyMachines": {"for": "0s"},
                  "CertExpiringSoon": {"enabled": False}},
        "sinks": [{"name": "hook", "type": "webhook", "url": rx.url("/hook"), "secret": secret,
                   "retry": {"initial": "200ms", "max": "2s"}}]}
    if inhibit is not None:
        alerts["inhibit"] = inhibit
    t = sim.target(TARGET, APP, interval="1s", timeout="800ms")
    d.write_config(d.config([t], failure_threshold=1, success_threshold=1, alerts=alerts, extra={
        "fly": sim.fly_section([sim.app(APP, target=TARGET)], poll_interval="1s")}))
    r = env.run_cli("check-config", "--config", d.config_path)
    check(r.returncode == 0, f"check-config refused the config (exit {r.returncode}): {r.stderr}")
    d.start()

    def healthy():
        return (d.status()[TARGET]["state"] == "up"
                and not status_alerts(d))
    wait_until(healthy, 20, "the target up through machine b, no alert")
    return d


def database(sim, up):
    for mid in (STOPPED, STARTED):
        sim.fault(mid, "db_up" if up else "db_down")


def outage(env, sim, secret, name, inhibit):
    """Runs one db_down/db_up cycle; returns (events during the outage, events after db_up,
    status alerts and metrics during the outage, the daemon)."""
    rx = Receiver(secret=secret)
    env.on_cleanup(rx.stop)
    d = start_daemon(env, sim, rx, secret, name, inhibit)
    before = received(rx)
    check(not before, f"[{name}] sent while healthy:\n  {describe(before)}")

    database(sim, up=False)

    def all_raised():
        alerts = status_alerts(d)
        return alerts if all(key_of(l) in alerts for l in OUTAGE) else None
    try:
        alerts = wait_until(all_raised, WAIT_S, f"[{name}] the three outage alerts in the status")
    except harness.CheckFailed as e:
        raise harness.CheckFailed(f"{e}; status alerts: {sorted(status_alerts(d))}")
    down = settled(d, rx)
    alerts = status_alerts(d)  # as they stand once settled
    metrics = d.metrics()
    check(set(alerts) == {key_of(l) for l in OUTAGE},
          f"[{name}] status alerts {sorted(alerts)}, want exactly {OUTAGE}")

    database(sim, up=True)
    wait_until(lambda: not status_alerts(d), WAIT_S, f"[{name}] every alert resolved")
    after = settled(d, rx)[len(down):]
    print(f"[{name}] outage sent:\n  {describe(down)}\n[{name}] recovery sent:\n  {describe(after)}")
    print(f"[{name}] /api/v1/status alerts during the outage:\n"
          + json.dumps(list(alerts.values()), indent=1))
    for line in d.log_lines():
        if 'msg="alert' in line:
            print(f"[{name}] log: {line}")
    return down, after, alerts, metrics, d


def main(env, flysim_binary):
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    sim = FlySim(env, flysim_binary, fleet()).start()

    # 1. The defaults: one page.
    down, after, alerts, m, d = outage(env, sim, secret, "inhibit-default", inhibit=None)
    check([(t, key_of(l)) for t, l, _ in down] == [("alert.firing", key_of(SOURCE))],
          f"with the default inhibition the outage sent:\n  {describe(down)}\n"
          f"want exactly one alert.firing {key_of(SOURCE)}")
    src = alerts[key_of(SOURCE)]
    check(src["state"] == "firing" and src["notified"] is True and src["inhibited_by"] is None,
          f"status of the source: {src}")
    for labels in (UNHEALTHY, DOWN):
        a = alerts[key_of(labels)]
        check(a["state"] == "inhibited" and a["notified"] is False
              and a["inhibited_by"] == SOURCE and a["labels"] == labels
              and a["name"] == labels["alertname"],
              f"status of {labels['alertname']}: {a}; want inhibited by {SOURCE}, labels unchanged")
        lines = log_events(d, "alert inhibited", alertname=labels["alertname"])
        check(len(lines) == 1 and lines[0]["by"] == "AppNoHealthyMachines"
              and lines[0]["level"] == "info"
              and all(lines[0].get(k) == v for k, v in labels.items()),
              f"`alert inhibited` lines of {labels['alertname']}: {lines}")
    check("app" not in log_events(d, "alert inhibited", alertname="TargetDown")[0],
          "the TargetDown log line gained an app label")
    # Inhibited alerts are still tracked: firing, and counted as inhibited once.
    for name, firing, inhibited in (("AppNoHealthyMachines", 1, 0), ("MachineUnhealthy", 1, 1),
                                    ("TargetDown", 1, 1), ("ColdStartSlow", 0, 0)):
        got = (m.value("flywatch_alerts_firing", alertname=name),
               m.value("flywatch_alerts_inhibited_total", alertname=name))
        check(got == (firing, inhibited),
              f"{name}: flywatch_alerts_firing, flywatch_alerts_inhibited_total {got} during the "
              f"outage, want {(firing, inhibited)}")
    check(len(log_events(d, "alert firing")) == 1,
          f"`alert firing` lines: {log_events(d, 'alert firing')}")
    check([(t, key_of(l)) for t, l, _ in after] == [("alert.resolved", key_of(SOURCE))],
          f"with the default inhibition the recovery sent:\n  {describe(after)}\n"
          f"want exactly one alert.resolved {key_of(SOURCE)}")
    check(after[0][2]["fingerprint"] == down[0][2]["fingerprint"],
          f"resolved fingerprint {after[0][2]['fingerprint']} != fired {down[0][2]['fingerprint']}")
    d.assert_alive()
    rc, _ = d.stop()
    check(rc == 0, f"flywatch exited {rc} on SIGTERM")

    # 2. inhibit: [] — the same outage pages three times.
    down, after, alerts, m, d = outage(env, sim, secret, "inhibit-off", inhibit=[])
    want = {key_of(l) for l in OUTAGE}
    fired = [key_of(l) for t, l, _ in down if t == "alert.firing"]
    check(len(down) == 3 and sorted(fired) == sorted(want),
          f"with inhibit: [] the outage sent:\n  {describe(down)}\nwant one firing each of {OUTAGE}")
    check(all(a["state"] == "firing" and a["inhibited_by"] is None for a in alerts.values()),
          f"with inhibit: [] the status shows {list(alerts.values())}")
    check(not log_events(d, "alert inhibited"), "`alert inhibited` logged with inhibit: []")
    check(m.value("flywatch_alerts_inhibited_total", alertname="TargetDown") == 0,
          "flywatch_alerts_inhibited_total{alertname=TargetDown} not 0 with inhibit: []")
    resolved = [key_of(l) for t, l, _ in after if t == "alert.resolved"]
    check(len(after) == 3 and sorted(resolved) == sorted(want),
          f"with inhibit: [] the recovery sent:\n  {describe(after)}")
    d.assert_alive()


if __name__ == "__main__":
    harness.run(main)
