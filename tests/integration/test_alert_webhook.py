#!/usr/bin/env python3
"""Alert delivery to webhook sinks (DESIGN §7, issue 4): a target that goes down and comes back
makes one signed `alert.firing` TargetDown and one `alert.resolved` (endsAt set) on every sink
whose filter matches; flywatch_alerts_firing goes 1 then 0 and deliveries are counted. A sink
answering 400 gives the event up after ONE attempt (counted `failed`, logged "webhook given up")
and its next event still goes out. A sink whose filter excludes TargetDown gets nothing.
"""

import datetime
import re
import time

import harness
from harness import check, target, wait_until, webhook_sink
from receiver import verify_signature

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkhIQ=="
FAST_RETRY = {"initial": "200ms", "max": "1s"}


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def deliveries(m, sink, result):
    return m.value("flywatch_webhook_deliveries_total", sink=sink, result=result) or 0


def firing_gauge(d):
    return d.metrics().value("flywatch_alerts_firing", alertname="TargetDown")


def check_request(req, secret, want_type, name):
    """A well-formed, correctly signed Standard Webhooks request for TargetDown on `name`."""
    where = f"{want_type} on {req.path}"
    check(req.method == "POST", f"{where}: method {req.method}")
    h = req.headers
    check(re.fullmatch(r"msg_[0-9A-Za-z]{10,}", h.get("webhook-id", "")),
          f"{where}: webhook-id {h.get('webhook-id')!r}")
    ts = h.get("webhook-timestamp", "")
    check(ts.isdigit() and abs(int(ts) - time.time()) < 60, f"{where}: webhook-timestamp {ts!r}")
    check(h.get("content-type", "").startswith("application/json"),
          f"{where}: content-type {h.get('content-type')!r}")
    # Checked here with Python's own HMAC, not only by the receiver's flag.
    check(verify_signature(secret, h["webhook-id"], ts, req.body, h.get("webhook-signature")),
          f"{where}: bad signature {h.get('webhook-signature')!r} for id={h['webhook-id']} "
          f"ts={ts} body={req.body[:300]!r}")
    doc = req.json()
    check(doc.get("type") == want_type, f"{where}: type {doc.get('type')!r}")
    parse_time(doc["timestamp"])
    data = doc["data"]
    labels = data["labels"]
    check(labels.get("alertname") == "TargetDown" and labels.get("severity") == "critical"
          and labels.get("target") == name, f"{where}: labels {labels}")
    check(data.get("fingerprint"), f"{where}: no fingerprint in {data}")
    check(data.get("status") == want_type.split(".")[1], f"{where}: data.status {data.get('status')}")
    parse_time(data["startsAt"])
    return data


def only_requests(receiver, n, what, settle=1.5):
    """Waits for `n` requests, then `settle` s more, and checks no more came."""
    wait_until(lambda: len(receiver.requests()) >= n, 15, f"{n} request(s) at {what}")
    time.sleep(settle)
    reqs = receiver.requests()
    check(len(reqs) == n, f"{what}: want exactly {n} request(s), got {reqs}")
    return reqs


