#!/usr/bin/env python3
"""Machine lifecycles and cold starts (DESIGN §5, §6, §8) against flysim: one fleet of six
apps watched by one daemon, so the cases run side by side.

- cold:   a stopped machine started through the API (boot 2000 ms, ready 1500 ms): the cold
          start's boot/ready/total are measured within 10 % in the log line and the histogram;
- resume: a suspended machine started (resume 1000 ms, ready 1200 ms): kind=resume;
- sick:   fault `unhealthy` then start: state unhealthy, `cold start slow` after the 4 s SLO,
          machine_probe_success 0, never `cold start finished`;
- stuck:  fault `stuck_starting` then start: `machine stuck` state=starting after stuck_after;
- oom:    fault `oom_exit` then start: `machine exited` reason=oom_killed, then started→stopped;
- db:     two started machines; `db_down` on one: healthy→unhealthy only after the failure
          threshold (2) of its own fly-force-instance-id probes while the other stays healthy,
          then `db_up`: back to healthy;
- restart: a machine woken 30 s before flysim started, its checks passing 10 s after that,
          found by flywatch already healthy: a cold start timed from the checks' updated_at
          (ready ~10 s, boot unknown), never from the moment flywatch looked (issue 9);
- fresh:  no target, a stopped machine started (boot 500 ms, ready 3000 ms): Fly lists no check
          status until the checks run, and that empty list is not "all passing" (ready ~3 s,
          not 0);
- /api/v1/status lists every app and machine with its state.

Usage: test_fly_lifecycle.py <flywatch> <flysim>
"""

import time

import harness
from flysim_env import (FlySim, apps_status, histogram, log_events, machine_state_metric,
                        machines_status, sleep_until, wait_event, within)
from harness import check, wait_until

COLD, RESUME, SICK, STUCK, OOM = ("c01d0000000001", "2e5000000000a1", "51c000000000b1",
                                  "57000000000c01", "00e000000000d1")
DB1, DB2 = "db0000000000e1", "db0000000000e2"
QUICK = "9c0000000000f1"
RESTART, FRESH = "7e5000000000a7", "f7e500000000b7"
CHECKS = ["servicecheck-00-http-8080"]

BOOT_MS, READY_MS = 2000, 1500          # cold
QUICK_BOOT_MS, QUICK_READY_MS = 1150, 250  # ready well within one poll interval
RESUME_MS, RESUME_READY_MS = 1000, 1200  # resume
RESTART_AGO_MS, RESTART_READY_MS = 30000, 10000
RESTART_SLO_S = 15  # the ~30 s "ready" of the time flywatch looked would be slow
FRESH_BOOT_MS, FRESH_READY_MS = 500, 3000
SICK_SLO_S = 4
STUCK_AFTER_S = 3
DB_FAILURE_THRESHOLD = 2
TARGET_INTERVAL_S = 3


def fleet():
    def machine(mid, region, state="stopped", **kw):
        m = {"id": mid, "region": region, "state": state, "checks": CHECKS}
        m.update(kw)
        return m
    return {"apps": [
        {"name": "cold", "machines": [
            machine(COLD, "ams", boot_delay_ms=BOOT_MS, ready_delay_ms=READY_MS)]},
        {"name": "resume", "machines": [
            machine(RESUME, "fra", state="suspended", resume_delay_ms=RESUME_MS,
                    ready_delay_ms=RESUME_READY_MS, boot_delay_ms=5000)]},
        {"name": "sick", "machines": [
            machine(SICK, "cdg", boot_delay_ms=500, ready_delay_ms=500)]},
        {"name": "stuck", "machines": [machine(STUCK, "ord")]},
        {"name": "quick", "machines": [
            machine(QUICK, "lhr", boot_delay_ms=QUICK_BOOT_MS, ready_delay_ms=QUICK_READY_MS)]},
        {"name": "oom", "machines": [machine(OOM, "iad", boot_delay_ms=300, ready_delay_ms=1500)]},
        {"name": "restart", "machines": [
            machine(RESTART, "ams", state="started", started_ago_ms=RESTART_AGO_MS,
                    ready_delay_ms=RESTART_READY_MS)]},
        {"name": "fresh", "machines": [
            machine(FRESH, "waw", boot_delay_ms=FRESH_BOOT_MS, ready_delay_ms=FRESH_READY_MS)]},
        # No Fly checks: the state of these follows flywatch's own probe alone.
        {"name": "db", "machines": [
            machine(DB1, "ams", state="started", checks=[]),
            machine(DB2, "sjc", state="started", checks=[])]},
    ]}


