"""`flywatch gate` (DESIGN §3, §12) against flysim's Medio fleet: backend → auth → features.

The whole gate passes from a sleeping fleet with `wake: true` (its JUnit file parses and holds
three testsuites); then each way Medio can break — a session cookie without Secure, CORS `*`,
CORS without credentials, a login that answers 500 (a missing secret), a missing JS chunk, the
database down — makes the gate exit 1 at the right phase, naming the step and the reason, and the
later phases' paths get no request at all. Also: --phase, --json, and the exit codes 78 (no gate
section) and 2 (an unknown phase)."""

import json
import os
import xml.etree.ElementTree as ET

import harness
from flysim_env import MEDIO_ORIGIN as ORIGIN, FlySim, medio_auth_journey
from harness import check, to_yaml

BE = ["9a7e0000000001", "9a7e0000000002"]
FE = "9a7e00000000f1"


def fleet():
    def machine(mid, group_checks):
        return {"id": mid, "region": "iad", "state": "stopped", "process_group": "app",
                "boot_delay_ms": 300, "ready_delay_ms": 300, "checks": group_checks}
    return {"apps": [
        {"name": "medio-backend", "auth": {"cors_origin": ORIGIN},
         "machines": [machine(m, ["servicecheck-00-http-5000"]) for m in BE]},
        {"name": "medio-react-app", "site": True,
         "machines": [machine(FE, ["servicecheck-00-http-8080"])]},
    ]}


def config(sim, wait_healthy="20s"):
    ca = sim.env.pki.ca_cert
    backend = sim.edge_url("medio-backend", "")
    return {
        "state_dir": os.path.join(sim.env.dir, "state"),
        "targets": [
            {"name": "medio-backend", "url": backend + "/", "tls": {"ca_file": ca},
             "timeout": "5s", "expect": {"status": [200], "body_json": {"database": "connected"}}},
            {"name": "medio-react-app", "url": sim.edge_url("medio-react-app", "/"),
             "tls": {"ca_file": ca}, "timeout": "5s", "expect": {"status": [200], "assets": True}},
        ],
        "journeys": [medio_auth_journey(sim)],
        "fly": sim.fly_section([sim.app("medio-backend"), sim.app("medio-react-app")],
                               poll_interval="500ms"),
        "gate": {"phases": [
            {"name": "backend", "apps": ["medio-backend"], "wake": True,
             "wait_healthy": wait_healthy, "targets": ["medio-backend"]},
            {"name": "auth", "journeys": ["medio-auth"]},
            {"name": "features", "apps": ["medio-react-app"], "wake": True,
             "wait_healthy": wait_healthy, "targets": ["medio-react-app"]},
        ]},
    }


def write(env, doc, name="gate.yaml"):
    path = os.path.join(env.dir, name)
    with open(path, "w") as f:
        f.write(to_yaml(doc) + "\n")
    return path


SECRET = "hunter2-SECRET-pw"


def gate(env, path, *args):
    return env.run_cli("gate", "--config", path, *args, env={"MEDIO_PROBE_PASSWORD": SECRET},
                       timeout=120)


def paths(sim, app):
    return dict(sim.stats().get("paths", {}).get(app, {}))


def requests_since(before, after):
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}


