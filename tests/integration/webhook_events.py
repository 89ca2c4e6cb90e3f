"""The alert events a receiver.Receiver got from a `webhook` sink, as the alert tests compare
them: (type, labels, data) per delivery, each retry (same webhook-id) once, every signature
verified; `describe` prints them one per line for a failure message."""

import json

from harness import check


def key_of(labels):
    """Labels as one comparable, printable string."""
    return json.dumps(labels, sort_keys=True)


def received(rx):
    """(type, labels, data) of every request `rx` got, in order; a retry (same webhook-id)
    once. Fails on a request whose signature did not verify."""
    out, seen = [], set()
    for req in rx.requests():
        check(req.verified is True, f"unverified webhook request {req!r}")
        if req.id in seen:
            continue
        seen.add(req.id)
        doc = req.json()
        out.append((doc["type"], doc["data"]["labels"], doc["data"]))
    return out


def describe(evs):
    return "\n  ".join(f"{t} {key_of(l)}" for t, l, _ in evs) or "(none)"