def metric_state(d, app, machine):
    return machine_state_metric(d.metrics(), app, machine)


def check_db_threshold(sim, d):
    """db_down on DB1: unhealthy only after DB_FAILURE_THRESHOLD failed probes; DB2 untouched."""
    f0 = d.metrics().value("flywatch_probes_total", target="db-t", result="failure") or 0
    sim.fault(DB1, "db_down")
    t0 = time.monotonic()
    seen_one_failure = False
    while True:
        m = d.metrics()
        # Only DB1 fails from here on: the target's failures are its probes'.
        failures = (m.value("flywatch_probes_total", target="db-t", result="failure") or 0) - f0
        s1 = machine_state_metric(m, "db", DB1)
        if failures == 1:
            seen_one_failure = True
            check(s1 == "healthy", f"db/{DB1} is {s1} after 1 failed probe (threshold "
                                   f"{DB_FAILURE_THRESHOLD})")
            check(m.value("flywatch_machine_probe_success", app="db", machine=DB1) == 0,
                  "machine_probe_success of db1 not 0 after a failed probe")
        if s1 == "unhealthy":
            check(failures >= DB_FAILURE_THRESHOLD,
                  f"db/{DB1} unhealthy after {failures} failed probes (threshold "
                  f"{DB_FAILURE_THRESHOLD})")
            break
        check(time.monotonic() - t0 < 3 * TARGET_INTERVAL_S + 6,
              f"db/{DB1} not unhealthy {time.monotonic() - t0:.1f}s after db_down "
              f"(state {s1}, failures {failures})")
        time.sleep(0.1)
    check(seen_one_failure, "never saw the state between the first and the second failure")
    m = d.metrics()
    check(m.value("flywatch_machine_probe_success", app="db", machine=DB1) == 0,
          "machine_probe_success of db1 should be 0 while unhealthy")
    check(m.value("flywatch_machine_probe_success", app="db", machine=DB2) == 1,
          "machine_probe_success of db2 should stay 1 (probes must be forced to each machine)")
    check(machine_state_metric(m, "db", DB2) == "healthy", "db2 left healthy")
    ev = wait_event(d, 5, "machine state changed", app="db", machine=DB1, to="unhealthy")
    check(ev["level"] == "warn" and ev["from"] == "healthy" and ev["region"] == "ams",
          f"db1 unhealthy line: {ev}")
    check(m.value("flywatch_machine_transitions_total", app="db", region="ams", **{
        "from": "healthy", "to": "unhealthy"}) == 1, "transitions_total healthy→unhealthy != 1")

    sim.fault(DB1, "db_up")
    wait_until(lambda: metric_state(d, "db", DB1) == "healthy", TARGET_INTERVAL_S + 5,
               "db1 healthy again after db_up")
    m = d.metrics()
    check(m.value("flywatch_machine_probe_success", app="db", machine=DB1) == 1,
          "machine_probe_success of db1 should be 1 after db_up")
    wait_event(d, 5, "machine state changed", app="db", machine=DB1, **{"from": "unhealthy",
                                                                          "to": "healthy"})
    check(not log_events(d, "machine state changed", app="db", machine=DB2, to="unhealthy"),
          "db2 went unhealthy though only db1's database went down")


