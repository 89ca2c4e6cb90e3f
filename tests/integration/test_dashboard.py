#!/usr/bin/env python3
"""The Grafana dashboard (config/grafana/flywatch.json) against real data (issue 12): flywatch
watches flysim, Debian's Prometheus scrapes it every second, and every panel's expressions, with
the template variables substituted as Grafana would, run through Prometheus' HTTP API: each is
valid and returns at least one series with a number (not NaN).

So that every family has data, the test makes it happen rather than skipping a panel:
- `medio-backend` (one machine started, one stopped) with its target and Medio's auth journey
  run through a machine of the app every second; the journey is broken for a moment (a session
  cookie without Secure) so flywatch_journey_failures_total has a step and a reason;
- `waker` (a stopped machine) and `resumer` (a suspended one), both `when_asleep: wake_every`
  with flysim's autostop putting them back to sleep: a wake-up (flywatch_wake_latency_seconds)
  and a cold start of each kind (cold, resume) every few seconds, so rates over the last minute
  are never empty;
- a target that answers 500 (reasons in flywatch_probe_failures_total, TargetDown firing), the
  test PKI's 2-day certificate (flywatch_tls_cert_expiry_timestamp_seconds, CertExpiringSoon),
  and a webhook sink (receiver.py) that receives the alerts (flywatch_webhook_*);
- Prometheus also scrapes itself, whose process_* series the dashboard must leave out.

The variables are evaluated twice: $instance, $app, $target, $journey as "All" (the dashboard's
allValue `.*`), then with every value their own label_values() queries return selected
explicitly, formatted as Grafana formats a multi-value for a Prometheus regex (`(a|b)`,
regex-escaped): a matcher on a misspelt label passes with `.*` but not with real values.
$__rate_interval is 1m (what Grafana gives for a datasource's default 15 s scrape interval),
$__interval 15s, $__range the time since Prometheus started (at least 1m). A few panels are
also checked for what they show: a state code per machine (healthy, stopped), only flywatch's
process in the CPU panel, the failing target's and the journey's reasons, both cold start kinds
and both woken apps with a p95.

Usage: test_dashboard.py <flywatch> <flysim>
"""

import json
import math
import os
import re
import time
import urllib.parse

import harness
import prom
from flysim_env import MEDIO_ORIGIN, FlySim, histogram, medio_auth_journey
from harness import check, wait_until
from receiver import Receiver

DASHBOARD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config",
                         "grafana", "flywatch.json")

APP, WAKER, RESUMER = "medio-backend", "waker", "resumer"
M1, M2 = "da5b0000000001", "da5b0000000002"
WAKER_M, RESUMER_M = "da5b00000000a1", "da5b00000000b1"
CHECKS = ["servicecheck-00-http-5000"]
JOURNEY = "medio-auth"
SECRET = "pw-dashboard-test-7"

RATE_INTERVAL = "1m"
INTERVAL = "15s"


def fleet():
    return {"apps": [
        {"name": APP, "auth": {"cors_origin": MEDIO_ORIGIN}, "machines": [
            {"id": M1, "region": "iad", "state": "started", "process_group": "app", "checks": CHECKS},
            {"id": M2, "region": "ams", "state": "stopped", "process_group": "app", "checks": CHECKS}]},
        # Scale to zero: autostop stops (suspends) the machine 1.5-3 s after the last user
        # request, the daemon wakes it 2 s after it fell asleep.
        {"name": WAKER, "autostop_idle_ms": 1500, "machines": [
            {"id": WAKER_M, "region": "fra", "state": "stopped", "autostop": "stop",
             "boot_delay_ms": 400, "ready_delay_ms": 300, "checks": CHECKS}]},
        {"name": RESUMER, "autostop_idle_ms": 1500, "machines": [
            {"id": RESUMER_M, "region": "cdg", "state": "suspended", "autostop": "suspend",
             "resume_delay_ms": 300, "ready_delay_ms": 300, "checks": CHECKS}]},
    ]}


RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config",
                     "prometheus", "flywatch-rules.yml")


def start_prometheus(env, flywatch_port):
    """Debian's Prometheus on loopback scraping flywatch and itself every second, evaluating
    config/prometheus/flywatch-rules.yml."""
    return Prometheus(*prom.start_prometheus(env, flywatch_port, scrape_self=True,
                                             rule_files=[RULES]))


