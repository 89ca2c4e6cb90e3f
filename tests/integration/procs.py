"""Process and port helpers shared by the integration tests and the benchmark.

Every process is started in a new session (its own process group) so that stopping it stops
whatever it forked too, and so that a test runner's Ctrl-C does not race our own cleanup.
"""

import ctypes
import os
import signal
import socket
import subprocess
import time


def free_port():
    """A TCP port that was free on 127.0.0.1 a moment ago (bind to 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    # Runs in the child between fork and exec: if the test process is SIGKILLed (so its
    # cleanup never runs), the kernel still kills what it started.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def start_process(args, env=None, stdout=None, stderr=None, stdin=subprocess.DEVNULL):
    """Starts `args` in its own process group, killed by the kernel if this process dies."""
    return subprocess.Popen(args, env=env, stdout=stdout, stderr=stderr, stdin=stdin,
                            start_new_session=True, preexec_fn=_die_with_parent)


def stop_process(proc, sig=signal.SIGTERM, grace=5.0):
    """Signals the process group of `proc`, waits up to `grace` s, then SIGKILLs the group.
    Returns the exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    # Whatever is left in the group (the leader or anything it forked) goes now.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        return proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return None


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _tail(path, n=40):
    if not path:
        return ""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def wait_port(port, proc, what, timeout=15.0, log_path=None):
    """Waits until something accepts on 127.0.0.1:`port`; fails early if `proc` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before listening on "
                               f"{port}:\n{_tail(log_path)}")
        if port_open(port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout}s:\n{_tail(log_path)}")


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of `pid` from /proc/<pid>/stat, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    # The command name is in parentheses and may contain spaces: split after the last ')'.
    fields = stat[stat.rindex(")") + 2:].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLK_TCK


def rss_bytes(pid):
    """VmRSS of `pid` from /proc/<pid>/status, in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")