def check_cold(d):
    ev = wait_event(d, 20, "cold start finished", app="cold")
    check(ev["machine"] == COLD and ev["region"] == "ams" and ev["kind"] == "cold",
          f"cold start line: {ev}")
    boot, ready, total = int(ev["boot_ms"]), int(ev["ready_ms"]), int(ev["duration_ms"])
    check(within(boot, BOOT_MS, 0.10), f"boot_ms {boot}, simulated {BOOT_MS}")
    check(within(ready, READY_MS, 0.10, 150), f"ready_ms {ready}, simulated {READY_MS}")
    check(within(total, BOOT_MS + READY_MS, 0.10), f"duration_ms {total}, simulated "
                                                   f"{BOOT_MS + READY_MS}")
    check(boot + ready == total or abs(boot + ready - total) <= 1,
          f"boot {boot} + ready {ready} != total {total}")
    check("slow" not in ev and ev["level"] == "info", f"a cold start within its SLO: {ev}")
    m = d.metrics()
    for phase, want in (("boot", BOOT_MS), ("ready", READY_MS), ("total", BOOT_MS + READY_MS)):
        n, s = histogram(m, "flywatch_cold_start_seconds", app="cold", region="ams", kind="cold",
                         phase=phase)
        check(n == 1, f"cold_start_seconds{{app=cold,phase={phase}}} count {n}, want 1")
        check(within(s * 1000, want, 0.10, 150 if phase == "ready" else 0),
              f"cold_start_seconds{{app=cold,phase={phase}}} sum {s:.3f}s, simulated {want} ms")
    check(histogram(m, "flywatch_cold_start_seconds", app="cold", kind="resume")[0] == 0,
          "a cold start counted as a resume")
    check(machine_state_metric(m, "cold", COLD) == "healthy", "cold machine not healthy")
    check(m.value("flywatch_machine_probe_success", app="cold", machine=COLD, region="ams") == 1,
          "machine_probe_success of the cold machine")
    check(m.value("flywatch_app_asleep", app="cold") == 0, "cold app still asleep")
    # stopped → starting → started → healthy (the poll may miss `starting`, never the rest).
    ts = [(e["from"], e["to"]) for e in log_events(d, "machine state changed", app="cold")]
    check(ts and ts[0][0] == "stopped" and ts[-1] == ("started", "healthy"),
          f"cold machine transitions {ts}")
    print(f"cold start: boot {boot} ms, ready {ready} ms, total {total} ms "
          f"(simulated {BOOT_MS} + {READY_MS})")


def check_quick(d):
    # Ready 250 ms after boot, polls every 1 s: only the wait request (…/wait?state=started)
    # gets the per-machine probe out in time to see `ready` end when it really does.
    ev = wait_event(d, 20, "cold start finished", app="quick")
    boot, ready = int(ev["boot_ms"]), int(ev["ready_ms"])
    check(within(boot, QUICK_BOOT_MS, 0.10), f"quick boot_ms {boot}, simulated {QUICK_BOOT_MS}")
    check(within(ready, QUICK_READY_MS, 0.10, 150),
          f"quick ready_ms {ready}, simulated {QUICK_READY_MS} (poll interval 1 s)")
    m = d.metrics()
    check(m.value("flywatch_fly_api_requests_total", app="quick", code="200") >= 2,
          "quick: polls and the wait request counted")


def check_resume(d):
    ev = wait_event(d, 20, "cold start finished", app="resume")
    check(ev["kind"] == "resume" and ev["machine"] == RESUME and ev["region"] == "fra",
          f"resume line: {ev}")
    boot, ready = int(ev["boot_ms"]), int(ev["ready_ms"])
    check(within(boot, RESUME_MS, 0.10), f"resume boot_ms {boot}, simulated {RESUME_MS}")
    check(within(ready, RESUME_READY_MS, 0.10, 150),
          f"resume ready_ms {ready}, simulated {RESUME_READY_MS}")
    m = d.metrics()
    n, s = histogram(m, "flywatch_cold_start_seconds", app="resume", kind="resume", phase="total")
    check(n == 1 and within(s * 1000, RESUME_MS + RESUME_READY_MS, 0.10, 150),
          f"resume total histogram count {n} sum {s:.3f}s")
    check(histogram(m, "flywatch_cold_start_seconds", app="resume", kind="cold")[0] == 0,
          "a resume counted as a cold start")
    ts = [(e["from"], e["to"]) for e in log_events(d, "machine state changed", app="resume")]
    check(ts and ts[0][0] == "suspended", f"resume transitions should start from suspended: {ts}")


