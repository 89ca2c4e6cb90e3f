#!/usr/bin/env python3
"""The Machines API failing, and apps asleep (DESIGN §5, §6, §8) against flysim.

Two flysims, two daemons, side by side:
- `api` (one app, one healthy and one stopped machine): the API answers 401, then 429, then
  500, then a 200 that is not JSON, twice each (POST /_sim/api_fault). Each counts in
  flywatch_fly_api_requests_total{code=401|429|5xx|malformed}, logs one warn
  `fly api request failed` with that code, shows in /api/v1/status, keeps the machines and
  their states, and ends with `fly api recovered`.
- `sleep` (three apps whose machines are all stopped):
  - when_asleep skip: flywatch_app_asleep 1 and, after many polls, no edge request at all;
    its standby (config.standbys) never gets a wait request, and a machine whose waits the API
    refuses (400) gets one, logged once at warn, not one per poll;
  - when_asleep wake_every 3s: the app is woken through its public URL, `app woken` with the
    whole wake-up (boot + ready) as duration, flywatch_wake_latency_seconds, a cold start;
  - when_asleep probe: its public URL is probed every interval while it stays asleep (its only
    machine is a worker the edge never routes to, so the probes cannot wake it).

Usage: test_fly_api_sleep.py <flywatch> <flysim>
"""

import time

import harness
from flysim_env import (FlySim, apps_status, histogram, log_events, machine_state_metric,
                        machines_status, wait_event, within)
from harness import check, wait_until

WEB, SPARE = "a9100000000001", "a9100000000002"
SLEEPY, WAKER, WORKER = "51ee00000000f1", "3a4e00000000f2", "90b000000000f3"
STANDBY, REFUSED = "51ee00000000f4", "51ee00000000f5"  # more machines of sleepy
REFUSAL = "failed_precondition: machine cannot reach state started"
WAKE_BOOT_MS, WAKE_READY_MS = 800, 700
WAKE_EVERY_S = 3

API_FAULTS = [  # label, /_sim/api_fault body, expected code label
    ("401", {"status": 401}, "401"),
    ("429", {"status": 429}, "429"),
    ("500", {"status": 500}, "5xx"),
    ("garbage", {"garbage": True}, "malformed"),
]
FAULT_COUNT = 2


def api_fleet():
    return {"apps": [{"name": "api", "machines": [
        {"id": WEB, "region": "ams", "state": "started", "checks": ["servicecheck-00-http-8080"]},
        {"id": SPARE, "region": "fra", "state": "stopped", "checks": ["servicecheck-00-http-8080"]},
    ]}]}


def sleep_fleet():
    return {"apps": [
        {"name": "sleepy", "machines": [
            {"id": SLEEPY, "region": "ams", "state": "stopped"},
            {"id": STANDBY, "region": "ams", "state": "stopped", "standbys": [SLEEPY]},
            {"id": REFUSED, "region": "ams", "state": "stopped"}]},
        {"name": "waker", "machines": [
            {"id": WAKER, "region": "fra", "state": "stopped", "boot_delay_ms": WAKE_BOOT_MS,
             "ready_delay_ms": WAKE_READY_MS, "checks": ["servicecheck-00-http-8080"]}]},
        {"name": "prober", "machines": [
            {"id": WORKER, "region": "cdg", "state": "stopped", "process_group": "worker"}]},
    ]}


def api_states(m):
    return {mid: machine_state_metric(m, "api", mid) for mid in (WEB, SPARE)}


