"""`flywatch check` with a fly: section (DESIGN §3, §5) against flysim: one poll per app, one probe
per started machine with fly-force-instance-id, the machine table and its JSON, exit 0/1, and an
asleep app under `skip` left asleep (flysim sees no edge request for it)."""

import json
import os

import harness
from flysim_env import FlySim
from harness import check, to_yaml

UP, DOWN, SLEEPER = "c4ec0000000001", "c4ec0000000002", "c4ec0000000003"


def fleet():
    checks = ["servicecheck-00-http-8080"]
    return {"apps": [
        {"name": "web", "machines": [
            {"id": UP, "region": "iad", "state": "started", "checks": checks},
            {"id": DOWN, "region": "ams", "state": "started", "checks": checks},
            {"id": "c4ec00000000ff", "region": "iad", "state": "started",
             "process_group": "fly_app_release_command"}]},
        {"name": "sleepy", "machines": [
            {"id": SLEEPER, "region": "iad", "state": "suspended", "checks": checks}]},
    ]}


def run_check(env, sim, apps, *args):
    doc = {"targets": [sim.target("web-t", "web"), sim.target("sleepy-t", "sleepy")],
           "fly": sim.fly_section(apps)}
    path = os.path.join(env.dir, "check.yaml")
    with open(path, "w") as f:
        f.write(to_yaml(doc) + "\n")
    return env.run_cli("check", "--config", path, *args)


def main(env, flysim_binary):
    sim = FlySim(env, flysim_binary, fleet()).start()
    apps = [sim.app("web", target="web-t"), sim.app("sleepy", target="sleepy-t")]

    r = run_check(env, sim, apps)
    check(r.returncode == 0, f"all healthy: exit {r.returncode}\n{r.stdout}{r.stderr}")
    print(r.stdout)
    lines = r.stdout.splitlines()
    check(any(l.startswith("APP") and "MACHINE" in l for l in lines), f"no machine table:\n{r.stdout}")
    for mid, state in ((UP, "healthy"), (DOWN, "healthy"), (SLEEPER, "suspended")):
        row = [l for l in lines if mid in l]
        check(len(row) == 1 and state in row[0], f"row of {mid} should say {state}:\n{r.stdout}")
    check("c4ec00000000ff" not in r.stdout, "a release-command machine is listed")
    check("asleep: not probed" in r.stdout, f"asleep app not marked:\n{r.stdout}")
    check("2 apps: 2 ok, 0 failing; 3 machines, 0 failing" in r.stdout, f"summary:\n{r.stdout}")
    check(sim.edge_requests("sleepy") == 0, "check woke the app asleep under skip")
    check(sim.edge_requests("web") == 2, f"web edge saw {sim.edge_requests('web')} requests, want 2")

    sim.fault(DOWN, "db_down")
    r = run_check(env, sim, apps, "--json")
    check(r.returncode == 1, f"a machine's database down: exit {r.returncode}\n{r.stdout}")
    doc = json.loads(r.stdout)
    check(doc["ok"] is False and doc["targets"] == [], f"json top level: {r.stdout[:300]}")
    web = [a for a in doc["apps"] if a["app"] == "web"][0]
    by_id = {m["id"]: m for m in web["machines"]}
    check(by_id[DOWN]["state"] == "unhealthy" and by_id[DOWN]["ok"] is False
          and by_id[DOWN]["probe"]["status_code"] == 503, f"down machine: {by_id[DOWN]}")
    check(by_id[UP]["ok"] is True and by_id[UP]["probe"]["status_code"] == 200, f"up: {by_id[UP]}")
    check(sim.edge_requests("sleepy") == 0, "check woke the app asleep under skip")

    sim.api_fault(status=401, count=5)
    r = run_check(env, sim, apps)
    check(r.returncode == 1 and "FAIL fly api: 401" in r.stdout,
          f"API 401: exit {r.returncode}\n{r.stdout}")
    print("check with fly apps: table, JSON, exit codes and sleep policy verified")


if __name__ == "__main__":
    harness.run(main)