def check_sick(d, started_at):
    ev = wait_event(d, 15, "machine state changed", app="sick", machine=SICK, to="unhealthy")
    check(ev["level"] == "warn", f"unhealthy transition should be a warning: {ev}")
    slow = wait_event(d, SICK_SLO_S + 10, "cold start slow", app="sick")
    check(slow["kind"] == "cold" and slow["machine"] == SICK and slow["level"] == "warn",
          f"cold start slow line: {slow}")
    dur = int(slow["duration_ms"])
    check(SICK_SLO_S * 1000 <= dur <= SICK_SLO_S * 1000 + 2500,
          f"cold start slow after {dur} ms (SLO {SICK_SLO_S}s, poll 1s)")
    m = d.metrics()
    check(machine_state_metric(m, "sick", SICK) == "unhealthy", "sick machine not unhealthy")
    check(m.value("flywatch_machine_probe_success", app="sick", machine=SICK) == 0,
          "machine_probe_success of the sick machine should be 0")
    check(m.value("flywatch_probes_total", target="sick-t", result="success") in (None, 0),
          "a probe of the sick machine passed")
    # Well past the SLO: still no finished cold start and no histogram observation.
    sleep_until(started_at + SICK_SLO_S + 3)
    check(not log_events(d, "cold start finished", app="sick"),
          "`cold start finished` for a machine that never became healthy")
    check(histogram(d.metrics(), "flywatch_cold_start_seconds", app="sick")[0] == 0,
          "cold_start_seconds observed for a machine that never became healthy")
    check(len(log_events(d, "cold start slow", app="sick")) == 1, "`cold start slow` repeated")


def check_stuck(d):
    ev = wait_event(d, STUCK_AFTER_S + 10, "machine stuck", app="stuck")
    check(ev["state"] == "starting" and ev["machine"] == STUCK and ev["region"] == "ord",
          f"machine stuck line: {ev}")
    check(STUCK_AFTER_S * 1000 <= int(ev["duration_ms"]) <= STUCK_AFTER_S * 1000 + 2500,
          f"stuck reported after {ev['duration_ms']} ms, stuck_after {STUCK_AFTER_S}s, poll 1s")
    check(metric_state(d, "stuck", STUCK) == "starting", "stuck machine not in state starting")
    time.sleep(1.5)  # a few more polls: reported once per state entry
    check(len(log_events(d, "machine stuck", app="stuck")) == 1, "`machine stuck` repeated")


def check_oom(d):
    ev = wait_event(d, 15, "machine exited", app="oom")
    check(ev.get("reason") == "oom_killed" and ev["exit_code"] == "137" and ev["level"] == "warn"
          and ev["machine"] == OOM, f"machine exited line: {ev}")
    ch = wait_event(d, 5, "machine state changed", app="oom", to="stopped")
    check(ch["from"] in ("started", "starting"), f"state change after the OOM exit: {ch}")
    wait_event(d, 5, "cold start abandoned", app="oom", machine=OOM)
    m = d.metrics()
    check(machine_state_metric(m, "oom", OOM) == "stopped", "oom machine not stopped")
    check(m.value("flywatch_app_asleep", app="oom") == 1, "oom app should be asleep again")
    check(len(log_events(d, "machine exited", app="oom")) == 1, "`machine exited` repeated")