def main(env):
    web = env.status_server()
    hook = env.receiver(SECRET)       # takes everything
    reject = env.receiver(OTHER_SECRET)  # answers 400 to the firing, then 204
    reject.status(400)
    warn_only = env.receiver(SECRET)  # filter severity [warning]: TargetDown is critical
    other_name = env.receiver(SECRET)  # filter alertname [CertExpiringSoon]
    td_only = env.receiver(SECRET)    # filter alertname [TargetDown], severity [critical]
    sinks = [
        webhook_sink("hook", hook.url("/hook"), SECRET, headers={"X-Team": "sre"},
                     retry=FAST_RETRY, timeout="2s"),
        webhook_sink("reject", reject.url("/reject"), OTHER_SECRET, retry=FAST_RETRY, timeout="2s"),
        webhook_sink("warn_only", warn_only.url("/warn"), SECRET, retry=FAST_RETRY,
                     filter={"severity": ["warning"]}),
        webhook_sink("other_name", other_name.url("/other"), SECRET, retry=FAST_RETRY,
                     filter={"alertname": ["CertExpiringSoon"]}),
        webhook_sink("td_only", td_only.url("/td"), SECRET, retry=FAST_RETRY,
                     filter={"alertname": ["TargetDown"], "severity": ["critical"]}),
    ]
    d = env.daemon()
    d.write_config(d.config([target("web", web.url("/health"))], interval="500ms", timeout="400ms",
                            alerts={"sinks": sinks}))
    r = env.run_cli("check-config", "--config", d.config_path)
    check(r.returncode == 0, f"check-config refused the alerts config ({r.returncode}): "
                             f"{r.stdout}{r.stderr}")
    d.start()
    wait_until(lambda: d.status()["web"]["state"] == "up", 15, "web up")
    time.sleep(1.0)
    for rc in (hook, reject, warn_only, other_name, td_only):
        check(not rc.requests(), f"a request while everything is up: {rc.requests()}")
    check(firing_gauge(d) in (None, 0), f"alerts_firing TargetDown before any alert: {firing_gauge(d)}")

    # 1. Down: one signed alert.firing per matching sink.
    web.set("/health", 500)
    wait_until(lambda: hook.requests(), 15, "alert.firing at the hook sink")
    firing_req = hook.requests()[0]
    firing = check_request(firing_req, SECRET, "alert.firing", "web")
    check(firing.get("endsAt") is None, f"firing has endsAt {firing.get('endsAt')!r}")
    check(firing_req.verified, "the receiver could not verify the firing's signature")
    check(firing_req.headers.get("x-team") == "sre",
          f"custom header X-Team missing: {firing_req.headers}")
    wait_until(lambda: firing_gauge(d) == 1, 5, "flywatch_alerts_firing{TargetDown} 1")
    wait_until(lambda: [l for l in d.log_lines()
                        if 'msg="alert firing"' in l and "alertname=TargetDown" in l
                        and "target=web" in l and "level=warn" in l], 5,
               "an 'alert firing' warn line for web")

    # 2. The 400 sink: given up after one attempt, counted and logged.
    rej = only_requests(reject, 1, "the 400 sink")  # 1.5 s ≫ the 200 ms retry: no retry came
    rej_id = rej[0].id
    check_request(rej[0], OTHER_SECRET, "alert.firing", "web")
    check(not verify_signature(SECRET, rej_id, rej[0].timestamp, rej[0].body,
                               rej[0].headers["webhook-signature"]),
          "the reject sink's request verifies with another sink's secret")
    wait_until(lambda: deliveries(d.metrics(), "reject", "failed") == 1, 5,
               "deliveries_total{sink=reject,result=failed} 1")
    m = d.metrics()
    check(deliveries(m, "reject", "retry") == 0, f"a 400 was retried: {deliveries(m, 'reject', 'retry')}")
    check(deliveries(m, "reject", "delivered") == 0, "a 400 counted as delivered")
    given_up = wait_until(lambda: [l for l in d.log_lines() if 'msg="webhook given up"' in l], 5,
                          "a 'webhook given up' line")
    check(len(given_up) == 1 and "level=error" in given_up[0] and "sink=reject" in given_up[0]
          and f"webhook_id={rej_id}" in given_up[0] and "reason=" in given_up[0],
          f"want one 'webhook given up' error line for sink=reject webhook_id={rej_id}: {given_up}")
    reject.ok()

    # 3. Up: alert.resolved with endsAt set, same fingerprint, a new webhook-id.
    web.set("/health", 200)
    wait_until(lambda: len(hook.requests()) >= 2, 15, "alert.resolved at the hook sink")
    hook_reqs = only_requests(hook, 2, "the hook sink")
    resolved_req = hook_reqs[1]
    resolved = check_request(resolved_req, SECRET, "alert.resolved", "web")
    check(resolved.get("endsAt"), f"resolved without endsAt: {resolved}")
    check(parse_time(resolved["endsAt"]) >= parse_time(resolved["startsAt"]),
          f"endsAt {resolved['endsAt']} before startsAt {resolved['startsAt']}")
    check(resolved["fingerprint"] == firing["fingerprint"],
          f"fingerprint changed: {firing['fingerprint']} -> {resolved['fingerprint']}")
    check(resolved["startsAt"] == firing["startsAt"],
          f"startsAt changed: {firing['startsAt']} -> {resolved['startsAt']}")
    check(resolved_req.id != firing_req.id, f"firing and resolved share the id {firing_req.id}")
    wait_until(lambda: firing_gauge(d) == 0, 5, "flywatch_alerts_firing{TargetDown} 0")
    wait_until(lambda: deliveries(d.metrics(), "hook", "delivered") == 2, 5,
               "deliveries_total{sink=hook,result=delivered} 2")
    check(deliveries(d.metrics(), "hook", "failed") == 0, "hook sink counted a failure")
    wait_until(lambda: [l for l in d.log_lines() if 'msg="alert resolved"' in l
                        and "target=web" in l], 5, "an 'alert resolved' line for web")

    # The reject sink's queue was not blocked by the given-up event.
    rej = only_requests(reject, 2, "the reject sink after it answers 204")
    check_request(rej[1], OTHER_SECRET, "alert.resolved", "web")
    check(rej[1].id != rej_id, "the resolved reused the given-up firing's id")
    wait_until(lambda: deliveries(d.metrics(), "reject", "delivered") == 1, 5,
               "deliveries_total{sink=reject,result=delivered} 1")
    check(deliveries(d.metrics(), "reject", "failed") == 1, "reject sink failed count changed")

    # 4. Filters: TargetDown (critical) reaches td_only, never warn_only or other_name.
    td = only_requests(td_only, 2, "the TargetDown/critical filtered sink", settle=0.5)
    check([q.type for q in td] == ["alert.firing", "alert.resolved"],
          f"td_only got {[q.type for q in td]}")
    for q, want in zip(td, ("alert.firing", "alert.resolved")):
        check_request(q, SECRET, want, "web")
    check(not warn_only.requests(), f"severity [warning] sink got {warn_only.requests()}")
    check(not other_name.requests(), f"alertname [CertExpiringSoon] sink got {other_name.requests()}")
    m = d.metrics()
    for sink in ("warn_only", "other_name"):
        got = sum(deliveries(m, sink, r) for r in ("delivered", "retry", "failed"))
        check(got == 0, f"sink {sink} counted {got} deliveries")
    check(deliveries(m, "td_only", "delivered") == 2, "td_only delivered count")
    print(f"firing id={firing_req.id} resolved id={resolved_req.id} given up id={rej_id}")
    rc, took = d.stop(grace=5.0)
    check(rc == 0, f"SIGTERM: exit code {rc} after {took:.2f}s (want 0 within 5s)")


if __name__ == "__main__":
    harness.run(main)
