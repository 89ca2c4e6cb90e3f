#!/usr/bin/env python3
"""Delivery is off the probe path (DESIGN §7, issue 4): 40 targets probed every second against a
local nginx, plus one that goes down so TargetDown fires, and a webhook receiver that holds each
request for 30 s (sink timeout 40 s). Over a baseline window without alerts and over a window
while the receiver holds the delivery, the probe rate (flywatch_probes_total) must stay within
10% and the scheduler lateness (flywatch_scheduler_lateness_seconds) must not get worse: the
slow window's p99 bucket at most the baseline's or 25 ms, and its share of observations above
10 ms at most the baseline's plus a little noise.
"""

import os
import time

import harness
from harness import check, target, wait_until, webhook_sink

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
N_TARGETS = 40
WINDOW = 15.0  # seconds per measurement window; both fit in the receiver's 30 s hold
HOLD = 30.0
SANITIZED = os.environ.get("FLYWATCH_SANITIZED") == "1"
P99_CEILING = 0.05 if SANITIZED else 0.025
SHARE_NOISE = 0.05 if SANITIZED else 0.02  # absolute, on the share above 10 ms
RATE_TOLERANCE = 0.10


class Snapshot:
    """Probe total and lateness histogram at one moment."""

    def __init__(self, d):
        self.at = time.monotonic()
        m = d.metrics()
        self.probes = sum(v for _, v in m.all("flywatch_probes_total"))
        self.buckets = {float(l["le"]): v for l, v in
                        m.all("flywatch_scheduler_lateness_seconds_bucket")}
        self.count = m.value("flywatch_scheduler_lateness_seconds_count")
        check(self.buckets and self.count is not None, "no flywatch_scheduler_lateness_seconds")
        check(0.01 in self.buckets, f"no le=0.01 bucket: {sorted(self.buckets)}")


class Window:
    def __init__(self, name, a, b):
        self.name = name
        self.seconds = b.at - a.at
        self.rate = (b.probes - a.probes) / self.seconds
        self.count = b.count - a.count
        check(self.count > 0, f"{name}: no lateness observations")
        cum = {le: b.buckets[le] - a.buckets.get(le, 0) for le in b.buckets}
        self.share_over_10ms = 1 - cum[0.01] / self.count
        self.p99 = min(le for le, c in cum.items() if c >= 0.99 * self.count)

    def __str__(self):
        return (f"{self.name}: {self.seconds:.1f}s, {self.rate:.1f} probes/s, "
                f"{self.count:.0f} lateness observations, {100 * self.share_over_10ms:.2f}% > 10 ms, "
                f"p99 bucket le={self.p99}")


def main(env):
    ng = env.nginx({}, plain=True)
    flip = env.status_server()
    rcv = env.receiver(SECRET)
    rcv.delay(HOLD)
    targets = [target(f"n{i:02d}", ng.url("plain", "/")) for i in range(N_TARGETS)]
    targets.append(target("flip", flip.url("/flip")))
    d = env.daemon()
    d.write_config(d.config(targets, interval="1s", timeout="800ms", alerts={"sinks": [
        webhook_sink("slow", rcv.url(), SECRET, timeout="40s")]}))
    d.start()
    wait_until(lambda: all(t["state"] == "up" for t in d.status().values()), 15,
               "all targets up")
    time.sleep(2.0)  # past the start-up burst

    a = Snapshot(d)
    time.sleep(WINDOW)
    b = Snapshot(d)
    check(not rcv.requests(), f"a delivery during the baseline: {rcv.requests()}")
    base = Window("baseline", a, b)
    print(base)

    flip.set("/flip", 500)
    wait_until(lambda: rcv.requests(), 10, "the TargetDown delivery at the slow receiver")
    held = rcv.requests()[0]
    check(held.type == "alert.firing" and held.verified, f"held request: {held} verified={held.verified}")
    c = Snapshot(d)
    time.sleep(WINDOW)
    e = Snapshot(d)
    check(held.answered is None and len(rcv.requests()) == 1,
          f"the delivery was not held for the whole window: {rcv.requests()}")
    m = d.metrics()
    check((m.value("flywatch_webhook_queue_depth", sink="slow") or 0) >= 1,
          "queue_depth{slow} 0 while a delivery is held")
    check(not m.value("flywatch_webhook_deliveries_total", sink="slow", result="delivered"),
          "a delivery counted while the receiver holds it")
    slow = Window("receiver holding", c, e)
    print(slow)

    check(slow.rate >= (1 - RATE_TOLERANCE) * base.rate,
          f"probe rate fell from {base.rate:.1f}/s to {slow.rate:.1f}/s while a delivery is held")
    check(base.rate >= 0.9 * (N_TARGETS + 1),
          f"baseline probe rate {base.rate:.1f}/s, want about {N_TARGETS + 1}/s")
    check(slow.p99 <= max(base.p99, P99_CEILING),
          f"lateness p99 bucket le={slow.p99} while held, baseline le={base.p99} "
          f"(ceiling {P99_CEILING})")
    check(slow.share_over_10ms <= base.share_over_10ms + SHARE_NOISE,
          f"lateness > 10 ms: {100 * slow.share_over_10ms:.2f}% while held vs "
          f"{100 * base.share_over_10ms:.2f}% baseline")
    # The held delivery must not hold up shutdown either.
    rc, took = d.stop(grace=5.0)
    check(rc == 0, f"SIGTERM with a delivery in flight: exit code {rc} after {took:.2f}s "
                   "(want 0 within 5s)")
    print(f"SIGTERM with a delivery in flight: exit 0 in {took:.2f}s")


if __name__ == "__main__":
    harness.run(main)