def check_restart(d):
    """Found already healthy after a recent start: timed from the API, or not at all."""
    ev = wait_event(d, 10, "cold start finished", app="restart")
    ready, total = int(ev["ready_ms"]), int(ev["duration_ms"])
    check(within(ready, RESTART_READY_MS, 0.02, 50),
          f"restart ready_ms {ready}: want the checks' {RESTART_READY_MS} ms, not the time "
          f"flywatch first looked ({RESTART_AGO_MS} ms after the start)")
    check("boot_ms" not in ev and ev.get("boot") == "unknown",
          f"only a `started` event: boot unknown, not 0: {ev}")
    check(total == ready and "slow" not in ev and ev["level"] == "info", f"restart line: {ev}")
    check(not log_events(d, "cold start slow", app="restart"), "restart: `cold start slow`")
    m = d.metrics()
    check(histogram(m, "flywatch_cold_start_seconds", app="restart", phase="boot")[0] == 0,
          "restart: an unknown boot went into the histogram")
    n, s = histogram(m, "flywatch_cold_start_seconds", app="restart", phase="ready")
    check(n == 1 and s < RESTART_SLO_S, f"restart ready histogram count {n} sum {s:.3f}s")
    check(len(log_events(d, "cold start finished", app="restart")) == 1, "restart: repeated")
    check(machine_state_metric(m, "restart", RESTART) == "healthy", "restart machine not healthy")


def check_fresh(d):
    """An empty checks[] right after a start is "not reported yet", not "all passing"."""
    ev = wait_event(d, 20, "cold start finished", app="fresh")
    boot, ready = int(ev["boot_ms"]), int(ev["ready_ms"])
    check(within(boot, FRESH_BOOT_MS, 0.10, 100), f"fresh boot_ms {boot}, simulated {FRESH_BOOT_MS}")
    # Healthy is seen at the first poll (every 1 s) after the checks pass; slack for a busy host.
    check(FRESH_READY_MS <= ready <= FRESH_READY_MS + 5000,
          f"fresh ready_ms {ready}: simulated {FRESH_READY_MS} (0 means the empty checks list "
          f"was taken for passing)")
    ts = [(e["from"], e["to"]) for e in log_events(d, "machine state changed", app="fresh")]
    check(("started", "healthy") in ts, f"fresh transitions {ts}")


def check_status(d):
    apps = apps_status(d)
    check(set(apps) == {"cold", "resume", "sick", "stuck", "oom", "db", "quick", "restart",
                        "fresh"},
          f"status apps: {sorted(apps)}")
    want = {("cold", COLD): ("healthy", "started", "ams"),
            ("resume", RESUME): ("healthy", "started", "fra"),
            ("sick", SICK): ("unhealthy", "started", "cdg"),
            ("stuck", STUCK): ("starting", "starting", "ord"),
            ("oom", OOM): ("stopped", "stopped", "iad"),
            ("db", DB1): ("healthy", "started", "ams"),
            ("db", DB2): ("healthy", "started", "sjc")}
    for (app, mid), (state, fly_state, region) in want.items():
        ms = machines_status(d, app)
        check(mid in ms, f"status of {app} lacks machine {mid}: {sorted(ms)}")
        got = ms[mid]
        check((got["state"], got["fly_state"], got["region"]) == (state, fly_state, region),
              f"status of {app}/{mid}: state {got['state']}, fly_state {got['fly_state']}, "
              f"region {got['region']}; want {state}, {fly_state}, {region}")
    for name, a in apps.items():
        check(a["when_asleep"] == "skip", f"{name}: when_asleep {a['when_asleep']}")
        check(a["api"]["last_success"] and a["api"]["consecutive_failures"] == 0,
              f"{name}: api {a['api']}")
    check(apps["cold"]["target"] == "cold-t" and apps["stuck"]["target"] is None,
          f"targets in status: cold {apps['cold']['target']}, stuck {apps['stuck']['target']}")
    check(apps["oom"]["asleep"] is True and apps["cold"]["asleep"] is False,
          f"asleep in status: oom {apps['oom']['asleep']}, cold {apps['cold']['asleep']}")
    cold = machines_status(d, "cold")[COLD]
    check(cold["probe"] == "passing" and cold["last_probe"]["success"] is True,
          f"cold machine probe in status: {cold['probe']} {cold['last_probe']}")
    sick = machines_status(d, "sick")[SICK]
    check(sick["probe"] == "failing" and sick["last_probe"]["status_code"] == 503,
          f"sick machine probe in status: {sick['probe']} {sick['last_probe']}")
    check(sick["cold_start"] and sick["cold_start"]["kind"] == "cold" and
          sick["cold_start"]["slow"] is True, f"sick machine cold_start: {sick['cold_start']}")
    m = d.metrics()
    check(m.value("flywatch_app_machines", app="db", state="healthy") == 2,
          "flywatch_app_machines{app=db,state=healthy} != 2")
    check(m.value("flywatch_app_machines", app="stuck", state="starting") == 1,
          "flywatch_app_machines{app=stuck,state=starting} != 1")


