"""flysim next to a flywatch daemon in the integration tests (stdlib only).

    sim = FlySim(env, flysim_binary, {"apps": [...]}).start()   # stopped by env's cleanup
    t = sim.target("be-t", "be", interval="3s", timeout="2500ms")
    d = env.daemon()
    d.write_config(d.config([t], extra={"fly": sim.fly_section([sim.app("be", target="be-t")])}))

flysim (tests/flysim) serves the Machines API and its /_sim/ control interface on a port of its
own choosing on 127.0.0.1, and one HTTPS edge per app, with a leaf of env.pki. Also here: the
daemon's /api/v1/status apps, histogram lookups and a logfmt reader for the Fly log lines.
"""

import json
import os
import re
import time
import urllib.error
import urllib.request

from harness import check, start_process, stop_process, target, wait_until

TOKEN = "flysim-test-token"
# What the simulated Medio backend answers while healthy (flysim edge_route.cpp app_answer).
HEALTHY_BODY = {"status": "ok", "database": "connected"}


def _request(url, method="GET", body=None, headers=None, timeout=5.0):
    """(status, parsed JSON or raw text) of a plain-HTTP request; error statuses are returned."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, method=method, data=data, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text = r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


class FlySim:
    """One flysim process serving `fleet` (a dict in the fleet file format of fleet.hpp)."""

    def __init__(self, env, binary, fleet, name="flysim", tls=True, token=TOKEN, leaf=None):
        self.env = env
        self.binary = os.path.abspath(binary)
        self.fleet = fleet
        self.name = name
        self.tls = tls
        self.leaf = leaf  # the edges' certificate (a pki.Leaf); default the test PKI's good one
        self.token = token
        self.fleet_path = os.path.join(env.dir, f"{name}-fleet.json")
        self.port_file = os.path.join(env.dir, f"{name}.port")
        self.log_path = os.path.join(env.dir, f"{name}.log")
        self.proc = None
        self.port = None
        self.edges = {}

    def start(self, timeout=15.0):
        with open(self.fleet_path, "w") as f:
            json.dump(self.fleet, f, indent=1)
        args = [self.binary, "--listen", "127.0.0.1:0", "--fleet", self.fleet_path,
                "--token", self.token, "--port-file", self.port_file]
        if self.tls:
            leaf = self.leaf or self.env.pki.good  # valid for 127.0.0.1 and localhost
            args += ["--tls-cert", leaf.cert, "--tls-key", leaf.key]
        log = open(self.log_path, "a")
        self.proc = start_process(args, stdout=log, stderr=log)
        log.close()
        self.env.on_cleanup(lambda: stop_process(self.proc))

        def port_written():
            if self.proc.poll() is not None:
                raise AssertionError(f"flysim exited with {self.proc.returncode}:\n{self.log()}")
            if not os.path.exists(self.port_file):
                return None
            with open(self.port_file) as f:
                return int(f.read().strip())

        self.port = wait_until(port_written, timeout, f"{self.name} port file")
        status, edges = self.sim_get("/_sim/edges")
        check(status == 200 and isinstance(edges, dict), f"GET /_sim/edges: {status} {edges!r}")
        self.edges = {app: int(port) for app, port in edges.items()}
        want = {a["name"] for a in self.fleet["apps"]}
        check(set(self.edges) == want, f"flysim edges {sorted(self.edges)} != apps {sorted(want)}")
        return self

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    @property
    def api_url(self):
        return f"http://127.0.0.1:{self.port}"

    def edge_url(self, app, path="/health"):
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.edges[app]}{path}"

    # ------------------------------------------------------------------ /_sim/ control interface

    def sim_get(self, path):
        return _request(self.api_url + path)

    def sim_post(self, path, body):
        status, answer = _request(self.api_url + path, method="POST", body=body)
        check(status == 200, f"POST {path} {body}: {status} {answer!r}")
        return answer

    def stats(self):
        """{"api_requests": {app: n}, "edge_requests": {app: n}, "user_requests": {app: n},
        "wait_requests": {machine id: n}}."""
        status, s = self.sim_get("/_sim/stats")
        check(status == 200 and isinstance(s, dict), f"GET /_sim/stats: {status} {s!r}")
        return s

    def api_requests(self, app):
        return int(self.stats()["api_requests"].get(app, 0))

    def edge_requests(self, app):
        return int(self.stats()["edge_requests"].get(app, 0))

    def wait_requests(self, machine_id):
        return int(self.stats()["wait_requests"].get(machine_id, 0))

    def refuse_wait(self, machine_id, error):
        """Every wait on the machine answers 400 {"error": error} from now on ("" stops it)."""
        return self.sim_post(f"/_sim/machines/{machine_id}/refuse_wait", {"error": error})

    def fault(self, machine_id, kind, **extra):
        """POST /_sim/machines/{id}/fault: stuck_starting, unhealthy, oom_exit, slow_boot
        (boot_delay_ms=…), db_down, db_up, none."""
        return self.sim_post(f"/_sim/machines/{machine_id}/fault", dict(kind=kind, **extra))

    def api_fault(self, status=None, garbage=False, count=1):
        """The next `count` Machines API requests (of any app) answer `status`, or a 200 whose
        body is not JSON."""
        body = {"count": count}
        if garbage:
            body["garbage"] = True
        else:
            body["status"] = status
        return self.sim_post("/_sim/api_fault", body)

    # --------------------------------------------------------------------- Machines API itself

    def api(self, method, path, body=None):
        return _request(self.api_url + path, method=method, body=body,
                        headers={"Authorization": f"Bearer {self.token}"})

    def machine_action(self, app, machine_id, action):
        """POST /v1/apps/{app}/machines/{id}/{start|stop|suspend}; fails unless 200."""
        status, answer = self.api("POST", f"/v1/apps/{app}/machines/{machine_id}/{action}", body={})
        check(status == 200, f"{action} {app}/{machine_id}: {status} {answer!r}")
        return answer

    def machine(self, app, machine_id):
        status, m = self.api("GET", f"/v1/apps/{app}/machines/{machine_id}")
        check(status == 200, f"GET machine {app}/{machine_id}: {status} {m!r}")
        return m

    # ------------------------------------------------------------------------ flywatch config

    def target(self, name, app, interval="3s", timeout="2500ms", **extra):
        """A target reaching `app`'s edge over HTTPS (trusting env.pki's CA) and expecting the
        healthy Medio answer."""
        extra.setdefault("expect", {"status": [200], "body_json": dict(HEALTHY_BODY)})
        return target(name, self.edge_url(app), self.env.pki.ca_cert if self.tls else None,
                      interval=interval, timeout=timeout, **extra)

    @staticmethod
    def app(name, target=None, when_asleep=None, wake_every=None, cold_start_slo=None,
            stuck_after=None):
        """One `fly.apps[]` entry; unset keys are left to the daemon's defaults."""
        a = {"name": name}
        for k, v in (("target", target), ("when_asleep", when_asleep), ("wake_every", wake_every),
                     ("cold_start_slo", cold_start_slo), ("stuck_after", stuck_after)):
            if v is not None:
                a[k] = v
        return a

    def fly_section(self, apps, poll_interval="1s"):
        """The `fly:` section pointing the daemon at this flysim."""
        return {"api_url": self.api_url, "token": self.token, "poll_interval": poll_interval,
                "apps": apps}


