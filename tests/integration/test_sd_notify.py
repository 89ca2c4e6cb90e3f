#!/usr/bin/env python3
"""systemd notifications (DESIGN §3): with NOTIFY_SOCKET set, as systemd does for Type=notify,
flywatch sends READY=1 once serving, WATCHDOG=1 keep-alives from its event loop at half of
WATCHDOG_USEC, RELOADING=1 (with MONOTONIC_USEC) then READY=1 around a SIGHUP reload, and
STOPPING=1 on SIGTERM. The test plays systemd's side: a datagram socket it reads.
"""

import os
import signal
import socket
import time

import harness
from harness import check, target, wait_until


class NotifySocket:
    """The receiving end of sd_notify: an AF_UNIX datagram socket in the test's temp dir."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.setblocking(False)
        self.messages = []  # (monotonic time, {key: value})

    def drain(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except BlockingIOError:
                return self.messages
            fields = dict(l.split("=", 1) for l in data.decode().splitlines() if "=" in l)
            self.messages.append((time.monotonic(), fields))

    def having(self, key, value=None):
        return [(t, f) for t, f in self.drain() if key in f and (value is None or f[key] == value)]

    def close(self):
        self.sock.close()


def main(env):
    ng = env.nginx({"good": env.pki.good})
    n = NotifySocket(os.path.join(env.dir, "notify.sock"))
    env.on_cleanup(n.close)
    d = env.daemon()
    d.write_config(d.config([target("ok", ng.url("good"), env.pki.ca_cert)]))
    # WATCHDOG_PID must name the process that is watched; systemd sets it to the main PID, which
    # the test cannot know before the fork, so it is left out (sd_watchdog_enabled accepts that).
    d.start(extra_env={"NOTIFY_SOCKET": n.path, "WATCHDOG_USEC": "1000000"})

    wait_until(lambda: n.having("READY", "1"), 10, "READY=1")
    check(d.get("/readyz")[0] == 200, "/readyz after READY=1")

    # WATCHDOG_USEC=1 s: keep-alives every 0.5 s from the event loop.
    first = wait_until(lambda: n.having("WATCHDOG", "1"), 5, "WATCHDOG=1")[0][0]
    time.sleep(2.2)
    pings = [t for t, _ in n.having("WATCHDOG", "1") if t >= first]
    check(3 <= len(pings) <= 8, f"{len(pings)} WATCHDOG=1 in about 2.2 s at a 0.5 s period")

    before = len(n.having("READY", "1"))
    d.send_signal(signal.SIGHUP)
    reloading = wait_until(lambda: n.having("RELOADING", "1"), 10, "RELOADING=1")
    check("MONOTONIC_USEC" in reloading[-1][1], f"RELOADING=1 without MONOTONIC_USEC: {reloading[-1][1]}")
    wait_until(lambda: len(n.having("READY", "1")) > before, 10, "READY=1 after the reload")

    rc, took = d.stop(signal.SIGTERM)
    check(rc == 0, f"exit code {rc} after SIGTERM")
    check(took < 5, f"SIGTERM took {took:.1f} s")
    wait_until(lambda: n.having("STOPPING", "1"), 2, "STOPPING=1")


if __name__ == "__main__":
    harness.run(main)
