"""Releases and migrations (research §3, issue 11) against flysim: a new release of a watched app is
one log line and flywatch_app_release_info; the release command (the migrations machine) exiting
non-zero fires ReleaseFailed at a webhook receiver — also when Fly destroyed the machine before a
list showed its exit — and `flywatch gate` fails the app's phase naming the exit code; the next
good release resolves the alert."""

import json
import os

import harness
from flysim_env import FlySim, log_events
from harness import check, to_yaml, wait_until
from receiver import Receiver

APP = "medio-backend"
MACHINES = ["5e1e0000000001", "5e1e0000000002"]
IMAGE = "registry.fly.io/medio-backend:deployment-{}"


def fleet():
    return {"apps": [{"name": APP, "machines": [
        {"id": m, "region": "iad", "state": "started", "process_group": "app",
         "checks": ["servicecheck-00-http-5000"]} for m in MACHINES]}]}


def release(sim, version, exit_code, **extra):
    body = {"version": version, "image": IMAGE.format(version), "exit_code": exit_code, "run_ms": 300}
    body.update(extra)
    return sim.sim_post(f"/_sim/apps/{APP}/release", body)


def fired(rx, type_):
    return [r.data for r in rx.requests() if r.type == type_
            and r.data.get("labels", {}).get("alertname") == "ReleaseFailed"]


def release_info(d):
    return [(labels, v) for labels, v in d.metrics().all("flywatch_app_release_info", app=APP)]


def main(env, flysim_binary):
    rx = Receiver()
    env.on_cleanup(rx.stop)
    sim = FlySim(env, flysim_binary, fleet()).start()
    d = env.daemon()
    fly = sim.fly_section([sim.app(APP)], poll_interval="1s")
    d.write_config(d.config([], extra={
        "fly": fly,
        "alerts": {"sinks": [{"name": "hook", "type": "webhook", "url": rx.url("/hook"),
                              "retry": {"initial": "200ms", "max": "2s"}}]}}))
    d.start()
    wait_until(lambda: release_info(d), 20, "the first release seen")
    info = release_info(d)
    check(len(info) == 1 and info[0][0]["version"] == "1", f"initial release info: {info}")

    # A good deploy: its release command exits 0, the machines move to release 2.
    release(sim, 2, 0)
    wait_until(lambda: log_events(d, "app released", app=APP), 20, "the release logged")
    line = log_events(d, "app released", app=APP)[0]
    check(line["from"] == "1" and line["to"] == "2" and line["image"] == IMAGE.format(2), f"line: {line}")
    wait_until(lambda: release_info(d) and release_info(d)[0][0]["version"] == "2", 10, "info metric at 2")
    wait_until(lambda: log_events(d, "release command succeeded", app=APP), 20, "the good command logged")
    check(len(log_events(d, "app released")) == 1, "one line per release")

    # A failed migration that runs 2.5 s (a list sees it running) and is destroyed 100 ms after
    # it exits (no list sees the exit): its exit is read by id.
    release(sim, 3, 1, run_ms=2500, destroy_after_ms=100)
    wait_until(lambda: fired(rx, "alert.firing"), 30, "ReleaseFailed at the receiver")
    alert = fired(rx, "alert.firing")[0]
    check(alert["labels"] == {"alertname": "ReleaseFailed", "severity": "critical", "app": APP},
          f"labels: {alert['labels']}")
    check("exited with code 1" in alert["annotations"]["description"], f"annotations: {alert['annotations']}")
    failed = log_events(d, "release command failed", app=APP)
    check(failed and failed[0]["exit_code"] == "1" and failed[0]["level"] == "warn", f"line: {failed}")
    check(release_info(d)[0][0]["version"] == "2", "a failed release moved the info metric")
    status = {a["name"]: a for a in json.loads(d.get("/api/v1/status")[1])["apps"]}
    check(status[APP]["release"]["release_command_failed"]["exit_code"] == 1, f"status: {status[APP]['release']}")

    # The deploy gate's phase for the app fails, naming the exit code.
    gate_path = os.path.join(env.dir, "gate.yaml")
    with open(gate_path, "w") as f:
        f.write(to_yaml({"fly": fly, "gate": {"phases": [
            {"name": "backend", "apps": [APP], "wait_healthy": "10s"}]}}) + "\n")
    r = env.run_cli("gate", "--config", gate_path)
    print(r.stdout)
    check(r.returncode == 1 and "gate: FAILED at phase backend: wait_healthy medio-backend: failed: "
          "release command machine" in r.stdout and "exited with code 1" in r.stdout,
          f"gate after a failed release: exit {r.returncode}\n{r.stdout}{r.stderr}")

    # The next release goes out: ReleaseFailed resolves, the gate passes.
    release(sim, 4, 0)
    wait_until(lambda: fired(rx, "alert.resolved"), 30, "ReleaseFailed resolved")
    wait_until(lambda: release_info(d)[0][0]["version"] == "4", 10, "info metric at 4")
    r = env.run_cli("gate", "--config", gate_path)
    check(r.returncode == 0, f"gate after a good release: exit {r.returncode}\n{r.stdout}{r.stderr}")
    print("releases: logged, counted, ReleaseFailed fired and resolved, the gate follows")


if __name__ == "__main__":
    harness.run(main)