def recording_rules():
    """The names config/prometheus/flywatch-rules.yml records (`- record: NAME` lines)."""
    with open(RULES) as f:
        return re.findall(r"^\s*- record:\s*(\S+)\s*$", f.read(), flags=re.M)


class Prometheus:
    def __init__(self, proc, port, log_path):
        self.proc, self.port, self.log_path = proc, port, log_path
        self.started = time.time()

    def api(self, path, params):
        if self.proc.poll() is not None:
            with open(self.log_path) as f:
                raise harness.CheckFailed(f"prometheus exited: {f.read()[-3000:]}")
        url = f"http://127.0.0.1:{self.port}{path}?" + urllib.parse.urlencode(params, doseq=True)
        status, body = harness.http_request(url, timeout=10)
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {"status": "error", "error": body[:300]}
        if status != 200 or doc.get("status") != "success":
            return None, f"HTTP {status}: {doc.get('errorType', '')} {doc.get('error', body[:300])}"
        return doc["data"], None

    def query(self, expr):
        """(result list, None) or (None, error text) of an instant query now."""
        data, err = self.api("/api/v1/query", {"query": expr})
        if err:
            return None, err
        if data.get("resultType") != "vector":
            return None, f"result type {data.get('resultType')}, want vector"
        return data["result"], None

    def label_values(self, label, selector):
        """What Grafana's label_values(selector, label) lists: /api/v1/label/…/values."""
        now = time.time()
        data, err = self.api(f"/api/v1/label/{label}/values",
                             {"match[]": selector, "start": f"{self.started - 60:.3f}",
                              "end": f"{now:.3f}"})
        check(err is None, f"label_values({selector}, {label}): {err}")
        return sorted(data)


# ------------------------------------------------------------------- Grafana's substitutions

def regex_escape(value):
    """Grafana's prometheusSpecialRegexEscape: a value inside a PromQL "…" regex string."""
    value = value.replace("\\", "\\\\\\\\")
    return re.sub(r"[$^*{}\[\]'+?.()|]", lambda m: "\\\\" + m.group(0), value)


def multi_value(values):
    """A multi-value variable with these values selected, as Grafana writes it for =~."""
    escaped = [regex_escape(v) for v in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)")


def substitute(expr, values):
    def one(m):
        name = m.group(1) or m.group(2) or m.group(3)
        check(name in values, f"unknown variable ${name} in {expr!r}")
        return values[name]
    return _VARIABLE.sub(one, expr)


def load_dashboard():
    with open(DASHBOARD) as f:
        dash = json.load(f)
    queries = []  # (panel title, refId, expr)
    for p in dash["panels"]:
        for q in [p] + list(p.get("panels") or []):
            for t in q.get("targets") or []:
                queries.append((q["title"], t["refId"], t["expr"]))
    variables = [v for v in dash["templating"]["list"] if v["type"] == "query"]
    return queries, variables


def resolve_variables(prom, variables, builtins):
    """({name: [values its label_values() lists]}, {name: text substituted}) with every value
    of each query variable selected, in order: a later variable's query uses the earlier ones,
    as chained variables do."""
    chosen, values = {}, dict(builtins)
    for v in variables:
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", q)
        check(m, f"variable {v['name']}: {q!r} is not label_values(…)")
        selector = substitute(m.group(1), values)
        found = prom.label_values(m.group(2), selector)
        chosen[v["name"]] = found
        values[v["name"]] = multi_value(found) if found else v.get("allValue", ".*")
    return chosen, values


def finite(sample):
    try:
        return math.isfinite(float(sample["value"][1]))
    except (KeyError, IndexError, TypeError, ValueError):
        return False


def evaluate(prom, queries, values):
    """[(title, refId, expr, series, error)] for every panel query."""
    out = []
    for title, ref, expr in queries:
        q = substitute(expr, values)
        result, err = prom.query(q)
        if err is None and not result:
            err = "no series"
        elif err is None and not any(finite(s) for s in result):
            err = f"{len(result)} series, none with a number: {result[:3]}"
        out.append((title, ref, q, result, err))
    return out


def report(rows):
    return "\n".join(f"  [{'ok' if not err else 'FAIL'}] {title} ({ref}): "
                     + (f"{len(result)} series" if not err else f"{err}\n      {q}")
                     for title, ref, q, result, err in rows)


