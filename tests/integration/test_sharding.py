#!/usr/bin/env python3
"""Many instances on one config (DESIGN §10, §13): `shard: {index, count}`, two vantages, a real
Prometheus and a real two-node Alertmanager cluster.

flysim plays four apps (one started machine each, Fly checks included); each app has a bound
target (`fly.apps[].target`) and there are four standalone targets on the healthy apps' edges.
Three flywatch instances run the same config on loopback: vantage "a" as two shards (0/2, 1/2),
vantage "b" whole (no shard:). They differ only in their listen port, state_dir and shard;
Prometheus tells the vantages apart by a scrape label (`vantage`), never by anything flywatch
says.

- check-config of a shard names what it keeps; `check` of a shard checks only that shard;
- Prometheus sees every target's flywatch_probe_success and every app's flywatch_app_asleep
  exactly once per vantage; in vantage a, each on the shard an independent Python copy of the
  hash (FNV-1a 64 + fmix64, mod 2) says, bound targets on their app's shard; flywatch_shard_info
  is 0/2 and 1/2 in vantage a and 0/1 in b;
- the database of one app goes down: its shard of vantage a and vantage b each raise TargetDown,
  MachineUnhealthy and AppNoHealthyMachines with the same labels and fingerprint (the other
  shard raises nothing) and POST them to both Alertmanager nodes; the webhook receiver behind the
  cluster gets each alert exactly once (each alert is its own group);
- the node that sent them is killed (SIGKILL) and another app goes down: the surviving node sends
  each new alert exactly once, and nothing again for the first outage.

Usage: test_sharding.py <flywatch> <flysim>
"""

import json
import time

import harness
from alertmanager import start_cluster
from flysim_env import FlySim, log_events
from harness import check, wait_until
from prom import query, start_prometheus

CHECKS = ["servicecheck-00-http-5000"]
# app: (machine id, region, the target bound to it). Bound targets are named so that some hash
# to the other shard on their own (blog-health, docs-health, search-health): they must follow
# their app.
APPS = {
    "shop-api": ("5a0e0000000001", "iad", "shop-api-health"),
    "blog": ("5a0e0000000002", "ams", "blog-health"),
    "docs": ("5a0e0000000003", "fra", "docs-health"),
    "search": ("5a0e0000000004", "syd", "search-health"),
}
# Standalone targets and the (always healthy) app whose edge each one probes.
STANDALONE = {"web-1": "shop-api", "web-2": "search", "status-page": "shop-api",
              "landing": "search"}
# What each shard of 2 keeps (docs/sharding.md shows the same split).
SHARDS = {
    0: {"apps": {"shop-api", "blog"},
        "targets": {"shop-api-health", "blog-health", "web-1", "landing"}},
    1: {"apps": {"docs", "search"},
        "targets": {"docs-health", "search-health", "web-2", "status-page"}},
}
FIRST_DOWN, SECOND_DOWN = "blog", "docs"  # one app of each shard
PEER_TIMEOUT_S = 3
# After the first notification of an outage, how long a duplicate would take to show: the
# second node's turn (peer_timeout after group_wait) and a group_interval, with room to spare.
DUPLICATE_WINDOW_S = 2 * PEER_TIMEOUT_S + 3
M64 = (1 << 64) - 1


# ------------------------------------------------------------------ the hash, independently

def spread_hash(name):
    """FNV-1a 64 of the UTF-8 name, then MurmurHash3's fmix64 (core/name_hash.hpp)."""
    h = 0xcbf29ce484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001b3) & M64
    h ^= h >> 33
    h = (h * 0xff51afd7ed558ccd) & M64
    h ^= h >> 33
    h = (h * 0xc4ceb9fe1a85ec53) & M64
    return h ^ (h >> 33)


def shard_of(name, count=2):
    return spread_hash(name) % count


def check_expected_split():
    """SHARDS is what the hash says, and the test exercises the bound-target rule."""
    app_of = {t: a for a, (_, _, t) in APPS.items()}
    for index, want in SHARDS.items():
        apps = {a for a in APPS if shard_of(a) == index}
        targets = {t for t in list(app_of) + list(STANDALONE)
                   if shard_of(app_of.get(t, t)) == index}
        check(apps == want["apps"] and targets == want["targets"],
              f"shard {index}/2 by the hash: apps {sorted(apps)}, targets {sorted(targets)}; "
              f"the test expects {want}")
    strays = [t for t, a in app_of.items() if shard_of(t) != shard_of(a)]
    check(len(strays) >= 2, f"no bound target hashes away from its app on its own: {strays}")


