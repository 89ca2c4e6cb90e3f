"""What the soak (tests/bench/soak.py) measures and judges, stdlib only: the lateness
histogram's p99 over a window, flatness of /proc samples, and the alert ledger (every event
the daemon logged reached the receiver exactly once)."""

import json
import statistics

from flysim_env import parse_logfmt

LATENESS = "flywatch_scheduler_lateness_seconds"


def lateness_buckets(metrics):
    """{le (float, inf for +Inf): cumulative count} of the lateness histogram."""
    out = {}
    for labels, v in metrics.all(LATENESS + "_bucket"):
        out[float("inf") if labels["le"] == "+Inf" else float(labels["le"])] = v
    return out


def p99_between(before, after, q=0.99):
    """(quantile in seconds, linear within its bucket as Prometheus' histogram_quantile does;
    share of probes started at most 10 ms late; probes counted) over the window between two
    bucket snapshots."""
    les = sorted(after)
    delta = {le: after[le] - before.get(le, 0.0) for le in les}
    total = delta[les[-1]]
    if total <= 0:
        return None, None, 0
    within_10ms = delta.get(0.01, 0.0) / total
    rank, prev_le, prev_c = q * total, 0.0, 0.0
    for le in les:
        if delta[le] >= rank:
            if le == float("inf"):
                return prev_le, within_10ms, total
            frac = (rank - prev_c) / (delta[le] - prev_c) if delta[le] > prev_c else 1.0
            return prev_le + (le - prev_le) * frac, within_10ms, total
        prev_le, prev_c = le, delta[le]
    return les[-1], within_10ms, total


def window_median(samples, start, end):
    """Median of the values of (t, value) samples with start <= t < end (None if none)."""
    vals = [v for t, v in samples if start <= t < end]
    return statistics.median(vals) if vals else None


# ----------------------------------------------------------------------------- the alert ledger

def logged_events(log_text):
    """{fingerprint: [type, …]} of what the daemon must have sent, in order, from its log:
    `alert firing` and `alert repeated` lines are sent as alert.firing; an `alert resolved` line
    is sent as alert.resolved only when that alert's firing was (otherwise it was never paged:
    inhibited, held or flapping); plus {fingerprint: labels} for messages, and the counts."""
    events, labels, notified = {}, {}, set()
    counts = {"firing": 0, "repeated": 0, "resolved": 0, "resolved_unsent": 0, "inhibited": 0}
    for line in log_text.splitlines():
        if 'msg="alert ' not in line:
            continue
        rec = parse_logfmt(line)
        msg, fp = rec.get("msg"), rec.get("fingerprint")
        if msg == "alert inhibited":
            counts["inhibited"] += 1
        if msg not in ("alert firing", "alert repeated", "alert resolved") or not fp:
            continue
        labels[fp] = {k: v for k, v in rec.items()
                      if k in ("alertname", "target", "app", "machine", "journey")}
        if msg in ("alert firing", "alert repeated"):
            events.setdefault(fp, []).append("firing")
            notified.add(fp)
            counts["firing" if msg == "alert firing" else "repeated"] += 1
        elif fp in notified:
            events.setdefault(fp, []).append("resolved")
            notified.discard(fp)
            counts["resolved"] += 1
        else:
            counts["resolved_unsent"] += 1
    return events, labels, counts


def delivered_events(receiver):
    """({fingerprint: [type, …]} in the order of each webhook-id's first 2xx answer, problems):
    every request must verify, one body per webhook-id and one webhook-id per body (a retry
    resends the same event as it was; a second id for an event is a duplicate delivery)."""
    problems, by_id, by_body, out, seen = [], {}, {}, {}, set()
    for q in receiver.requests():
        if q.verified is not True:
            problems.append(f"unverified signature on {q!r}")
            continue
        by_id.setdefault(q.id, set()).add(q.body)
        by_body.setdefault(q.body, set()).add(q.id)
        if q.answered_status is None or not 200 <= q.answered_status < 300 or q.id in seen:
            continue
        seen.add(q.id)
        doc = q.json()
        out.setdefault(doc["data"]["fingerprint"], []).append(doc["type"].split(".", 1)[1])
    for i, bodies in by_id.items():
        if len(bodies) > 1:
            problems.append(f"webhook-id {i} carried {len(bodies)} different bodies")
    for body, ids in by_body.items():
        if len(ids) > 1:
            problems.append(f"one event delivered under {len(ids)} webhook-ids {sorted(ids)}: "
                            f"{body[:200]!r}")
    return out, problems


def compare(expected, delivered, labels, limit=10):
    """Lines naming each alert whose delivered sequence differs from the logged one."""
    out = []
    for fp in sorted(set(expected) | set(delivered)):
        want, got = expected.get(fp, []), delivered.get(fp, [])
        if want != got:
            out.append(f"{json.dumps(labels.get(fp, {}), sort_keys=True)} fp={fp}: "
                       f"logged {want}, delivered {got}")
    if len(out) > limit:
        out = out[:limit] + [f"… and {len(out) - limit} more"]
    return out