def fleet_problems(rows):
    """What a few panels show that is not the fleet of the test (empty when all is right)."""
    by = {(title, ref): result or [] for title, ref, _, result, _ in rows}
    out = []
    codes = {s["metric"].get("machine"): float(s["value"][1]) for s in by[("Machine states", "A")]}
    if set(codes) != {M1, M2, WAKER_M, RESUMER_M} or not all(c in range(1, 13) for c in codes.values()):
        out.append(f"Machine states: want one code 1-12 per machine, got {codes}")
    elif codes[M1] != 5 or codes[M2] != 1:
        out.append(f"Machine states: {M1} {codes[M1]} (want 5, healthy), {M2} {codes[M2]} "
                   "(want 1, stopped)")
    jobs = {s["metric"].get("job") for s in by[("CPU", "A")]}
    if jobs != {"flywatch"}:
        out.append(f"CPU: series of jobs {jobs}, want flywatch's alone")
    failing = {(s["metric"].get("target"), s["metric"].get("reason"))
               for s in by[("Probe failures by reason", "A")]}
    if ("flaky", "status") not in failing:
        out.append(f"Probe failures by reason: {failing}, want (flaky, status)")
    steps = {(s["metric"].get("step"), s["metric"].get("reason"))
             for s in by[("Journey failures over the time range", "A")]}
    if ("login", "cookie") not in steps:
        out.append(f"Journey failures: {steps}, want (login, cookie)")
    kinds = {s["metric"].get("kind") for s in by[("Cold start duration (p50, p95)", "A")] if finite(s)}
    if kinds != {"cold", "resume"}:
        out.append(f"Cold start p95: kinds with a number {kinds}, want cold and resume")
    woken = {s["metric"].get("app") for s in by[("Wake latency (p50, p95)", "A")] if finite(s)}
    if woken != {WAKER, RESUMER}:
        out.append(f"Wake latency p95: apps with a number {woken}, want {WAKER} and {RESUMER}")
    return out


# ------------------------------------------------------------------------------------- test

