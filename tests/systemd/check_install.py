#!/usr/bin/env python3
"""`meson install` into a DESTDIR puts each file in its FHS place under the prefix — the binary,
the systemd unit (its ExecStart naming the installed binary), the example configs, the Grafana
dashboard and the Prometheus rules — and the installed unit passes check_unit.py
(`systemd-analyze verify` without a warning, `security` rating, the directives the daemon needs).

usage: check_install.py BUILD_DIR PREFIX"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    build, prefix = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as dest:
        r = subprocess.run(["meson", "install", "-C", build, "--destdir", dest, "--no-rebuild",
                            "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            fail(f"meson install exited {r.returncode}:\n{r.stdout}")
        root = dest + prefix
        binary = os.path.join(root, "bin", "flywatch")
        expected = [
            binary,
            os.path.join(root, "lib", "systemd", "system", "flywatch.service"),
            os.path.join(root, "share", "doc", "flywatch", "examples", "medio.yaml"),
            os.path.join(root, "share", "doc", "flywatch", "examples", "demo.yaml"),
            os.path.join(root, "share", "flywatch", "grafana", "flywatch.json"),
            os.path.join(root, "share", "flywatch", "prometheus", "flywatch-rules.yml"),
        ]
        for path in expected:
            if not os.path.isfile(path):
                fail(f"not installed: {os.path.relpath(path, dest)}")
        if not os.access(binary, os.X_OK):
            fail("the installed binary is not executable")
        version = subprocess.run([binary, "version"], stdout=subprocess.PIPE, text=True)
        if version.returncode != 0 or not version.stdout.startswith("flywatch "):
            fail(f"the installed binary does not run: {version.returncode} {version.stdout!r}")
        unit = expected[1]
        installed_path = os.path.join(prefix, "bin", "flywatch")
        with open(unit) as f:
            if f"ExecStart={installed_path} run " not in f.read():
                fail(f"the installed unit's ExecStart does not name {installed_path}")
        r = subprocess.run([sys.executable, os.path.join(HERE, "check_unit.py"), unit, binary,
                            installed_path])
        if r.returncode != 0:
            fail("the installed unit fails check_unit.py")
        print("installed: " + ", ".join(os.path.relpath(p, dest) for p in expected))


if __name__ == "__main__":
    main()
