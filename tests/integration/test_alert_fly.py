#!/usr/bin/env python3
"""Fly alerts end to end (DESIGN §7, issue 4): flysim plays Medio's backend (two started machines
in two regions answering like Medio's Express app, Fly checks included), a target bound to the
app, and a `webhook` sink with a Standard Webhooks secret pointing at tests/integration/receiver.py.

- healthy fleet: nothing is sent;
- flysim's database-down fault on every machine (what `./tools/demo db-down` does): the receiver
  gets `alert.firing` for TargetDown (target), MachineUnhealthy for each machine (app, machine,
  region) and AppNoHealthyMachines (app), the rules being `for: 0s`; each exactly once
  (`alerts.inhibit: []`: with the default rules AppNoHealthyMachines would hold back the others);
- database restored: exactly one `alert.resolved` for each alert that fired, with the same labels,
  fingerprint and startsAt, and an endsAt; nothing after that;
- every request: signature verified here in Python (HMAC-SHA256 of "id.timestamp.body" with the
  base64 key behind `whsec_`; a wrong secret must not verify), a recent webhook-timestamp, JSON,
  one webhook-id per event; the daemon's log lines, alerts_firing gauge and delivery counters
  agree.

Usage: test_alert_fly.py <flywatch> <flysim>
"""

import base64
import datetime
import json
import os
import time

import harness
from flysim_env import FlySim, log_events, machines_status, parse_logfmt
from harness import check, wait_until
from receiver import Receiver, verify_signature

APP = "medio-backend"
TARGET = "medio-backend"
MACHINES = {"1857705f126d08": "iad", "e2860c4ad47598": "ams"}
CHECKS = ["servicecheck-00-http-5000"]
INTERVAL_S = 1
WAIT_S = 20  # for an alert after a fault: a probe and a poll interval, for: 0s, one delivery

# severity of each alert expected, by alertname (the rule defaults of DESIGN §7).
EXPECTED_SEVERITY = {"TargetDown": "critical", "MachineUnhealthy": "warning",
                     "AppNoHealthyMachines": "critical"}


def fleet():
    return {"apps": [{"name": APP, "machines": [
        {"id": mid, "name": f"{APP}-{i}", "region": region, "state": "started",
         "process_group": "app", "checks": CHECKS}
        for i, (mid, region) in enumerate(MACHINES.items())]}]}


def expected_alerts():
    """The labels of every alert the outage must fire, keyed by a readable name."""
    out = {"TargetDown": {"alertname": "TargetDown", "severity": "critical", "target": TARGET},
           "AppNoHealthyMachines": {"alertname": "AppNoHealthyMachines", "severity": "critical",
                                    "app": APP}}
    for mid, region in MACHINES.items():
        out[f"MachineUnhealthy/{mid}"] = {"alertname": "MachineUnhealthy", "severity": "warning",
                                          "app": APP, "machine": mid, "region": region}
    return out


def unix(rfc3339):
    """An RFC 3339 time of the payload (…Z, fractions of a second) → unix seconds."""
    return datetime.datetime.fromisoformat(rfc3339).timestamp()


def key_of(labels):
    return json.dumps(labels, sort_keys=True)


def check_request(req, secret, other_secret):
    """Checks one webhook request as a Standard Webhooks consumer would; returns its payload."""
    what = f"request {req!r}"
    check(req.method == "POST" and req.path == "/hook", f"{what}: not POST /hook")
    check(req.id and req.timestamp and req.headers.get("webhook-signature"),
          f"{what}: Standard Webhooks headers missing: {req.headers}")
    check(req.headers.get("content-type", "").startswith("application/json"),
          f"{what}: content-type {req.headers.get('content-type')}")
    check(verify_signature(secret, req.id, req.timestamp, req.body,
                           req.headers["webhook-signature"]),
          f"{what}: signature {req.headers['webhook-signature']} does not verify with the secret")
    check(req.verified is True, f"{what}: the receiver did not verify it")
    check(not verify_signature(other_secret, req.id, req.timestamp, req.body,
                               req.headers["webhook-signature"]),
          f"{what}: the signature also verifies with another secret")
    ts = int(req.timestamp)
    check(abs(ts - req.wall) <= 30, f"{what}: webhook-timestamp {ts} is {req.wall - ts:.0f}s "
                                    "off its arrival")
    doc = req.json()
    check(isinstance(doc, dict) and doc.get("type") in ("alert.firing", "alert.resolved")
          and isinstance(doc.get("data"), dict), f"{what}: payload {req.body[:300]!r}")
    data = doc["data"]
    want_status = "firing" if doc["type"] == "alert.firing" else "resolved"
    check(data.get("status") == want_status, f"{what}: type {doc['type']} with status "
                                             f"{data.get('status')}")
    check(isinstance(data.get("labels"), dict) and data.get("fingerprint") and data.get("startsAt"),
          f"{what}: data lacks labels/fingerprint/startsAt: {data}")
    check(isinstance(data.get("annotations"), dict) and data["annotations"].get("summary"),
          f"{what}: no summary annotation: {data}")
    if want_status == "firing":
        check(data.get("endsAt") is None, f"{what}: a firing alert with endsAt {data['endsAt']}")
    else:
        check(data.get("endsAt"), f"{what}: a resolved alert without endsAt")
        check(unix(data["endsAt"]) >= unix(data["startsAt"]),
              f"{what}: endsAt before startsAt: {data}")
    return doc