def main(env, flysim_binary):
    rx = Receiver()
    env.on_cleanup(rx.stop)
    flaky = env.status_server()
    flaky.set("/flaky", 500)
    sim = FlySim(env, flysim_binary, fleet()).start()

    d = env.daemon()
    targets = [sim.target(APP, APP, interval="1s", timeout="800ms"),
               sim.target("waker-t", WAKER, interval="1s", timeout="800ms"),
               sim.target("resumer-t", RESUMER, interval="1s", timeout="800ms"),
               harness.target("flaky", flaky.url("/flaky"), interval="1s", timeout="800ms")]
    apps = [sim.app(APP, target=APP),
            sim.app(WAKER, target="waker-t", when_asleep="wake_every", wake_every="2s"),
            sim.app(RESUMER, target="resumer-t", when_asleep="wake_every", wake_every="2s")]
    d.write_config(d.config(targets, extra={
        "fly": sim.fly_section(apps, poll_interval="1s"),
        "journeys": [medio_auth_journey(sim, APP, interval="1s", timeout="900ms")],
        "alerts": {"sinks": [{"name": "hook", "type": "webhook", "url": rx.url("/hook"),
                              "retry": {"initial": "200ms", "max": "2s"}}]}}))
    d.start(extra_env={"MEDIO_PROBE_PASSWORD": SECRET})
    prom = start_prometheus(env, d.port)

    # 1. Every family has data in flywatch itself.
    missing = []

    def families():
        d.assert_alive()
        m = d.metrics()
        missing[:] = []
        if m.value("flywatch_journey_success", journey=JOURNEY) != 1:
            missing.append("journey passing")
        if m.value("flywatch_target_up", target=APP) != 1:
            missing.append(f"{APP} up")
        if m.value("flywatch_target_up", target="flaky") != 0:
            missing.append("flaky down")
        for app in (WAKER, RESUMER):
            if histogram(m, "flywatch_wake_latency_seconds", app=app)[0] < 1:
                missing.append(f"{app} woken")
        for kind in ("cold", "resume"):
            if histogram(m, "flywatch_cold_start_seconds", kind=kind, phase="total")[0] < 1:
                missing.append(f"a {kind} cold start")
        if (m.value("flywatch_webhook_deliveries_total", sink="hook", result="delivered") or 0) < 1:
            missing.append("an alert delivered")
        return not missing
    try:
        wait_until(families, 60, "every family in /metrics")
    except harness.CheckFailed as e:
        raise harness.CheckFailed(f"{e}: still missing {missing}")

    # 2. The journey fails for a moment (its failures counter gets a step and a reason), then
    # passes again.
    sim.sim_post(f"/_sim/apps/{APP}/fault", {"kind": "cookie_insecure"})
    wait_until(lambda: (d.metrics().value("flywatch_journey_failures_total", journey=JOURNEY,
                                          step="login", reason="cookie") or 0) >= 1,
               20, "a journey failure counted")
    sim.sim_post(f"/_sim/apps/{APP}/fault", {"kind": "none"})
    wait_until(lambda: d.metrics().value("flywatch_journey_success", journey=JOURNEY) == 1,
               20, "the journey passing again")

    queries, variables = load_dashboard()
    check(len(queries) >= 30, f"only {len(queries)} panel queries in {DASHBOARD}")

    def builtins():
        return {"__rate_interval": RATE_INTERVAL, "__interval": INTERVAL,
                "__range": f"{max(60, int(time.time() - prom.started) + 1)}s"}

    # 3. All: every panel query valid, with a series holding a number, and a few panels showing
    # what the fleet is, once Prometheus has scraped what the daemon showed (waits for that
    # condition, not for a time).
    all_values = {v["name"]: v.get("allValue", ".*") for v in variables}
    last = {}

    def all_pass(values_fn):
        rows = evaluate(prom, queries, values_fn())
        last["rows"], last["problems"] = rows, fleet_problems(rows)
        return all(err is None for *_, err in rows) and not last["problems"]

    def wait_all(values_fn, timeout, what):
        try:
            wait_until(lambda: all_pass(values_fn), timeout, what, interval=1)
        except harness.CheckFailed as e:
            raise harness.CheckFailed(f"{e}:\n{report(last['rows'])}\n"
                                      + "\n".join(f"  {p}" for p in last["problems"]))

    wait_all(lambda: {**builtins(), **all_values}, 60,
             "every panel query to return data (variables All)")
    print(f"variables All: {len(queries)} panel queries, each with data:\n{report(last['rows'])}")

    # 4. The variables' own queries list exactly the fleet of the test, and only flywatch's
    # instance (Prometheus scrapes itself too).
    chosen, values = resolve_variables(prom, variables, builtins())
    want = {"instance": [f"127.0.0.1:{d.port}"], "app": sorted([APP, RESUMER, WAKER]),
            "target": sorted([APP, "flaky", "resumer-t", "waker-t"]), "journey": [JOURNEY]}
    for name, expected in want.items():
        check(chosen.get(name) == expected, f"${name}: label_values gives {chosen.get(name)}, "
                                            f"want {expected}")
    print(f"variables: {chosen}")

    # 5. Every value selected explicitly instead of All: the same queries, all with data.
    wait_all(lambda: resolve_variables(prom, variables, builtins())[1], 30,
             "every panel query to return data (every value selected)")
    print(f"variables {values}: every panel query has data")

    # 6. The Prometheus rules: every rule loaded and evaluated without error on this data, and
    # every recording rule yields at least one series.
    records = recording_rules()
    check(len(records) >= 10, f"recording rules found: {records}")

    def rules_ok():
        data, err = prom.api("/api/v1/rules", {})
        if err:
            return False
        rules = [r for g in data["groups"] for r in g["rules"]]
        bad = [(r["name"], r.get("lastError")) for r in rules if r.get("health") != "ok"]
        empty = [name for name in records if not (prom.query(name)[0] or [])]
        last["rules"] = (len(rules), bad, empty)
        return not bad and not empty

    try:
        wait_until(rules_ok, 30, "every rule healthy and every recording rule with a series",
                   interval=1)
    except harness.CheckFailed as e:
        raise harness.CheckFailed(f"{e}: (rules, unhealthy, recorded without a series) = "
                                  f"{last.get('rules')}")
    print(f"rules: {last['rules'][0]} evaluated without error; {len(records)} recording rules, "
          "each with a series")

    d.assert_alive()
    rc, took = d.stop()
    check(rc == 0, f"SIGTERM: exit code {rc} after {took:.1f}s")


if __name__ == "__main__":
    harness.run(main)
