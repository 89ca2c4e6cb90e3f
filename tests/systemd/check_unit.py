#!/usr/bin/env python3
"""Checks systemd/flywatch.service: `systemd-analyze verify` must accept it without a single
warning about it, `systemd-analyze security --offline=true` must rate its exposure at most
MAX_EXPOSURE, and the directives the daemon relies on must be there.

usage: check_unit.py UNIT FLYWATCH_EXE [INSTALLED_PATH]
verify refuses an ExecStart= whose binary does not exist, so it runs on a copy of the unit whose
INSTALLED_PATH (default /usr/local/bin/flywatch, where the unit says the binary is) is replaced
by FLYWATCH_EXE (the binary this build produced)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

MAX_EXPOSURE = 1.5
INSTALLED_PATH = sys.argv[3] if len(sys.argv) > 3 else "/usr/local/bin/flywatch"

# Directive → value the unit must carry (the daemon's contract with systemd, DESIGN §3).
REQUIRED = {
    "Type": "notify",
    "NotifyAccess": "main",
    "ExecStart": INSTALLED_PATH + " run --config /etc/flywatch/flywatch.yaml",
    "ExecReload": "/bin/kill -HUP $MAINPID",
    "WatchdogSec": "30s",
    "Restart": "on-failure",
    "DynamicUser": "yes",
    "StateDirectory": "flywatch",
    # The secrets config/medio.yaml reads through $CREDENTIALS_DIRECTORY.
    "LoadCredential": ["fly-token:/etc/flywatch/fly-token",
                       "webhook-secret:/etc/flywatch/webhook-secret",
                       "medio-probe-password:/etc/flywatch/medio-probe-password"],
}


def fail(message: str) -> None:
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[" or "=" not in line:
            continue
        key, value = line.split("=", 1)
        found.setdefault(key.strip(), []).append(value.strip())
    return found


def check_required(text: str) -> None:
    found = directives(text)
    for key, wants in REQUIRED.items():
        for want in wants if isinstance(wants, list) else [wants]:
            if want not in found.get(key, []):
                fail(f"{key}={want} missing (have {found.get(key)})")
    print("required directives: ok")


def check_verify(text: str, exe: str, analyze: str) -> None:
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        fail(f"{exe} is not an executable file")
    with tempfile.TemporaryDirectory(prefix="flywatch-unit-") as tmp:
        unit = os.path.join(tmp, "flywatch.service")
        with open(unit, "w", encoding="utf-8") as f:
            f.write(text.replace(INSTALLED_PATH, exe))
        proc = subprocess.run([analyze, "verify", "--man=no", unit], cwd=tmp,
                              capture_output=True, text=True, timeout=60)
    output = (proc.stdout + proc.stderr).strip()
    if output:
        print(output)
    # verify exits 0 on unknown keys and bad values ("…, ignoring."), so any line about our
    # unit counts as a failure too; lines about unrelated host units do not.
    ours = [l for l in output.splitlines() if "flywatch.service" in l]
    if proc.returncode != 0 or ours:
        fail(f"systemd-analyze verify: exit {proc.returncode}, {len(ours)} complaint(s)")
    print("systemd-analyze verify: ok")


def check_security(unit: str, analyze: str) -> None:
    proc = subprocess.run([analyze, "security", "--offline=true", "--no-pager", unit],
                          capture_output=True, text=True, timeout=60)
    output = proc.stdout + proc.stderr
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", output)
    if not match:
        print(output)
        fail(f"no exposure level in systemd-analyze security output (exit {proc.returncode})")
    exposure = float(match.group(1))
    if exposure > MAX_EXPOSURE:
        print("\n".join(l for l in output.splitlines() if "✗" in l))
        fail(f"exposure {exposure} > {MAX_EXPOSURE}")
    print(f"systemd-analyze security: exposure {exposure} <= {MAX_EXPOSURE}: ok")


def main() -> None:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    unit, exe = sys.argv[1], os.path.abspath(sys.argv[2])
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        fail("systemd-analyze not found (apt-get install systemd)")
    with open(unit, encoding="utf-8") as f:
        text = f.read()
    check_required(text)
    check_verify(text, exe, analyze)
    check_security(unit, analyze)


if __name__ == "__main__":
    main()