def events(receiver, secret, other_secret):
    """Every request so far, checked, as (type, labels, data, request), retries of one event
    (same webhook-id, same body) counted once."""
    out, seen = [], {}
    for req in receiver.requests():
        doc = check_request(req, secret, other_secret)
        if req.id in seen:
            check(seen[req.id] == req.body, f"webhook-id {req.id} reused for another body")
            continue
        seen[req.id] = req.body
        out.append((doc["type"], doc["data"]["labels"], doc["data"], req))
    return out


def describe(evs):
    return "\n  ".join(f"{t} {key_of(l)}" for t, l, _, _ in evs) or "(none)"


def main(env, flysim_binary):
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    other_secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    rx = Receiver(secret=secret)
    env.on_cleanup(rx.stop)
    sim = FlySim(env, flysim_binary, fleet()).start()

    d = env.daemon()
    t = sim.target(TARGET, APP, interval=f"{INTERVAL_S}s", timeout="800ms")
    d.write_config(d.config([t], failure_threshold=1, success_threshold=1, extra={
        "fly": sim.fly_section([sim.app(APP, target=TARGET)], poll_interval=f"{INTERVAL_S}s"),
        "alerts": {
            # The test PKI's leaf lives 2 days: CertExpiringSoon (14 d) would rightly fire.
            "rules": {"MachineUnhealthy": {"for": "0s"}, "AppNoHealthyMachines": {"for": "0s"},
                      "CertExpiringSoon": {"enabled": False}},
            # Every alert's own delivery is what this test checks: no inhibition (that one
            # outage pages once is test_alert_inhibit.py's).
            "inhibit": [],
            "sinks": [{"name": "hook", "type": "webhook", "url": rx.url("/hook"),
                       "secret": secret, "retry": {"initial": "200ms", "max": "2s"}}]}}))
    r = env.run_cli("check-config", "--config", d.config_path)
    check(r.returncode == 0, f"check-config refused the alerts config (exit {r.returncode}): "
                             f"{r.stderr.strip()}")
    check(secret not in r.stdout + r.stderr, "check-config printed the webhook secret")
    d.start()

    # 1. Healthy: both machines healthy, the target up, nothing sent. What was sent anyway fails
    # the test at the end, after the outage has been checked too (both are worth knowing).
    def healthy():
        ms = machines_status(d, APP)
        return (set(ms) == set(MACHINES) and all(m["state"] == "healthy" for m in ms.values())
                and d.status()[TARGET]["state"] == "up")
    wait_until(healthy, 15, "both machines healthy and the target up")
    time.sleep(2 * INTERVAL_S + 1)
    startup = events(rx, secret, other_secret)
    if startup:
        print(f"sent while the fleet was healthy (fails the test below):\n  {describe(startup)}")

    def outage_events():
        """The events after the healthy start, checked."""
        return events(rx, secret, other_secret)[len(startup):]

    # 2. The database goes away on every machine: each expected alert fires once, signed.
    want = expected_alerts()
    for mid in MACHINES:
        sim.fault(mid, "db_down")
    t_down = time.time()

    def all_fired():
        evs = outage_events()
        fired = {key_of(l) for typ, l, _, _ in evs if typ == "alert.firing"}
        return evs if all(key_of(l) in fired for l in want.values()) else None
    try:
        evs = wait_until(all_fired, WAIT_S, "alert.firing for every expected alert")
    except harness.CheckFailed as e:
        raise harness.CheckFailed(f"{e}; received:\n  {describe(outage_events())}"
                                  f"\nexpected firing:\n  "
                                  + "\n  ".join(key_of(l) for l in want.values()))
    fired_at = time.time()
    firing = {}
    for typ, labels, data, req in evs:
        check(typ == "alert.firing", f"{typ} {labels} before the database came back")
        k = key_of(labels)
        check(k in {key_of(l) for l in want.values()},
              f"unexpected alert {labels}; expected only:\n  "
              + "\n  ".join(key_of(l) for l in want.values()))
        check(k not in firing, f"alert.firing sent twice (different webhook-ids) for {labels}")
        firing[k] = data
    for name, labels in want.items():
        data = firing[key_of(labels)]
        check(t_down - 2 <= unix(data["startsAt"]) <= fired_at + 1,
              f"{name}: startsAt {data['startsAt']} is not when the database went down")
    print(f"fired within {fired_at - t_down:.1f}s of db_down:\n  {describe(evs)}")
    m = d.metrics()
    for alertname, n in (("TargetDown", 1), ("MachineUnhealthy", len(MACHINES)),
                         ("AppNoHealthyMachines", 1)):
        check(m.value("flywatch_alerts_firing", alertname=alertname) == n,
              f"flywatch_alerts_firing{{alertname={alertname}}} "
              f"{m.value('flywatch_alerts_firing', alertname=alertname)}, want {n}")
    for mid, region in MACHINES.items():
        lines = log_events(d, "alert firing", alertname="MachineUnhealthy", machine=mid)
        check(len(lines) == 1 and lines[0]["app"] == APP and lines[0]["region"] == region
              and lines[0]["level"] == "warn" and lines[0]["fingerprint"] ==
              firing[key_of(want[f"MachineUnhealthy/{mid}"])]["fingerprint"],
              f"`alert firing` log lines of MachineUnhealthy/{mid}: {lines}")
    # Still down for a while: no repeats (repeat_interval 4h), nothing new.
    time.sleep(2 * INTERVAL_S + 1)
    later = outage_events()
    check(len(later) == len(evs), f"more was sent while the outage went on:\n  {describe(later)}")

    # 3. The database is back: one alert.resolved for each alert that fired.
    for mid in MACHINES:
        sim.fault(mid, "db_up")
    t_up = time.time()

    def all_resolved():
        evs = outage_events()
        resolved = {key_of(l) for typ, l, _, _ in evs if typ == "alert.resolved"}
        return evs if set(firing) <= resolved else None
    try:
        evs = wait_until(all_resolved, WAIT_S, "alert.resolved for every alert that fired")
    except harness.CheckFailed as e:
        raise harness.CheckFailed(f"{e}; received:\n  {describe(outage_events())}")
    print(f"resolved within {time.time() - t_up:.1f}s of db_up")
    time.sleep(2 * INTERVAL_S + 1)  # anything sent after the resolves shows up now
    evs = outage_events()
    resolved = {}
    for typ, labels, data, req in evs[len(firing):]:
        k = key_of(labels)
        check(typ == "alert.resolved", f"{typ} {labels} after the database came back:\n  "
                                       f"{describe(evs)}")
        check(k not in resolved, f"alert.resolved sent twice (different webhook-ids) for {labels}")
        resolved[k] = data
    check(set(resolved) == set(firing), f"resolved {sorted(resolved)} != fired {sorted(firing)}")
    for k, f in firing.items():
        r = resolved[k]
        check(r["fingerprint"] == f["fingerprint"] and r["startsAt"] == f["startsAt"],
              f"resolved {r} does not match its firing {f}")
    ids = [req.id for _, _, _, req in evs]
    check(len(set(ids)) == len(ids) == 2 * len(firing), f"webhook-ids not one per event: {ids}")

    # 4. The daemon's own account agrees.
    m = d.metrics()
    for alertname in EXPECTED_SEVERITY:
        check((m.value("flywatch_alerts_firing", alertname=alertname) or 0) == 0,
              f"flywatch_alerts_firing{{alertname={alertname}}} not 0 after the resolves")
    delivered = m.value("flywatch_webhook_deliveries_total", sink="hook", result="delivered")
    accepted = len(startup) + len(ids)
    check(delivered == accepted, f"flywatch_webhook_deliveries_total{{sink=hook,result=delivered}}"
                                 f" {delivered}, the receiver accepted {accepted} events")
    check((m.value("flywatch_webhook_queue_depth", sink="hook") or 0) == 0,
          "flywatch_webhook_queue_depth{sink=hook} not 0 with everything delivered")
    resolved_lines = len([e for e in startup if e[0] == "alert.resolved"]) + len(firing)
    check(len(log_events(d, "alert resolved")) == resolved_lines,
          f"`alert resolved` log lines: {log_events(d, 'alert resolved')}, want {resolved_lines}")
    check(secret not in d.log(), "the webhook secret is in the daemon's log")
    check(all(parse_logfmt(l) for l in d.log_lines()), "unparsable log lines")
    d.assert_alive()

    # 5. A restart of flywatch (or a fleet just seen) must not page: machines not probed yet are
    # not known to be unhealthy.
    check(not startup, f"alerts sent while the fleet was healthy (at flywatch's start):\n  "
                       f"{describe(startup)}")


if __name__ == "__main__":
    harness.run(main)