def check_api_fault(sim, d, label, body, code, baseline):
    """One kind of API failure, FAULT_COUNT times in a row, then recovery."""
    m = d.metrics()
    n0 = m.value("flywatch_fly_api_requests_total", app="api", code=code) or 0
    warn0 = len(log_events(d, "fly api request failed", app="api", code=code))
    rec0 = len(log_events(d, "fly api recovered", app="api"))
    sim.api_fault(count=FAULT_COUNT, **body)
    t0 = time.monotonic()
    seen_in_status = False
    while True:
        d.assert_alive()
        m = d.metrics()
        n = m.value("flywatch_fly_api_requests_total", app="api", code=code) or 0
        states = api_states(m)
        check(states == baseline, f"{label}: machine states changed during API failures: "
                                  f"{states}, before {baseline}")
        st = apps_status(d)["api"]
        check(set(machines_status(d, "api")) == {WEB, SPARE},
              f"{label}: machines in status during API failures: {st['machines']}")
        if st["api"]["last_error_code"] == code:
            seen_in_status = True
            check(st["api"]["last_error"], f"{label}: status api.last_error empty: {st['api']}")
        recovered = len(log_events(d, "fly api recovered", app="api")) > rec0
        if n >= n0 + FAULT_COUNT and recovered:
            break
        check(time.monotonic() - t0 < 20, f"{label}: after {time.monotonic() - t0:.1f}s "
                                          f"requests_total{{code={code}}} {n0} -> {n}, "
                                          f"recovered: {recovered}")
        time.sleep(0.1)
    check(n == n0 + FAULT_COUNT, f"{label}: requests_total{{code={code}}} {n0} -> {n}, "
                                 f"{FAULT_COUNT} faults")
    check(seen_in_status, f"{label}: /api/v1/status never showed last_error_code {code}")
    warns = log_events(d, "fly api request failed", app="api", code=code)[warn0:]
    check(len(warns) == 1 and warns[0]["level"] == "warn",
          f"{label}: want one warn `fly api request failed` code={code} for {FAULT_COUNT} "
          f"failures in a row, got {warns}")
    check(int(warns[0]["retry_in_ms"]) >= 1000 and warns[0].get("error"),
          f"{label}: failed line should carry retry_in_ms >= poll interval and error: {warns[0]}")
    st = apps_status(d)["api"]["api"]
    check(st["last_error_code"] == "" and st["consecutive_failures"] == 0,
          f"{label}: status api after recovery: {st}")
    print(f"api {label}: {FAULT_COUNT} × code={code}, recovered after "
          f"{time.monotonic() - t0:.1f}s")


def run_api(sim, d):
    def seen():
        m = d.metrics()
        s = api_states(m)
        return s if s == {WEB: "healthy", SPARE: "stopped"} else None
    baseline = wait_until(seen, 15, "api machines healthy and stopped")
    ok0 = d.metrics().value("flywatch_fly_api_requests_total", app="api", code="200") or 0
    changes0 = len(log_events(d, "machine state changed", app="api"))
    check(ok0 >= 1, "no successful API request counted under code=200")
    for label, body, code in API_FAULTS:
        check_api_fault(sim, d, label, body, code, baseline)
    m = d.metrics()
    check((m.value("flywatch_fly_api_requests_total", app="api", code="200") or 0) > ok0,
          "code=200 did not go on counting")
    check(not log_events(d, "machine gone", app="api"), "machines reported gone on API failures")
    check(len(log_events(d, "machine state changed", app="api")) == changes0,
          "a machine changed state during API failures")
    check(m.value("flywatch_app_machines", app="api", state="healthy") == 1 and
          m.value("flywatch_app_machines", app="api", state="stopped") == 1,
          "flywatch_app_machines of api changed during API failures")


def check_skip(sim, d):
    a0 = sim.api_requests("sleepy")
    wait_until(lambda: sim.api_requests("sleepy") >= a0 + 5, 15, "five more polls of sleepy")
    m = d.metrics()
    check(m.value("flywatch_app_asleep", app="sleepy") == 1, "sleepy: flywatch_app_asleep != 1")
    check(sim.edge_requests("sleepy") == 0,
          f"sleepy (skip) was probed while asleep: {sim.edge_requests('sleepy')} edge requests")
    check(not m.all("flywatch_probes_total", target="sleepy-t") or
          sum(v for _, v in m.all("flywatch_probes_total", target="sleepy-t")) == 0,
          "sleepy-t has probes counted")
    check(machine_state_metric(m, "sleepy", SLEEPY) == "stopped", "sleepy machine not stopped")
    st = apps_status(d)["sleepy"]
    check(st["asleep"] is True and st["when_asleep"] == "skip", f"sleepy status: {st}")
    wait_event(d, 1, "app asleep", app="sleepy")
    check(sim.machine("sleepy", SLEEPY)["state"] == "stopped", "flysim: sleepy machine woke up")
    # The wait on SLEEPY is held (60 s); the standby gets none; the refused one is asked once.
    waits = {mid: sim.wait_requests(mid) for mid in (SLEEPY, STANDBY, REFUSED)}
    check(waits[SLEEPY] >= 1 and waits[STANDBY] == 0 and waits[REFUSED] == 1,
          f"sleepy: wait requests per machine after {sim.api_requests('sleepy')} polls: {waits}")
    refusals = log_events(d, "fly api refused a wait; not asked again until the machine changes",
                          app="sleepy")
    check(len(refusals) == 1 and refusals[0]["level"] == "warn" and
          refusals[0]["machine"] == REFUSED and REFUSAL in refusals[0]["error"],
          f"sleepy: want one warn for the refused wait, got {refusals}")
    print(f"skip: {sim.api_requests('sleepy')} polls, 0 edge requests, waits {waits}")