# ------------------------------------------------------------------------------- journeys

# The front end's one origin that Medio's API answers CORS for (fleet files' "auth.cors_origin").
MEDIO_ORIGIN = "https://medio-react-app.fly.dev"


def medio_auth_journey(sim, app="medio-backend", interval="1m", timeout="20s"):
    """Medio's register → login → me → CORS journey (DESIGN §12) through `app`'s edge, its
    password from ${MEDIO_PROBE_PASSWORD}."""
    return {
        "name": "medio-auth", "base_url": sim.edge_url(app, ""), "app": app,
        "interval": interval, "timeout": timeout, "tls": {"ca_file": sim.env.pki.ca_cert},
        "variables": {"email": "probe-{{uuid}}@example.com", "password": "${MEDIO_PROBE_PASSWORD}"},
        "steps": [
            {"name": "register", "method": "POST", "path": "/api/auth/register",
             "json": {"email": "{{email}}", "password": "{{password}}"},
             "expect": {"status": [201, 409]}},
            {"name": "login", "method": "POST", "path": "/api/auth/login",
             "json": {"email": "{{email}}", "password": "{{password}}"},
             "expect": {"status": [200], "cookies": {"medio_session": {
                 "http_only": True, "secure": True, "same_site": "strict"}}},
             "extract": {"user_id": "body_json:user.id"}},
            {"name": "me", "path": "/api/auth/me",
             "expect": {"status": [200], "body_json": {"user.id": "{{user_id}}"}}},
            {"name": "cors", "method": "OPTIONS", "path": "/api/auth/me",
             "headers": {"Origin": MEDIO_ORIGIN, "Access-Control-Request-Method": "GET"},
             "expect": {"cors": {"origin": MEDIO_ORIGIN, "credentials": True}}},
        ]}


