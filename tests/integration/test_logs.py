#!/usr/bin/env python3
"""Log lines (DESIGN §8): logfmt by default (`ts` RFC 3339 UTC with ms, `level`, `msg`, then
context keys), the same keys as JSON with --log-format json, under journald (JOURNAL_STREAM
set) no `ts` and a `<priority>` prefix; --log-level warn drops info lines; a successful probe
logs nothing at info.
"""

import json
import re

import harness
from harness import PATH_DOWN, check, target, wait_until

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
LOGFMT_PAIR = re.compile(r'([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?:\s+|$)')
PRIORITY = {"debug": 7, "info": 6, "warn": 4, "error": 3}
LEVELS = set(PRIORITY)


def parse_logfmt(line):
    """logfmt → list of (key, value) in order; fails on anything that is not key=value pairs."""
    pairs, pos = [], 0
    while pos < len(line):
        m = LOGFMT_PAIR.match(line, pos)
        check(m and m.end() > pos, f"not logfmt at column {pos}: {line!r}")
        v = m.group(2)
        if v.startswith('"'):
            v = json.loads(v)  # logfmt quoting is JSON-compatible for what flywatch writes
        pairs.append((m.group(1), v))
        pos = m.end()
    return pairs


def wait_events(d, parse):
    """Waits until the log holds: healthy unknown→up, down unknown→down, a warn 'probe failed'
    for down with reason=status; returns the parsed lines (list of dicts)."""
    def events():
        d.assert_alive()
        recs = [parse(l) for l in d.log_lines()]
        up = [r for r in recs if r.get("msg") == "target state changed" and r.get("target") == "healthy"
              and r.get("from") == "unknown" and r.get("to") == "up"]
        down = [r for r in recs if r.get("msg") == "target state changed" and r.get("target") == "down"
                and r.get("to") == "down"]
        failed = [r for r in recs if r.get("msg") == "probe failed" and r.get("target") == "down"
                  and r.get("reason") == "status" and r.get("level") == "warn"]
        return recs if up and down and failed else None
    return wait_until(events, 15, "state-change and probe-failed log lines")


def run_logfmt(env, config, d):
    d.write_config(config)
    d.start()

    def parse(line):
        pairs = parse_logfmt(line)
        keys = [k for k, _ in pairs]
        check(keys[:3] == ["ts", "level", "msg"], f"logfmt line must start ts, level, msg: {line!r}")
        rec = dict(pairs)
        check(TS.match(rec["ts"]), f"ts is not RFC 3339 UTC with ms: {rec['ts']!r}")
        check(rec["level"] in LEVELS, f"level {rec['level']!r}")
        return rec
    recs = wait_events(d, parse)
    # A successful probe logs nothing at info: lines about `healthy` do not grow with rounds.
    n_healthy = len([r for r in recs if r.get("target") == "healthy"])
    n_probes = sum(v for _, v in d.metrics().all("flywatch_probes_total", target="healthy"))
    wait_until(lambda: sum(v for _, v in d.metrics().all("flywatch_probes_total", target="healthy"))
               >= n_probes + 3, 10, "three more probes of healthy")
    later = [parse(l) for l in d.log_lines()]
    check(len([r for r in later if r.get("target") == "healthy"]) == n_healthy,
          "successful probes of 'healthy' wrote log lines at info")
    rc, _ = d.stop()
    check(rc == 0, f"SIGTERM exit {rc}")
    return {r["msg"]: set(r) for r in recs}


def run_json(env, config, d, logfmt_keys):
    d.write_config(config)
    d.start(args=["--log-format", "json"])

    def parse(line):
        try:
            rec = json.loads(line)
        except ValueError as e:
            raise harness.CheckFailed(f"not a JSON line ({e}): {line!r}")
        check(isinstance(rec, dict), f"JSON line is not an object: {line!r}")
        check(list(rec)[:3] == ["ts", "level", "msg"], f"JSON keys must start ts, level, msg: {line!r}")
        check(TS.match(rec["ts"]), f"ts is not RFC 3339 UTC with ms: {rec['ts']!r}")
        return rec
    recs = wait_events(d, parse)
    json_keys = {r["msg"]: set(r) for r in recs}
    for msg in ("target state changed", "probe failed"):
        check(json_keys[msg] == logfmt_keys[msg],
              f"{msg!r}: JSON keys {sorted(json_keys[msg])} != logfmt keys {sorted(logfmt_keys[msg])}")
    rc, _ = d.stop()
    check(rc == 0, f"SIGTERM exit {rc}")


def run_journal(env, config, d):
    d.write_config(config)
    d.start(journal=True)
    prefix = re.compile(r"^<([0-7])>(.*)$")

    def parse(line):
        m = prefix.match(line)
        check(m, f"journald line must start with <priority>: {line!r}")
        pairs = parse_logfmt(m.group(2))
        rec = dict(pairs)
        check("ts" not in rec, f"journald line must not carry ts: {line!r}")
        check([k for k, _ in pairs][:2] == ["level", "msg"], f"journald line must start level, msg: {line!r}")
        check(int(m.group(1)) == PRIORITY[rec["level"]],
              f"priority <{m.group(1)}> does not match level {rec['level']}: {line!r}")
        return rec
    recs = wait_events(d, parse)
    prios = {l[:3] for l in d.log_lines()}
    check({"<6>", "<4>"} <= prios, f"want both <6> and <4> lines, saw {prios}")
    check(any(r["level"] == "info" for r in recs), "no info line")
    rc, _ = d.stop()
    check(rc == 0, f"SIGTERM exit {rc}")


def run_warn_level(env, config, d):
    d.write_config(config)
    d.start(args=["--log-level", "warn"])

    def failed_lines():
        d.assert_alive()
        recs = [dict(parse_logfmt(l)) for l in d.log_lines()]
        return recs if any(r.get("msg") == "probe failed" for r in recs) else None
    recs = wait_until(failed_lines, 15, "a 'probe failed' line at --log-level warn")
    infos = [r for r in recs if r.get("level") in ("info", "debug")]
    check(not infos, f"--log-level warn still wrote: {infos[:3]}")
    rc, _ = d.stop()
    check(rc == 0, f"SIGTERM exit {rc}")


def main(env):
    ng = env.nginx({"good": env.pki.good})
    ca = env.pki.ca_cert
    targets = [target("healthy", ng.url("good"), ca), target("down", ng.url("good", PATH_DOWN), ca)]

    d = env.daemon("logfmt")
    logfmt_keys = run_logfmt(env, d.config(targets), d)
    d = env.daemon("json")
    run_json(env, d.config(targets), d, logfmt_keys)
    d = env.daemon("journal")
    run_journal(env, d.config(targets), d)
    d = env.daemon("warn")
    run_warn_level(env, d.config(targets), d)


if __name__ == "__main__":
    harness.run(main)