# ------------------------------------------------------------------------------- config

def fleet():
    return {"apps": [{"name": app, "machines": [
        {"id": mid, "name": f"{app}-1", "region": region, "state": "started",
         "process_group": "app", "checks": CHECKS}]}
        for app, (mid, region, _) in APPS.items()]}


def flywatch_config(d, sim, am_nodes, shard=None):
    """The one config of every instance; only server.listen and state_dir (d's own) and `shard`
    differ."""
    targets = [sim.target(t, app, interval="1s", timeout="800ms")
               for app, (_, _, t) in APPS.items()]
    targets += [sim.target(t, app, interval="1s", timeout="800ms")
                for t, app in STANDALONE.items()]
    extra = {
        "fly": sim.fly_section([sim.app(app, target=t) for app, (_, _, t) in APPS.items()],
                               poll_interval="1s"),
        "alerts": {
            # The test PKI's leaf lives 2 days: CertExpiringSoon (14 d) would rightly fire.
            "rules": {"TargetDown": {"for": "0s"}, "MachineUnhealthy": {"for": "0s"},
                      "AppNoHealthyMachines": {"for": "0s"},
                      "CertExpiringSoon": {"enabled": False}},
            # Every alert of an outage goes out (no inhibition): the test follows each one
            # through the Alertmanager cluster's deduplication.
            "inhibit": [],
            # The sink takes one URL: one sink per Alertmanager node.
            "sinks": [{"name": f"am-{i + 1}", "type": "alertmanager", "url": n.url,
                       "resend_interval": "2s", "retry": {"initial": "200ms", "max": "1s"}}
                      for i, n in enumerate(am_nodes)]},
    }
    if shard is not None:
        extra["shard"] = {"index": shard[0], "count": shard[1]}
    return d.config(targets, failure_threshold=1, success_threshold=1, extra=extra)


def expected_alerts(app):
    """The labels of the alerts an app's database outage raises (its bound target fails too)."""
    mid, region, t = APPS[app]
    return [{"alertname": "AppNoHealthyMachines", "severity": "critical", "app": app},
            {"alertname": "MachineUnhealthy", "severity": "warning", "app": app, "machine": mid,
             "region": region},
            {"alertname": "TargetDown", "severity": "critical", "target": t}]


def key_of(labels):
    return json.dumps(labels, sort_keys=True)


# --------------------------------------------------------------------------- Prometheus

def series_by_vantage(port, metric, label):
    """{vantage: {label value: [instance, …]}} of every series of `metric`."""
    out = {}
    for m, _ in query(port, metric):
        out.setdefault(m.get("vantage"), {}).setdefault(m.get(label), []).append(m["instance"])
    return out


def check_prometheus(port, shard_instance, whole_instance):
    """Every target and app exactly once per vantage, each on the shard the hash says."""
    all_targets = SHARDS[0]["targets"] | SHARDS[1]["targets"]
    instance_shard = {inst: i for i, inst in shard_instance.items()}

    def complete():
        t = series_by_vantage(port, "flywatch_probe_success", "target")
        a = series_by_vantage(port, "flywatch_app_asleep", "app")
        ok = (set(t) == {"a", "b"} and set(t["a"]) == set(t["b"]) == all_targets
              and set(a) == {"a", "b"} and set(a["a"]) == set(a["b"]) == set(APPS))
        return (t, a) if ok else None
    targets, apps = wait_until(complete, 30, "every target and app in prometheus for both "
                                             "vantages", interval=0.5)
    for kind, seen, want in (("target", targets, all_targets), ("app", apps, set(APPS))):
        for name in sorted(want):
            check(len(seen["a"][name]) == 1,
                  f"{kind} {name}: {len(seen['a'][name])} series in vantage a "
                  f"(instances {seen['a'][name]}), want exactly 1")
            check(seen["b"][name] == [whole_instance],
                  f"{kind} {name} in vantage b: instances {seen['b'][name]}")
            index = instance_shard.get(seen["a"][name][0])
            key = "targets" if kind == "target" else "apps"
            check(name in SHARDS[index][key],
                  f"{kind} {name} is watched by shard {index}/2, the hash says shard "
                  f"{1 - index}/2")
    info = sorted((m["vantage"], m["index"], m["count"], v)
                  for m, v in query(port, "flywatch_shard_info"))
    check(info == [("a", "0", "2", 1.0), ("a", "1", "2", 1.0), ("b", "0", "1", 1.0)],
          f"flywatch_shard_info in prometheus: {info}")
    print("prometheus: each target and app once per vantage; vantage a by shard: "
          + "; ".join(f"{i}/2 {sorted(SHARDS[i]['targets'])} apps {sorted(SHARDS[i]['apps'])}"
                      for i in (0, 1)))


