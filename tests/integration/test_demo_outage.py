#!/usr/bin/env python3
"""The demo's database outage sends one page and one resolve (issue 12, "one outage, one page").

This is ./tools/demo without the terminal: flysim plays Medio's fleet from
tests/demo/medio_fleet.json with its simulated users (so machines sleep and wake on their own),
flywatch runs config/demo.yaml unchanged (both targets, the medio-auth journey, both apps, its
alert rules and its inhibit rule), and receiver.py verifies every signed webhook.

1. Before the outage: the journey passes through a backend machine and nothing has paged.
2. `db_down` on every medio-backend machine (what `./tools/demo db-down` does), held until the
   outage's symptoms — TargetDown and JourneyFailing — fire (inhibited) besides
   AppNoHealthyMachines, and for at least one autostop period, so that Fly's proxy can put an
   idle machine to sleep and the next user wake it mid-outage.
3. `db_up`, then wait for AppNoHealthyMachines' resolve and for its release_after to pass, with
   every alert of the outage either resolved or explained (a ColdStartSlow of the outage).
4. The receiver got exactly two requests: `alert.firing` and `alert.resolved` of
   AppNoHealthyMachines for medio-backend, with the same fingerprint.

Usage: test_demo_outage.py <flywatch> <flysim> <config/demo.yaml> <tests/demo/medio_fleet.json>
"""

import base64
import json
import os
import shutil
import time

import harness
from flysim_env import FlySim, log_events
from harness import check, wait_until
from pki import make_demo_pki
from receiver import Receiver
from webhook_events import describe, key_of, received

APP = "medio-backend"
SOURCE = {"alertname": "AppNoHealthyMachines", "severity": "critical", "app": APP}
RELEASE_AFTER_S = 60  # config/demo.yaml's alerts.inhibit[0].release_after


def status_doc(d):
    status, text = d.get("/api/v1/status")
    check(status == 200, f"/api/v1/status answered {status}: {text[:300]}")
    return json.loads(text)


def alerts_by_name(d):
    out = {}
    for a in status_doc(d)["alerts"]:
        out.setdefault(a["name"], []).append(a)
    return out


