#!/usr/bin/env python3
"""The command line as deploy pipelines use it (DESIGN §3): `flywatch check` exit codes and
`--json`, `check-config` errors with `file:line:column:`, usage errors, `version`, `--help`.

Arguments: <flywatch> <expected version string>.
"""

import json
import os
import re
import socket

import harness
from harness import PATH_DOWN, check, target

# (name, config body after the server/state lines, line and column of the error or None)
BAD_CONFIGS = [
    ("unknown key", """\
targets:
  - name: a
    url: https://localhost:1/
    bogus_key: 1
""", 6, 5),
    ("bad duration", """\
defaults:
  interval: fast
targets:
  - name: a
    url: https://localhost:1/
""", 4, None),
    ("timeout not below interval", """\
targets:
  - name: a
    url: https://localhost:1/
    interval: 1s
    timeout: 2s
""", None, None),
    ("not YAML", """\
targets:
  - name: a
    url: [unclosed
""", None, None),
]


def header(env, port):
    # Two lines, so line numbers in BAD_CONFIGS count from 3.
    return f"server: {{listen: 127.0.0.1:{port}}}\nstate_dir: {env.dir}\n"


def check_configs(env):
    port = harness.free_port()
    for name, body, line, col in BAD_CONFIGS:
        path = os.path.join(env.dir, f"bad-{name.replace(' ', '_')}.yaml")
        with open(path, "w") as f:
            f.write(header(env, port) + body)
        r = env.run_cli("check-config", "--config", path)
        check(r.returncode == 78, f"check-config [{name}]: exit {r.returncode}, want 78; "
                                  f"stderr {r.stderr!r}")
        m = re.search(rf"^{re.escape(path)}:(\d+):(\d+): \S", r.stderr, re.M)
        check(m, f"check-config [{name}]: no '{path}:line:column: message' in {r.stderr!r}")
        if line is not None:
            check(int(m.group(1)) == line, f"[{name}] line {m.group(1)}, want {line}: {r.stderr!r}")
        if col is not None:
            check(int(m.group(2)) == col, f"[{name}] column {m.group(2)}, want {col}: {r.stderr!r}")
        # `run` refuses the same file the same way, without starting.
        r = env.run_cli("run", "--config", path, timeout=10)
        check(r.returncode == 78, f"run with [{name}]: exit {r.returncode}, want 78")

    good = os.path.join(env.dir, "good.yaml")
    with open(good, "w") as f:
        f.write(header(env, port) + "targets:\n  - name: a\n    url: https://localhost:1/\n")
    r = env.run_cli("check-config", "--config", good)
    check(r.returncode == 0, f"check-config on a good file: exit {r.returncode}, {r.stderr!r}")


def check_probes(env):
    ng = env.nginx({"good": env.pki.good})
    ca = env.pki.ca_cert
    d = env.daemon("check")  # only for its config helpers; never started
    healthy = target("healthy", ng.url("good"), ca,
                     expect={"status": [200], "body_json": {"status": "ok"}})
    down = target("down", ng.url("good", PATH_DOWN), ca)

    d.write_config(d.config([healthy], interval="5s", timeout="2s"))
    r = env.run_cli("check", "--config", d.config_path)
    check(r.returncode == 0, f"check healthy only: exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    check("healthy" in r.stdout, f"check table should name the target: {r.stdout!r}")

    d.write_config(d.config([healthy, down], interval="5s", timeout="2s"))
    r = env.run_cli("check", "--config", d.config_path)
    check(r.returncode == 1, f"check with a failing target: exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    check("down" in r.stdout, f"check table should name the failing target: {r.stdout!r}")

    r = env.run_cli("check", "--config", d.config_path, "--json")
    check(r.returncode == 1, f"check --json with a failing target: exit {r.returncode}")
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        raise harness.CheckFailed(f"check --json output is not JSON ({e}): {r.stdout!r}")
    by_name = {t["name"]: t for t in doc["targets"]}
    check(set(by_name) == {"healthy", "down"}, f"check --json targets: {sorted(by_name)}")
    check(by_name["healthy"]["success"] is True, f"healthy: {by_name['healthy']}")
    check(by_name["down"]["success"] is False, f"down: {by_name['down']}")
    check(by_name["down"]["reason"] == "status", f"down reason: {by_name['down']}")


def check_usage(env, version):
    for args in (["frobnicate"], ["run", "--no-such-flag"], ["check", "--json", "extra-arg"],
                 ["run", "--log-format", "yaml"], []):
        r = env.run_cli(*args, timeout=10)
        check(r.returncode == 2, f"flywatch {' '.join(args)}: exit {r.returncode}, want 2; "
                                 f"stderr {r.stderr!r}")
        check(r.stderr.strip(), f"flywatch {' '.join(args)}: a usage error must say why on stderr")

    r = env.run_cli("version")
    check(r.returncode == 0, f"version: exit {r.returncode}")
    check(version in r.stdout, f"version printed {r.stdout!r}, want {version!r} in it")

    for sub in ([], ["run"], ["check"], ["check-config"], ["version"]):
        r = env.run_cli(*sub, "--help", timeout=10)
        out = r.stdout + r.stderr
        check(r.returncode == 0, f"flywatch {' '.join(sub)} --help: exit {r.returncode}")
        check("usage" in out.lower() or "--config" in out,
              f"flywatch {' '.join(sub)} --help printed {out!r}")


def check_listen_errors(env):
    """`run` exits 78 for an address this host does not have (systemd then stops retrying) and
    70 for a port that is taken (a previous instance may still hold it)."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    try:
        for listen, want in (("192.0.2.1:9464", 78), (f"127.0.0.1:{taken}", 70)):
            path = os.path.join(env.dir, f"listen-{want}.yaml")
            with open(path, "w") as f:
                f.write(f'server: {{listen: "{listen}"}}\nstate_dir: {env.dir}\ntargets: []\n')
            r = env.run_cli("run", "--config", path, timeout=10)
            check(r.returncode == want, f"run with listen {listen}: exit {r.returncode}, want {want}; "
                                        f"{r.stderr!r}")
            check("cannot serve admin endpoint" in r.stderr, f"listen error log: {r.stderr!r}")
    finally:
        holder.close()


def main(env, version):
    check_configs(env)
    check_probes(env)
    check_usage(env, version)
    check_listen_errors(env)


if __name__ == "__main__":
    harness.run(main)