def expect_failure(env, sim, path, phase, case, reason, quiet_apps):
    """Runs the gate, which must fail at `phase` on `case` with `reason`; the apps in
    `quiet_apps` (those of later phases) must see no request during the run."""
    before = {app: paths(sim, app) for app in quiet_apps}
    junit = os.path.join(env.dir, f"junit-{phase}-{reason}.xml")
    r = gate(env, path, "--junit", junit)
    print(r.stdout)
    check(r.returncode == 1, f"gate should fail at {phase}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    summary = r.stdout.strip().splitlines()[-1]
    check(summary.startswith(f"gate: FAILED at phase {phase}: {case}: {reason}"),
          f"summary names phase, case and reason: {summary!r}")
    check(SECRET not in r.stdout + r.stderr, "the password reached the output")
    for app in quiet_apps:
        got = requests_since(before[app], paths(sim, app))
        check(not got, f"a later phase's app {app} got requests: {got}")
    suites = {s.get("name"): s for s in ET.parse(junit).getroot().iter("testsuite")}
    failures = [tc for tc in suites[phase].iter("testcase") if tc.find("failure") is not None]
    check(len(failures) == 1 and failures[0].get("name") == case
          and failures[0].find("failure").get("type") == reason,
          f"JUnit failure of {phase}: {[ (t.get('name'), t.find('failure').attrib) for t in failures]}")
    return r


def main(env, flysim_binary):
    sim = FlySim(env, flysim_binary, fleet()).start()
    path = write(env, config(sim))

    # From a sleeping fleet: wake, wait, probe, run the journey, load the front end's assets.
    junit = os.path.join(env.dir, "junit.xml")
    r = gate(env, path, "--junit", junit)
    print(r.stdout)
    check(r.returncode == 0, f"the whole gate should pass: exit {r.returncode}\n{r.stdout}{r.stderr}")
    out = r.stdout
    for line in ("phase backend: passed", "phase auth: passed", "phase features: passed",
                 "ok    wake medio-backend", "started 2 machines", "ok    wait_healthy medio-backend",
                 "ok    journey medio-auth step login", "ok    journey medio-auth step cors",
                 "ok    target medio-react-app", "gate: passed (3 phases)"):
        check(line in out, f"gate output lacks {line!r}:\n{out}")
    root = ET.parse(junit).getroot()
    check(root.tag == "testsuites" and root.get("failures") == "0", f"JUnit root: {root.attrib}")
    suites = [s.get("name") for s in root.iter("testsuite")]
    check(suites == ["backend", "auth", "features"], f"JUnit testsuites: {suites}")
    auth_cases = [tc.get("name") for tc in root.iter("testcase") if tc.get("classname") == "auth"]
    check(auth_cases == [f"journey medio-auth step {s}" for s in ("register", "login", "me", "cors")],
          f"auth testcases: {auth_cases}")
    assets = [k for k in paths(sim, "medio-react-app") if k.startswith("GET /assets/")]
    check(len(assets) == 3, f"the front end's three assets were fetched: {assets}")

    # Each fault in the auth phase: the gate stops there; features gets no request.
    for kind, step, reason in (("cookie_insecure", "login", "cookie"),
                               ("cors_wildcard", "cors", "cors"),
                               ("cors_no_credentials", "cors", "cors"),
                               ("login_500", "login", "status")):
        sim.sim_post("/_sim/apps/medio-backend/fault", {"kind": kind})
        expect_failure(env, sim, path, "auth", f"journey medio-auth step {step}", reason,
                       ["medio-react-app"])
        sim.sim_post("/_sim/apps/medio-backend/fault", {"kind": "none"})

    # A missing JS chunk after a deploy: the features phase fails naming the path.
    sim.sim_post("/_sim/apps/medio-react-app/fault", {"kind": "missing_chunk"})
    r = expect_failure(env, sim, path, "features", "target medio-react-app", "asset", [])
    check("/assets/index-" in r.stdout and "answered 404" in r.stdout, f"asset path named:\n{r.stdout}")
    sim.sim_post("/_sim/apps/medio-react-app/fault", {"kind": "none"})

    # The database down: the backend's checks go critical, wait_healthy gives up, nothing later runs.
    short = write(env, config(sim, wait_healthy="4s"), "gate-short.yaml")
    for m in BE:
        sim.fault(m, "db_down")
    auth_before = {k: v for k, v in paths(sim, "medio-backend").items() if "/api/auth/" in k}
    check(auth_before, "earlier runs reached the auth API")
    r = expect_failure(env, sim, short, "backend", "wait_healthy medio-backend", "timeout",
                       ["medio-react-app"])
    check("unhealthy" in r.stdout, f"the wait names the unhealthy machines:\n{r.stdout}")
    # The auth phase (the same app's auth API) did not run either.
    auth_after = {k: v for k, v in paths(sim, "medio-backend").items() if "/api/auth/" in k}
    check(auth_after == auth_before, f"the auth phase ran after backend failed: {auth_after} vs {auth_before}")
    for m in BE:
        sim.fault(m, "db_up")

    # One phase alone, as JSON.
    r = gate(env, path, "--phase", "auth", "--json")
    check(r.returncode == 0, f"--phase auth: exit {r.returncode}\n{r.stdout}{r.stderr}")
    doc = json.loads(r.stdout)
    check(doc["passed"] is True and [p["name"] for p in doc["phases"]] == ["auth"], f"json: {doc}")
    check(len(doc["phases"][0]["cases"]) == 4, f"auth cases: {doc['phases'][0]['cases']}")

    # Usage and configuration errors.
    r = gate(env, path, "--phase", "nope")
    check(r.returncode == 2 and "no gate phase named 'nope'" in r.stderr, f"unknown phase: {r.returncode} {r.stderr}")
    no_gate = config(sim)
    del no_gate["gate"]
    r = gate(env, write(env, no_gate, "nogate.yaml"))
    check(r.returncode == 78 and "no gate: section" in r.stderr, f"no gate: {r.returncode} {r.stderr}")
    print("gate: passes from a sleeping fleet; each fault fails the right phase, later phases untouched")


if __name__ == "__main__":
    harness.run(main)