# ---------------------------------------------------------------------- notifications

def notifications(rx):
    """Every Alertmanager webhook notification so far: (status, alert labels, externalURL)."""
    out = []
    for req in rx.requests():
        doc = req.json()
        check(isinstance(doc.get("alerts"), list) and len(doc["alerts"]) == 1,
              f"a notification with {len(doc.get('alerts') or [])} alerts (each alert should be "
              f"a group of its own): {req.body[:500]!r}")
        a = doc["alerts"][0]
        out.append((a["status"], key_of(a["labels"]), doc.get("externalURL")))
    return out


def await_outage(rx, before, want, what):
    """Waits until every alert of `want` has a firing notification after the first `before`,
    then DUPLICATE_WINDOW_S more; checks each was notified exactly once and nothing else was.
    Returns the externalURLs that sent them."""
    want_keys = {key_of(l) for l in want}

    def notified():
        fired = {k for s, k, _ in notifications(rx)[before:] if s == "firing"}
        return want_keys <= fired
    t0 = time.monotonic()
    try:
        wait_until(notified, 30, f"a notification for every alert of {what}")
    except harness.CheckFailed as e:
        raise harness.CheckFailed(f"{e}; got {notifications(rx)[before:]}")
    took = time.monotonic() - t0
    time.sleep(DUPLICATE_WINDOW_S)
    got = notifications(rx)[before:]
    for k in sorted(want_keys):
        n = [x for x in got if x[1] == k]
        check(len(n) == 1 and n[0][0] == "firing",
              f"{what}: {k} notified {len(n)} times ({n}), want once, firing")
    others = [x for x in got if x[1] not in want_keys]
    check(not others, f"{what}: other notifications: {others}")
    senders = sorted({x[2] for x in got})
    print(f"{what}: each of {len(want_keys)} alerts notified once ({took:.1f}s after the "
          f"outage began, no duplicate in the next {DUPLICATE_WINDOW_S}s), sent by {senders}")
    return senders


def check_raised_by(instances, silent, want):
    """Each instance of `instances` logged `alert firing` once for each alert, all with the same
    fingerprint; `silent` logged none of them."""
    for labels in want:
        fingerprints = set()
        for d in instances:
            lines = log_events(d, "alert firing", **labels)
            check(len(lines) == 1, f"{d.log_path}: {len(lines)} `alert firing` lines for {labels}")
            fingerprints.add(lines[0]["fingerprint"])
        check(len(fingerprints) == 1, f"{labels}: fingerprints differ between vantages: "
                                      f"{fingerprints}")
        check(not log_events(silent, "alert firing", **labels),
              f"{silent.log_path} raised {labels}, which is not in its shard")


def check_stored_once(nodes, want):
    for n in nodes:
        for labels in want:
            found = n.alerts(**labels)
            check(len(found) == 1 and found[0]["labels"] == labels,
                  f"{n.name} holds {len(found)} alerts for {labels}: {found}")


# --------------------------------------------------------------------------------- main