def check_wake(sim, d):
    ev = wait_event(d, WAKE_EVERY_S + 15, "app woken", app="waker")
    want = WAKE_BOOT_MS + WAKE_READY_MS
    dur = int(ev["duration_ms"])
    check(within(dur, want, 0.10, 200), f"app woken after {dur} ms, boot + ready {want} ms")
    m = d.metrics()
    n, s = histogram(m, "flywatch_wake_latency_seconds", app="waker")
    check(n == 1, f"wake_latency_seconds count {n}, want 1")
    check(within(s * 1000, want, 0.10, 200), f"wake_latency_seconds sum {s:.3f}s, boot + ready "
                                             f"{want} ms")
    check(sim.edge_requests("waker") >= 1, "flysim saw no edge request for waker")
    cs = wait_event(d, 10, "cold start finished", app="waker", machine=WAKER)
    check(cs["kind"] == "cold" and within(int(cs["boot_ms"]), WAKE_BOOT_MS, 0.10),
          f"waker cold start: {cs}")
    check(histogram(d.metrics(), "flywatch_cold_start_seconds", app="waker", kind="cold",
                    phase="total")[0] == 1, "no cold start counted for waker")
    wait_event(d, 5, "app awake", app="waker")
    wait_until(lambda: d.metrics().value("flywatch_app_asleep", app="waker") == 0, 5,
               "waker: flywatch_app_asleep 0 once woken")
    check(machines_status(d, "waker")[WAKER]["state"] == "healthy", "waker machine not healthy")
    # Awake now: no further wake-up even after another wake_every.
    time.sleep(WAKE_EVERY_S + 1)
    check(len(log_events(d, "app woken", app="waker")) == 1, "an awake app was woken again")
    check(histogram(d.metrics(), "flywatch_wake_latency_seconds", app="waker")[0] == 1,
          "wake_latency_seconds counted a second wake-up")
    print(f"wake_every: woken in {dur} ms (boot + ready {want} ms)")


def check_probe(sim, d):
    wait_until(lambda: sim.edge_requests("prober") >= 2, 15,
               "two probes of prober's public URL")
    m = d.metrics()
    check(m.value("flywatch_app_asleep", app="prober") == 1, "prober: flywatch_app_asleep != 1")
    failures = m.value("flywatch_probes_total", target="prober-t", result="failure") or 0
    check(failures >= 2, f"prober-t failures {failures} (the edge has no app machine: 503)")
    check(machine_state_metric(m, "prober", WORKER) == "stopped", "prober machine not stopped")
    st = apps_status(d)["prober"]
    check(st["asleep"] is True and st["when_asleep"] == "probe", f"prober status: {st}")
    check(st.get("last_app_probe") and st["last_app_probe"]["status_code"] == 503,
          f"prober last_app_probe: {st.get('last_app_probe')}")
    print(f"probe: {sim.edge_requests('prober')} edge requests while asleep")


def main(env, flysim_binary):
    api_sim = FlySim(env, flysim_binary, api_fleet(), name="flysim-api").start()
    sleep_sim = FlySim(env, flysim_binary, sleep_fleet(), name="flysim-sleep").start()
    sleep_sim.refuse_wait(REFUSED, REFUSAL)  # before the daemon's first wait

    da = env.daemon("api")
    da.write_config(da.config([], extra={"fly": api_sim.fly_section([api_sim.app("api")])}))
    ds = env.daemon("sleep")
    targets = [sleep_sim.target("sleepy-t", "sleepy"),
               sleep_sim.target("waker-t", "waker"),
               sleep_sim.target("prober-t", "prober", interval="2s", timeout="1500ms")]
    apps = [sleep_sim.app("sleepy", target="sleepy-t", when_asleep="skip"),
            sleep_sim.app("waker", target="waker-t", when_asleep="wake_every",
                          wake_every=f"{WAKE_EVERY_S}s", cold_start_slo="10s"),
            sleep_sim.app("prober", target="prober-t", when_asleep="probe")]
    ds.write_config(ds.config(targets, extra={"fly": sleep_sim.fly_section(apps)}))
    ds.start()
    da.start()

    run_api(api_sim, da)
    check_skip(sleep_sim, ds)
    check_wake(sleep_sim, ds)
    check_probe(sleep_sim, ds)
    # The skip app stayed unprobed through all of that.
    check(sleep_sim.edge_requests("sleepy") == 0, "sleepy was probed later on")
    da.assert_alive()
    ds.assert_alive()


if __name__ == "__main__":
    harness.run(main)