def main(env, flysim_binary):
    sim = FlySim(env, flysim_binary, fleet()).start()
    targets = [sim.target(f"{app}-t", app, interval=f"{TARGET_INTERVAL_S}s", timeout="2500ms")
               for app in ("cold", "resume", "sick", "quick", "restart")]
    targets.append(sim.target("db-t", "db", interval=f"{TARGET_INTERVAL_S}s", timeout="2500ms",
                              failure_threshold=DB_FAILURE_THRESHOLD))
    apps = [sim.app("cold", target="cold-t", cold_start_slo="10s"),
            sim.app("resume", target="resume-t", cold_start_slo="10s"),
            sim.app("sick", target="sick-t", cold_start_slo=f"{SICK_SLO_S}s"),
            sim.app("stuck", stuck_after=f"{STUCK_AFTER_S}s"),
            sim.app("oom"),
            sim.app("db", target="db-t"),
            sim.app("quick", target="quick-t", cold_start_slo="10s"),
            sim.app("restart", target="restart-t", cold_start_slo=f"{RESTART_SLO_S}s"),
            sim.app("fresh", cold_start_slo="10s")]
    d = env.daemon()
    d.write_config(d.config(targets, extra={"fly": sim.fly_section(apps, poll_interval="1s")}))
    d.start()

    # Every machine seen in its initial state before anything is started.
    def initial():
        st = {(a, mid): m["state"] for a in ("cold", "resume", "sick", "stuck", "oom", "db", "quick",
                                             "restart", "fresh")
              for mid, m in machines_status(d, a).items()}
        return st if len(st) == 10 and st[("db", DB1)] == "healthy" and \
            st[("db", DB2)] == "healthy" else None
    st = wait_until(initial, 15, "all ten machines seen, the db ones healthy")
    check(st[("cold", COLD)] == "stopped" and st[("resume", RESUME)] == "suspended",
          f"initial states: {st}")
    wait_event(d, 5, "machine appeared", app="cold", machine=COLD, state="stopped", region="ams")
    check(d.metrics().value("flywatch_app_asleep", app="cold") == 1, "cold app not asleep at start")
    check(sim.edge_requests("cold") == 0, "the asleep cold app was probed before its start")

    sim.fault(SICK, "unhealthy")
    sim.fault(STUCK, "stuck_starting")
    sim.fault(OOM, "oom_exit")
    # Start just after a poll of `quick`: its machine is then started ~150 ms after the next
    # poll, so without the wait request its first probe would come ~850 ms late.
    def polls():
        return d.metrics().value("flywatch_fly_api_requests_total", app="quick", code="200")
    before = polls()
    wait_until(lambda: polls() > before, 5, "a poll of quick", interval=0.02)
    started_at = time.monotonic()
    for app, mid in (("cold", COLD), ("resume", RESUME), ("sick", SICK), ("stuck", STUCK),
                     ("oom", OOM), ("quick", QUICK), ("fresh", FRESH)):
        sim.machine_action(app, mid, "start")

    check_restart(d)
    check_db_threshold(sim, d)
    check_cold(d)
    check_fresh(d)
    check_quick(d)
    check_resume(d)
    check_stuck(d)
    check_oom(d)
    check_sick(d, started_at)
    check_status(d)
    d.assert_alive()
    print(f"all lifecycle cases checked {time.monotonic() - started_at:.1f}s after the starts")


if __name__ == "__main__":
    harness.run(main)
