"""Journeys in the daemon and in `flywatch check` (DESIGN §6, §7, §12) against flysim's Medio
backend: Medio's register → login → me → CORS journey runs through a started machine of the app;
its metrics, /api/v1/status entry, log lines and JourneyFailing alert (at a webhook receiver)
follow a fault in (a session cookie without Secure) and out; the password, taken from the
environment, appears in no log line, status document or metric; `flywatch check` shows a line per
step and exits 1 while the fault is on."""

import json
import os

import harness
from flysim_env import MEDIO_ORIGIN as ORIGIN, FlySim, log_events, medio_auth_journey
from harness import check, to_yaml, wait_until
from receiver import Receiver

APP = "medio-backend"
MACHINES = ["3a0e0000000001", "3a0e0000000002"]
SECRET = "pw-SECRET-from-env-42"
STEPS = ["register", "login", "me", "cors"]


def fleet():
    return {"apps": [{"name": APP, "auth": {"cors_origin": ORIGIN}, "machines": [
        {"id": m, "region": "iad", "state": "started", "process_group": "app",
         "checks": ["servicecheck-00-http-5000"]} for m in MACHINES]}]}


def journey_status(d):
    status, text = d.get("/api/v1/status")
    check(status == 200, f"/api/v1/status: {status}")
    doc = json.loads(text)
    return {j["name"]: j for j in doc.get("journeys", [])}, text


def alert_events(rx, type_):
    return [r.data for r in rx.requests() if r.type == type_
            and r.data.get("labels", {}).get("alertname") == "JourneyFailing"]


def main(env, flysim_binary):
    rx = Receiver()
    env.on_cleanup(rx.stop)
    sim = FlySim(env, flysim_binary, fleet()).start()
    d = env.daemon()
    doc = d.config([], failure_threshold=1, success_threshold=1, extra={
        "journeys": [medio_auth_journey(sim, APP, interval="1s", timeout="900ms")],
        "fly": sim.fly_section([sim.app(APP)], poll_interval="1s"),
        "alerts": {"rules": {"AppNoHealthyMachines": {"enabled": False}},
                   "sinks": [{"name": "hook", "type": "webhook", "url": rx.url("/hook"),
                              "retry": {"initial": "200ms", "max": "2s"}}]}})
    d.write_config(doc)
    d.start(extra_env={"MEDIO_PROBE_PASSWORD": SECRET})

    # 1. Healthy: every step passes, through one of the app's machines.
    wait_until(lambda: d.metrics().value("flywatch_journey_success", journey="medio-auth") == 1,
               30, "the journey passing")
    m = d.metrics()
    for step in STEPS:
        check(m.value("flywatch_journey_step_duration_seconds", journey="medio-auth", step=step) is not None,
              f"no step duration for {step}")
    check(m.value("flywatch_journey_duration_seconds_count", journey="medio-auth") >= 1, "no run counted")
    journeys, _ = journey_status(d)
    j = journeys["medio-auth"]
    check(j["state"] == "up" and j["app"] == APP and j["last"]["machine"] in MACHINES,
          f"status entry: {j}")
    check([s["name"] for s in j["last"]["steps"]] == STEPS, f"steps in status: {j['last']['steps']}")

    # 2. The session cookie loses Secure: the login step fails with reason cookie, one log line
    # says so, JourneyFailing reaches the receiver with its labels.
    sim.sim_post(f"/_sim/apps/{APP}/fault", {"kind": "cookie_insecure"})
    wait_until(lambda: alert_events(rx, "alert.firing"), 30, "JourneyFailing at the receiver")
    fired = alert_events(rx, "alert.firing")
    check(len(fired) == 1 and fired[0]["labels"] == {
        "alertname": "JourneyFailing", "severity": "critical", "journey": "medio-auth", "app": APP},
        f"JourneyFailing payload: {fired}")
    check("step login" in fired[0]["annotations"]["description"], f"description: {fired[0]['annotations']}")
    m = d.metrics()
    check(m.value("flywatch_journey_success", journey="medio-auth") == 0, "journey_success not 0")
    check(m.value("flywatch_journey_failures_total", journey="medio-auth", step="login",
                  reason="cookie") >= 1, "failure not counted by step and reason")
    failed = log_events(d, "journey failed", journey="medio-auth")
    check(failed and failed[0]["step"] == "login" and failed[0]["reason"] == "cookie"
          and failed[0]["level"] == "warn" and failed[0].get("app") == APP
          and failed[0].get("machine") in MACHINES, f"journey failed line: {failed[:1]}")
    journeys, _ = journey_status(d)
    check(journeys["medio-auth"]["state"] == "down"
          and journeys["medio-auth"]["last"]["failed_step"] == "login", f"status: {journeys}")

    # `flywatch check` agrees, a line per step.
    check_path = os.path.join(env.dir, "check.yaml")
    check_doc = dict(doc)
    with open(check_path, "w") as f:
        f.write(to_yaml(check_doc) + "\n")
    r = env.run_cli("check", "--config", check_path, env={"MEDIO_PROBE_PASSWORD": SECRET})
    print(r.stdout)
    check(r.returncode == 1, f"check with the fault on: exit {r.returncode}\n{r.stdout}{r.stderr}")
    lines = r.stdout.splitlines()
    check(any(l.startswith("medio-auth") and " login " in l and "FAIL" in l and "cookie" in l for l in lines),
          f"check's journey table:\n{r.stdout}")

    # 3. The fault is gone: the journey passes again and the alert resolves.
    sim.sim_post(f"/_sim/apps/{APP}/fault", {"kind": "none"})
    wait_until(lambda: alert_events(rx, "alert.resolved"), 30, "JourneyFailing resolved")
    check(d.metrics().value("flywatch_journey_success", journey="medio-auth") == 1, "not passing again")
    r = env.run_cli("check", "--config", check_path, env={"MEDIO_PROBE_PASSWORD": SECRET})
    check(r.returncode == 0, f"check after the fault: exit {r.returncode}\n{r.stdout}{r.stderr}")
    check("1 journeys: 1 ok, 0 failing, 0 skipped" in r.stdout, f"check summary:\n{r.stdout}")

    # 4. The password never left: not in the log, the status document or the metrics.
    _, status_text = journey_status(d)
    _, metrics_text = d.get("/metrics")
    for where, text in (("log", d.log()), ("status", status_text), ("metrics", metrics_text),
                        ("check", r.stdout + r.stderr)):
        check(SECRET not in text, f"the password appears in the {where}")
    print("journeys: metrics, status, log line and JourneyFailing follow a fault in and out")


if __name__ == "__main__":
    harness.run(main)
