#!/usr/bin/env python3
"""Reloading (DESIGN §3, §11): SIGHUP with a changed file adds, removes and keeps targets, the
kept target's state, `since` and counters survive; a bad file is refused as a whole (old config
keeps running, flywatch_config_last_reload_successful 0, a log line); POST /-/reload does the
same over HTTP; SIGTERM then exits 0 within 5 s.
"""

import re
import signal
import time

import harness
from harness import check, target, wait_until

BAD_CONFIG_TAIL = "    no_such_key: true\n"


def reload_metrics(d):
    m = d.metrics()
    return (m.value("flywatch_config_last_reload_successful"),
            m.value("flywatch_config_last_reload_success_timestamp_seconds"))


def probes_of(m, name):
    return sum(v for _, v in m.all("flywatch_probes_total", target=name))


def count_lines(d, pattern):
    return len([l for l in d.log_lines() if re.search(pattern, l)])


def main(env):
    ng = env.nginx({"good": env.pki.good})
    ca = env.pki.ca_cert
    keep = target("keep", ng.url("good"), ca)
    remove = target("remove", ng.url("good"), ca)
    add = target("add", ng.url("good"), ca)
    d = env.daemon()
    config_a = d.config([keep, remove])
    config_b = d.config([keep, add])
    d.write_config(config_a)
    d.start()

    wait_until(lambda: all(t["state"] == "up" for t in d.status().values()), 15, "keep and remove up")
    ok0, ts0 = reload_metrics(d)
    check(ok0 == 1, f"config_last_reload_successful at start: {ok0}")
    check(ts0 and abs(ts0 - time.time()) < 60, f"config_last_reload_success_timestamp at start: {ts0}")
    keep_before = d.status()["keep"]
    time.sleep(1.5)  # a re-created target would get a visibly different `since`
    keep_probes_before = probes_of(d.metrics(), "keep")

    # 1. SIGHUP with a changed file.
    d.write_config(config_b)
    d.send_signal(signal.SIGHUP)
    wait_until(lambda: set(d.status()) == {"keep", "add"}, 10, "targets {keep, add} after SIGHUP")
    wait_until(lambda: d.status()["add"]["state"] == "up", 10, "added target up")
    m = d.metrics()
    check("remove" not in m.targets_in(), "series of the removed target are still exported")
    check("add" in m.targets_in(), "the added target has no series")
    keep_after = d.status()["keep"]
    check(keep_after["state"] == "up", f"kept target state {keep_after['state']}")
    check(keep_after["since"] == keep_before["since"],
          f"kept target since changed: {keep_before['since']} -> {keep_after['since']}")
    check(probes_of(m, "keep") >= keep_probes_before,
          f"kept target's counter went back: {keep_probes_before} -> {probes_of(m, 'keep')}")
    ok1, ts1 = reload_metrics(d)
    check(ok1 == 1 and ts1 > ts0, f"after a good reload: successful={ok1} timestamp {ts0} -> {ts1}")
    wait_until(lambda: count_lines(d, r'msg="config reloaded"'), 5, "a 'config reloaded' log line")

    # 2. SIGHUP with a bad file: refused as a whole, the old config keeps running.
    with open(d.config_path) as f:
        good_text = f.read()
    d.write_config(good_text + BAD_CONFIG_TAIL)
    d.send_signal(signal.SIGHUP)
    wait_until(lambda: reload_metrics(d)[0] == 0, 10, "config_last_reload_successful 0 after a bad file")
    wait_until(lambda: count_lines(d, r'level=(warn|error) msg="config reload failed".* reason='), 5,
               "a 'config reload failed' log line with a reason")
    d.assert_alive()
    check(reload_metrics(d)[1] == ts1, "success timestamp moved on a failed reload")
    st = d.status()
    check(set(st) == {"keep", "add"}, f"targets after a bad reload: {sorted(st)}")
    check(st["keep"]["since"] == keep_before["since"], "a failed reload touched the kept target")
    # Still probing with the old config.
    n = probes_of(d.metrics(), "add")
    wait_until(lambda: probes_of(d.metrics(), "add") > n, 5, "probes continuing after a bad reload")

    # 3. POST /-/reload: bad file → 500 with the error, good file → 200.
    status, body = d.reload_http()
    check(status == 500, f"POST /-/reload with a bad file: {status} {body!r}")
    check("no_such_key" in body or re.search(r":\d+:\d+:", body), f"500 body should carry the error: {body!r}")
    check(reload_metrics(d)[0] == 0, "successful should stay 0")
    d.write_config(d.config([keep]))
    status, body = d.reload_http()
    check(status == 200, f"POST /-/reload with a good file: {status} {body!r}")
    ok3, ts3 = reload_metrics(d)
    check(ok3 == 1 and ts3 >= ts1, f"after POST reload: successful={ok3}, timestamp {ts1} -> {ts3}")
    wait_until(lambda: set(d.status()) == {"keep"}, 5, "targets {keep} after POST reload")
    check("add" not in d.metrics().targets_in(), "series of 'add' remain after it was removed")
    check(d.status()["keep"]["since"] == keep_before["since"], "POST reload touched the kept target")

    # 4. SIGTERM: exit 0 within 5 s.
    rc, took = d.stop(signal.SIGTERM, grace=5.0)
    check(rc == 0, f"SIGTERM: exit code {rc} after {took:.2f}s (want 0 within 5s)")
    print(f"SIGTERM → exit 0 in {took:.2f}s")


if __name__ == "__main__":
    harness.run(main)
