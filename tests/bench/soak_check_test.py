#!/usr/bin/env python3
"""The soak's judge (soak_check.py) on made-up inputs: it must see a lost event, a duplicate
(one event under two webhook-ids), an unverified request and a resolved whose firing was never
sent, and interpolate the lateness p99 as histogram_quantile does. Exit 0 or 1; stdlib only."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from soak_check import compare, delivered_events, logged_events, p99_between  # noqa: E402

INF = float("inf")
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


class Req:
    def __init__(self, id, kind, fp, ts, status=204, verified=True):
        self.id, self.answered_status, self.verified = id, status, verified
        self.body = json.dumps({"type": "alert." + kind, "timestamp": ts,
                                "data": {"fingerprint": fp}}).encode()

    def json(self):
        return json.loads(self.body)


class Rx:
    def __init__(self, *reqs):
        self.reqs = list(reqs)

    def requests(self):
        return self.reqs


LOG = "\n".join([
    'ts=1 level=warn msg="alert firing" alertname=TargetDown severity=critical target=a fingerprint=fa',
    'ts=2 level=info msg="probe failed" target=b reason=timeout',
    'ts=3 level=info msg="alert inhibited" alertname=TargetDown target=b fingerprint=fb by=AppNoHealthyMachines',
    'ts=4 level=info msg="alert resolved" alertname=TargetDown severity=critical target=b fingerprint=fb',
    'ts=5 level=info msg="alert resolved" alertname=TargetDown severity=critical target=a fingerprint=fa',
    'ts=6 level=warn msg="alert firing" alertname=TargetDown severity=critical target=a fingerprint=fa',
])


def main():
    expected, labels, counts = logged_events(LOG)
    expect(expected == {"fa": ["firing", "resolved", "firing"]}, f"logged events {expected}")
    expect(counts["resolved_unsent"] == 1 and counts["inhibited"] == 1, f"counts {counts}")

    # A refused attempt and its retry under the same id, then the rest: all delivered once.
    good = Rx(Req("m1", "firing", "fa", "1", status=503), Req("m1", "firing", "fa", "1"),
              Req("m2", "resolved", "fa", "5"), Req("m3", "firing", "fa", "6"))
    got, problems = delivered_events(good)
    expect(not problems and not compare(expected, got, labels), f"good run: {problems} {got}")

    lost = Rx(Req("m1", "firing", "fa", "1"), Req("m3", "firing", "fa", "6"))
    got, problems = delivered_events(lost)
    expect(compare(expected, got, labels), "a lost resolved went unnoticed")

    dup = Rx(Req("m1", "firing", "fa", "1"), Req("m9", "firing", "fa", "1"),
             Req("m2", "resolved", "fa", "5"), Req("m3", "firing", "fa", "6"))
    got, problems = delivered_events(dup)
    expect(any("2 webhook-ids" in p for p in problems), f"a duplicate went unnoticed: {problems}")

    forged = Rx(Req("m1", "firing", "fa", "1", verified=False))
    expect(delivered_events(forged)[1], "an unverified request went unnoticed")

    before = {0.001: 0, 0.0025: 0, 0.005: 0, 0.01: 0, 0.025: 0, INF: 0}
    after = {0.001: 900, 0.0025: 989, 0.005: 995, 0.01: 999, 0.025: 1000, INF: 1000}
    p99, share, n = p99_between(before, after)
    expect(abs(p99 - (0.0025 + 0.0025 / 6)) < 1e-9 and share == 0.999 and n == 1000,
           f"p99 {p99} share {share} n {n}")
    late = {0.001: 900, 0.0025: 950, 0.005: 960, 0.01: 980, 0.025: 1000, INF: 1000}
    p99, share, _ = p99_between(before, late)
    expect(abs(p99 - 0.0175) < 1e-9 and share == 0.98, f"late p99 {p99} share {share}")
    expect(p99_between(after, after)[0] is None, "an empty window has no p99")

    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    print("PASS" if not failures else "FAILED")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