# --------------------------------------------------------------------------- daemon readers

def apps_status(d):
    """/api/v1/status apps by name."""
    status, text = d.get("/api/v1/status")
    check(status == 200, f"/api/v1/status answered {status}: {text[:500]}")
    doc = json.loads(text)
    check(isinstance(doc.get("apps"), list), f"/api/v1/status has no apps list: {text[:500]}")
    return {a["name"]: a for a in doc["apps"]}


def machines_status(d, app):
    """The app's machines in /api/v1/status by id."""
    return {m["id"]: m for m in apps_status(d)[app]["machines"]}


def machine_state_metric(m, app, machine):
    """The state whose flywatch_machine_state sample is 1 (None when there is none), after
    checking that exactly one is."""
    ones = [l["state"] for l, v in m.all("flywatch_machine_state", app=app, machine=machine)
            if v == 1]
    check(len(ones) <= 1, f"flywatch_machine_state of {app}/{machine} is 1 for {ones}")
    return ones[0] if ones else None


def histogram(m, name, **labels):
    """(count, sum) of a histogram's series matching `labels` (summed over other labels)."""
    count = sum(v for _, v in m.all(name + "_count", **labels))
    total = sum(v for _, v in m.all(name + "_sum", **labels))
    return count, total


_LOGFMT_PAIR = re.compile(r'([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?:\s+|$)')


def parse_logfmt(line):
    """logfmt → dict; the daemon's quoting is JSON-compatible."""
    out, pos = {}, 0
    while pos < len(line):
        m = _LOGFMT_PAIR.match(line, pos)
        check(m and m.end() > pos, f"not logfmt at column {pos}: {line!r}")
        v = m.group(2)
        out[m.group(1)] = json.loads(v) if v.startswith('"') else v
        pos = m.end()
    return out


def log_events(d, msg=None, **keys):
    """The daemon's log lines as dicts, in order, filtered by `msg` and exact key values."""
    out = []
    for line in d.log_lines():
        rec = parse_logfmt(line)
        if msg is not None and rec.get("msg") != msg:
            continue
        if all(rec.get(k) == str(v) for k, v in keys.items()):
            out.append(rec)
    return out


def wait_event(d, timeout, msg, **keys):
    """Waits for a log line with `msg` and `keys`; returns the first one."""
    def found():
        d.assert_alive()
        ev = log_events(d, msg, **keys)
        return ev[0] if ev else None
    return wait_until(found, timeout, f"log line msg={msg!r} {keys}")


def within(value, want, rel, slack=0.0):
    """|value - want| <= want * rel + slack."""
    return abs(value - want) <= want * rel + slack


def sleep_until(deadline):
    """Sleeps until time.monotonic() reaches `deadline`."""
    delay = deadline - time.monotonic()
    if delay > 0:
        time.sleep(delay)