def main(env, flysim_binary):
    check_expected_split()
    rx = env.receiver()
    sim = FlySim(env, flysim_binary, fleet()).start()
    t0 = time.monotonic()
    nodes = start_cluster(env, 2, rx.url("/am"), peer_timeout=f"{PEER_TIMEOUT_S}s")
    print(f"alertmanager cluster of 2 ready in {time.monotonic() - t0:.1f}s")

    shards = {i: env.daemon(f"flywatch-a{i}") for i in (0, 1)}
    whole = env.daemon("flywatch-b")
    for i, d in shards.items():
        d.write_config(flywatch_config(d, sim, nodes, shard=(i, 2)))
    whole.write_config(flywatch_config(whole, sim, nodes))

    # The command line: check-config names the shard's part; check runs only that part.
    r = env.run_cli("check-config", "--config", shards[0].config_path)
    check(r.returncode == 0 and r.stdout == f"{shards[0].config_path}: ok (8 targets, 0 journeys;"
                                            " shard 0/2 keeps 4 of 8 targets, 0 of 0 journeys,"
                                            " 2 of 4 apps)\n",
          f"check-config of shard 0: exit {r.returncode}\n{r.stdout}{r.stderr}")
    print(r.stdout.strip())
    r = env.run_cli("check", "--json", "--config", shards[1].config_path, timeout=30)
    check(r.returncode == 0, f"check of shard 1: exit {r.returncode}\n{r.stdout}{r.stderr}")
    check(r.stderr == "shard 1/2 keeps 4 of 8 targets, 0 of 0 journeys, 2 of 4 apps; "
                      "checking only those\n", f"check of shard 1 on stderr: {r.stderr!r}")
    doc = json.loads(r.stdout)
    checked_apps = {a["app"] for a in doc["apps"]}
    checked_targets = {t["name"] for t in doc["targets"]}
    want_standalone = SHARDS[1]["targets"] & set(STANDALONE)
    check(checked_apps == SHARDS[1]["apps"] and checked_targets == want_standalone,
          f"check of shard 1 checked apps {sorted(checked_apps)}, targets "
          f"{sorted(checked_targets)}")

    for d in (*shards.values(), whole):
        d.start()
    instance = {i: f"127.0.0.1:{d.port}" for i, d in shards.items()}
    _, prom_port, _ = start_prometheus(env, groups=[([d.port for d in shards.values()],
                                                     {"vantage": "a"}),
                                                    ([whole.port], {"vantage": "b"})])
    check_prometheus(prom_port, instance, f"127.0.0.1:{whole.port}")
    for i, d in shards.items():
        shard_lines = log_events(d, "shard selected")
        check(len(shard_lines) == 1 and shard_lines[0]["shard"] == f"{i}/2"
              and shard_lines[0]["targets"] == "4" and shard_lines[0]["targets_total"] == "8"
              and shard_lines[0]["apps"] == "2" and shard_lines[0]["apps_total"] == "4",
              f"shard {i}'s `shard selected` log line: {shard_lines}")
    check(not log_events(whole, "shard selected"), "the unsharded instance logged a shard")

    # Healthy: every target up everywhere, nothing in Alertmanager, nothing notified.
    def all_up():
        for d in (*shards.values(), whole):
            d.assert_alive()
            if any(t["state"] != "up" for t in d.status().values()):
                return False
        return True
    wait_until(all_up, 20, "every target up on every instance")
    check(all(n.alerts() == [] for n in nodes) and notifications(rx) == [],
          f"alerts while healthy: {[n.alerts() for n in nodes]} {notifications(rx)}")

    # 1. An app of shard 0 goes down: raised by shard 0 and vantage b, notified once.
    first = expected_alerts(FIRST_DOWN)
    sim.fault(APPS[FIRST_DOWN][0], "db_down")
    senders = await_outage(rx, 0, first, f"{FIRST_DOWN} down")
    check(len(senders) == 1, f"notifications of one outage came from {senders}")
    check_raised_by([shards[0], whole], shards[1], first)
    check_stored_once(nodes, first)
    for d in (shards[0], whole):
        m = d.metrics()
        for sink in ("am-1", "am-2"):
            delivered = m.value("flywatch_webhook_deliveries_total", sink=sink,
                                result="delivered") or 0
            check(delivered >= 1, f"{d.log_path}: nothing delivered to {sink}")
    received = [n.received()["firing"] for n in nodes]
    check(all(r >= 2 * len(first) for r in received),
          f"alertmanager nodes received {received} firing alerts; both vantages posting each "
          f"of {len(first)} alerts to both nodes is at least {2 * len(first)} each")

    # 2. The node that sent them dies; an app of shard 1 goes down: notified once, by the other.
    dead = [n for n in nodes if n.url == senders[0]]
    check(len(dead) == 1, f"the sender {senders[0]} is not one of the nodes")
    survivor = [n for n in nodes if n is not dead[0]][0]
    dead[0].kill()
    before = len(notifications(rx))
    second = expected_alerts(SECOND_DOWN)
    sim.fault(APPS[SECOND_DOWN][0], "db_down")
    senders = await_outage(rx, before, second, f"{SECOND_DOWN} down with {dead[0].name} killed")
    check(senders == [survivor.url], f"sent by {senders}, want the survivor {survivor.url}")
    check_raised_by([shards[1], whole], shards[0], second)
    check_stored_once([survivor], first + second)
    survivor.assert_alive()
    for d in (*shards.values(), whole):
        d.assert_alive()


if __name__ == "__main__":
    harness.run(main)