def main(env, flysim_binary, demo_config, fleet_file):
    state = os.path.join(env.dir, "demo")
    ca, leaf = make_demo_pki(state)
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    with open(os.path.join(state, "webhook_secret"), "w") as f:
        f.write(secret + "\n")
    with open(fleet_file) as f:
        fleet = json.load(f)
    backend = next(a for a in fleet["apps"] if a["name"] == APP)
    machines = [m["id"] for m in backend["machines"]]
    autostop_s = backend["autostop_idle_ms"] / 1000

    sim = FlySim(env, flysim_binary, fleet, leaf=leaf).start()
    rx = Receiver(secret=secret)
    env.on_cleanup(rx.stop)
    d = env.daemon("demo")
    shutil.copyfile(demo_config, d.config_path)  # unchanged: ${VAR}s come from the environment
    demo_env = {
        "FLYWATCH_DEMO_API_PORT": str(sim.port),
        "FLYWATCH_DEMO_BACKEND_PORT": str(sim.edges[APP]),
        "FLYWATCH_DEMO_REACT_PORT": str(sim.edges["medio-react-app"]),
        "FLYWATCH_DEMO_FLY_TOKEN": sim.token,
        "FLYWATCH_DEMO_STATE": state,
        "FLYWATCH_DEMO_LISTEN": f"127.0.0.1:{d.port}",
        "FLYWATCH_DEMO_RECEIVER_PORT": str(rx.port),
    }
    r = env.run_cli("check-config", "--config", d.config_path, env=demo_env)
    check(r.returncode == 0, f"check-config refused config/demo.yaml (exit {r.returncode}): {r.stderr}")
    d.start(extra_env=demo_env)

    # 1. A healthy demo: the journey passes through a backend machine (woken by a user), nothing
    # has paged.
    def journey_up():
        d.assert_alive()
        js = {j["name"]: j for j in status_doc(d)["journeys"]}
        return js.get("medio-auth", {}).get("state") == "up"
    wait_until(journey_up, 120, "the medio-auth journey up")
    check(not received(rx), f"paged before the outage:\n  {describe(received(rx))}")

    # 2. The outage.
    for mid in machines:
        sim.fault(mid, "db_down")
    down_at = time.monotonic()

    def symptoms():
        d.assert_alive()
        a = alerts_by_name(d)
        return all(n in a for n in ("AppNoHealthyMachines", "TargetDown", "JourneyFailing"))
    try:
        wait_until(symptoms, 150, "AppNoHealthyMachines, TargetDown and JourneyFailing firing")
    except harness.CheckFailed as e:
        raise harness.CheckFailed(f"{e}; status alerts: {status_doc(d)['alerts']}")
    during = alerts_by_name(d)
    for name in ("TargetDown", "JourneyFailing"):
        for a in during[name]:
            check(a["state"] == "inhibited" and a["inhibited_by"] == SOURCE,
                  f"{name} during the outage: {a}; want inhibited by {SOURCE}")
    # Long enough for the proxy to stop an idle machine and a user to wake it meanwhile.
    remaining = autostop_s + 15 - (time.monotonic() - down_at)
    if remaining > 0:
        time.sleep(remaining)  # the outage's length, not a wait for a condition
    d.assert_alive()
    outage = received(rx)
    check([(t, key_of(l)) for t, l, _ in outage] == [("alert.firing", key_of(SOURCE))],
          f"the outage sent:\n  {describe(outage)}\nwant exactly one alert.firing {key_of(SOURCE)}")

    # 3. Recovery.
    for mid in machines:
        sim.fault(mid, "db_up")

    def source_resolved():
        d.assert_alive()
        return "AppNoHealthyMachines" not in alerts_by_name(d)
    wait_until(source_resolved, 90, "AppNoHealthyMachines resolved")
    resolved_at = time.monotonic()

    def settled():
        """release_after has passed since the source resolved, every alert left is a past event
        explained by it, and the webhook queue is empty."""
        d.assert_alive()
        if len(received(rx)) > 2:
            return True  # more than one page and one resolve: the check below shows them
        if time.monotonic() - resolved_at < RELEASE_AFTER_S + 5:
            return False
        left = [a for a in status_doc(d)["alerts"]
                if not (a["name"] == "ColdStartSlow" and a["state"] == "inhibited")]
        m = d.metrics()
        queued = m.value("flywatch_webhook_queue_depth", sink="demo-receiver") or 0
        return not left and queued == 0
    wait_until(settled, RELEASE_AFTER_S + 90, "release_after passed, every alert of the outage gone")

    # 4. One page, one resolve.
    sent = received(rx)
    print("receiver got:\n  " + describe(sent))
    for line in d.log_lines():
        if 'msg="alert' in line or "state changed" in line:
            print(f"log: {line}")
    check([(t, key_of(l)) for t, l, _ in sent]
          == [("alert.firing", key_of(SOURCE)), ("alert.resolved", key_of(SOURCE))],
          f"the outage and its recovery sent:\n  {describe(sent)}\n"
          f"want exactly alert.firing and alert.resolved of {key_of(SOURCE)}")
    check(sent[0][2]["fingerprint"] == sent[1][2]["fingerprint"], "fingerprints differ")
    inhibited = {rec["alertname"] for rec in log_events(d, "alert inhibited")}
    check({"TargetDown", "JourneyFailing"} <= inhibited,
          f"`alert inhibited` lines name {sorted(inhibited)}; want TargetDown and JourneyFailing")
    d.assert_alive()
    rc, _ = d.stop()
    check(rc == 0, f"flywatch exited {rc} on SIGTERM")


if __name__ == "__main__":
    harness.run(main)
