#!/usr/bin/env python3
"""connection: reuse against nginx (DESIGN §4, §13): a reuse target's probes share one
kept-alive TLS connection (nginx's access log shows one $connection serial for all of them),
a fresh target's get one connection each; /api/v1/status says "connection": "reused" or
"new", the reused probe's connect and tls phases read 0, and the certificate gauge stays set.
nginx's keepalive_timeout (1s) is longer than the first interval (300ms); then a reload
makes the interval 2s, so nginx closes each kept connection while it is idle: every next probe
must open a new connection and succeed.
"""

import time

import harness
from harness import check, target, wait_until


def connections_of(access_log, marker):
    """nginx $connection serials of the requests whose request line holds `marker`."""
    serials = []
    with open(access_log) as f:
        for line in f:
            parts = line.split(" ", 2)
            if len(parts) == 3 and marker in parts[2]:
                serials.append(parts[0])
    return serials


def probes(d, name):
    m = d.metrics()
    return sum(v for _, v in m.all("flywatch_probes_total", target=name))


def main(env):
    ng = env.nginx({"good": env.pki.good}, keepalive_timeout="1s", access_log=True)
    d = env.daemon()
    d.write_config(d.config([
        target("kept", ng.url("good", "/?kept"), env.pki.ca_cert, connection="reuse",
               max_connection_age="1m"),
        target("fresh", ng.url("good", "/?fresh"), env.pki.ca_cert),
    ], interval="300ms", timeout="250ms"))
    d.start()
    wait_until(lambda: probes(d, "kept") >= 6 and probes(d, "fresh") >= 6, 30, "six probes each")

    kept = connections_of(ng.access_log, "?kept")
    fresh = connections_of(ng.access_log, "?fresh")
    check(len(kept) >= 6 and len(set(kept)) == 1,
          f"the reuse target's {len(kept)} requests came on connections {sorted(set(kept))}")
    check(len(fresh) >= 6 and len(set(fresh)) == len(fresh),
          f"the fresh target's {len(fresh)} requests came on {len(set(fresh))} connections")

    st = d.status()
    check(st["kept"]["last"]["success"] and st["kept"]["last"]["connection"] == "reused",
          f"kept: last {st['kept']['last']}")
    check(st["fresh"]["last"]["success"] and st["fresh"]["last"]["connection"] == "new",
          f"fresh: last {st['fresh']['last']}")

    m = d.metrics()
    for phase in ("resolve", "connect", "tls"):
        check(m.value("flywatch_probe_phase_seconds", target="kept", phase=phase) == 0,
              f"kept: phase {phase} of a reused probe is 0")
    check(m.value("flywatch_probe_phase_seconds", target="fresh", phase="tls") > 0,
          "fresh: a handshake every probe")
    kept_cert = m.value("flywatch_tls_cert_expiry_timestamp_seconds", target="kept")
    fresh_cert = m.value("flywatch_tls_cert_expiry_timestamp_seconds", target="fresh")
    check(kept_cert and kept_cert == fresh_cert,
          f"cert gauge of the reused connection {kept_cert}, of a fresh one {fresh_cert}")

    # nginx closes idle connections after 1s: with a 2s interval every kept connection is gone
    # by the next probe, which must succeed on a new one (never a failure).
    d.write_config(d.config([
        target("kept", ng.url("good", "/?kept"), env.pki.ca_cert, connection="reuse",
               max_connection_age="1m"),
    ], interval="2s", timeout="1s"))
    status, text = d.reload_http()
    check(status == 200, f"reload answered {status}: {text}")
    time.sleep(1)
    before, served = probes(d, "kept"), len(connections_of(ng.access_log, "?kept"))
    wait_until(lambda: probes(d, "kept") >= before + 3, 20, "three probes after the reload")
    m = d.metrics()
    check(not m.value("flywatch_probes_total", target="kept", result="failure"),
          "no kept probe failed across nginx's idle closes")
    later = connections_of(ng.access_log, "?kept")[served:]
    check(len(later) >= 3 and len(set(later)) == len(later),
          f"after idle closes each probe came on a new connection: {later}")
    check(d.status()["kept"]["last"]["connection"] == "new", "the last probe opened a connection")
    d.assert_alive()


if __name__ == "__main__":
    harness.run(main)
