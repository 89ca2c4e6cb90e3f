#!/usr/bin/env python3
"""Sinks over HTTPS verify the receiver's certificate (issue 4: "TLS verified"): a receiver whose
certificate chains to the sink's `tls.ca_file` gets the signed alert; one that the system CAs do
not trust, or whose certificate names another host, gets nothing — every attempt fails at the
`tls` step and is retried (never given up: a fixed certificate must still get the page).
"""

import time

import harness
from harness import check, target, wait_until, webhook_sink

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
FAST_RETRY = {"initial": "200ms", "max": "500ms"}


def deliveries(d, sink, result):
    return d.metrics().value("flywatch_webhook_deliveries_total", sink=sink, result=result) or 0


def main(env):
    pki = env.pki
    web = env.status_server()
    trusted = env.receiver(SECRET, tls=pki.good)
    untrusted = env.receiver(SECRET, tls=pki.good)     # no ca_file: the system CAs refuse it
    wrong_host = env.receiver(SECRET, tls=pki.wrong_host)  # CN/SAN wrong.example
    sinks = [
        webhook_sink("trusted", trusted.url("/hook", host="localhost"), SECRET, retry=FAST_RETRY,
                     timeout="2s", tls={"ca_file": pki.ca_cert}),
        webhook_sink("untrusted", untrusted.url("/hook"), SECRET, retry=FAST_RETRY, timeout="2s"),
        webhook_sink("wrong_host", wrong_host.url("/hook"), SECRET, retry=FAST_RETRY,
                     timeout="2s", tls={"ca_file": pki.ca_cert}),
    ]
    d = env.daemon()
    d.write_config(d.config([target("web", web.url("/health"))], interval="500ms",
                            timeout="400ms", alerts={"sinks": sinks}))
    d.start()
    wait_until(lambda: d.status()["web"]["state"] == "up", 15, "web up")
    web.set("/health", 500)

    reqs = wait_until(lambda: trusted.requests(), 15, "the alert over verified HTTPS")
    check(reqs[0].verified and reqs[0].json()["type"] == "alert.firing",
          f"the trusted receiver got {reqs[0].describe() if hasattr(reqs[0], 'describe') else reqs[0]}")
    for name in ("untrusted", "wrong_host"):
        wait_until(lambda n=name: deliveries(d, n, "retry") >= 2, 15, f"{name}: retried attempts")
    time.sleep(1.0)
    for name, rc in (("untrusted", untrusted), ("wrong_host", wrong_host)):
        check(not rc.requests(), f"{name}: a request got through an unverified TLS: {rc.requests()}")
        check(deliveries(d, name, "failed") == 0, f"{name}: a TLS failure was given up")
        check(deliveries(d, name, "delivered") == 0, f"{name}: counted delivered")
        lines = [l for l in d.log_lines()
                 if 'msg="webhook delivery failed"' in l and f"sink={name}" in l]
        check(lines and all("reason=\"tls" in l or "reason=tls" in l for l in lines),
              f"{name}: want 'webhook delivery failed' lines with a tls reason: {lines[:3]}")
    check(d.metrics().value("flywatch_webhook_queue_depth", sink="untrusted") >= 1,
          "the untrusted sink's event must still wait in the queue")


if __name__ == "__main__":
    harness.run(main)
