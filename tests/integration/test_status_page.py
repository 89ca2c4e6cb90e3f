"""The status page (GET / of the admin server) in a real browser: flysim's fleet and a target
answering hostile JSON, watched by flywatch; Debian's headless Chromium loads the page.

- The response: 200 text/html; charset=utf-8, Cache-Control: no-store, a CSP with
  default-src 'none'; HEAD answers the same headers.
- The DOM Chromium builds (--dump-dom) holds every target with its state and the last
  failure's reason, the app's machines with their states, regions and health, the cold start
  flysim was told to make, and the firing TargetDown — each as /api/v1/status says.
- Untrusted text is inert: a machine region and a probed server's body carry <script> and
  <img onerror>; the DOM has no script or img element, they show as text, and the title is
  untouched (a script that ran would have changed it).
- Screenshots at phone width (390x844) and desktop width (1280x900) are non-empty PNGs of that
  size, kept in the build directory (paths printed).

Chromium is required: a missing one fails the test (tools/test installs it).

Usage: test_status_page.py <flywatch> <flysim> <directory for the screenshots>
"""

import html.parser
import http.server
import json
import os
import shutil
import struct
import subprocess
import threading
import urllib.request

import harness
from flysim_env import FlySim, apps_status
from harness import check, target, wait_until
from procs import start_process, stop_process

APP = "shop"
M_UP, M_COLD, M_STOPPED = "5a0000000000a1", "5a0000000000b2", "5a0000000000c3"
# Untrusted text on its way to the page: a machine's region from the Machines API and a probed
# server's body (it reaches the page in the failure's detail).
HOSTILE_REGION = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='x'\">\u00e9"
HOSTILE_BODY = {"status": "<script>document.title='pwned'</script><img src=x onerror=alert(1)>\u00fc"}
TITLE = "flywatch status"
CHROMIUM_TIMEOUT_S = 60
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


class HostileServer:
    """Answers every GET with HOSTILE_BODY as JSON (200)."""

    def __init__(self):
        body = json.dumps(HOSTILE_BODY).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def fleet():
    checks = ["servicecheck-00-http-8080"]
    return {"apps": [{"name": APP, "machines": [
        {"id": M_UP, "region": "iad", "state": "started", "checks": checks},
        {"id": M_COLD, "region": HOSTILE_REGION, "state": "stopped", "checks": checks,
         "boot_delay_ms": 600, "ready_delay_ms": 400},
        {"id": M_STOPPED, "region": "ams", "state": "stopped", "checks": checks},
    ]}]}


class Dom(html.parser.HTMLParser):
    """What the test reads from Chromium's DOM: every element name, the title, and per section
    id its table rows as {cell class: {"text": all of it, "own": not in a child element,
    "badges": [badge texts]}}, each row with "app": the app heading above it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.title = ""
        self.rows = {}  # section id -> [row]
        self.apps = []
        self._stack = []
        self._section = None
        self._app = None
        self._row = None
        self._cell = None
        self._in_title = False
        self._in_h3 = False
        self._badge_depth = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag in ("meta", "br", "img", "link", "input"):  # void elements
            return
        self._stack.append(tag)
        if tag == "section":
            self._section = a.get("id")
            self.rows.setdefault(self._section, [])
        elif tag == "title":
            self._in_title = True
        elif tag == "h3":
            self._in_h3 = True
            self._app = ""
        elif tag == "tr" and self._section:
            self._row = {"app": self._app}
        elif tag == "td" and self._row is not None:
            self._cell = {"text": "", "own": "", "badges": []}
            self._row[classes[0] if classes else f"td{len(self._row)}"] = self._cell
        elif tag == "span" and "badge" in classes and self._cell is not None:
            self._cell["badges"].append("")
            self._badge_depth = len(self._stack)

    def handle_endtag(self, tag):
        if tag in ("meta", "br", "img", "link", "input"):
            return
        depth = len(self._stack)
        if self._stack:
            self._stack.pop()
        if self._badge_depth == depth:
            self._badge_depth = None
        if tag == "title":
            self._in_title = False
        elif tag == "h3":
            self._in_h3 = False
            self.apps.append(self._app)
        elif tag == "td":
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if len(self._row) > 1:
                self.rows[self._section].append(self._row)
            self._row = None
        elif tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_h3:
            self._app += data
        if self._cell is not None:
            self._cell["text"] += data
            if self._stack and self._stack[-1] == "td":
                self._cell["own"] += data
            if self._badge_depth is not None:
                self._cell["badges"][-1] += data


def chromium_binary():
    exe = shutil.which("chromium")
    check(exe is not None, "chromium is not installed (tools/test installs it: apt-get install chromium)")
    return exe


def chromium(env, *args):
    """Runs headless Chromium with `args` in a throwaway profile and HOME, within
    CHROMIUM_TIMEOUT_S; returns its stdout. Every process it started is stopped."""
    exe = chromium_binary()
    home = os.path.join(env.dir, "chromium-home")
    os.makedirs(home, exist_ok=True)
    run_env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
                   XDG_CACHE_HOME=os.path.join(home, ".cache"))
    out_path = os.path.join(env.dir, "chromium.out")
    err_path = os.path.join(env.dir, "chromium.err")
    with open(out_path, "wb") as out, open(err_path, "ab") as err:
        proc = start_process([exe, "--headless=new", "--no-sandbox", "--disable-gpu",
                              "--disable-dev-shm-usage", "--no-first-run",
                              "--no-default-browser-check", "--disable-extensions",
                              f"--user-data-dir={os.path.join(home, 'profile')}", *args],
                             env=run_env, stdout=out, stderr=err)
    try:
        rc = proc.wait(timeout=CHROMIUM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        rc = None
    finally:
        stop_process(proc, grace=2.0)  # the browser's helpers (zygote, renderer) too
    with open(err_path, errors="replace") as f:
        err_tail = f.read()[-2000:]
    check(rc == 0, f"chromium {' '.join(args)} exited {rc}:\n{err_tail}")
    with open(out_path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    check(head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


def status_doc(d):
    code, text = d.get("/api/v1/status")
    check(code == 200, f"/api/v1/status answered {code}")
    return json.loads(text)


def main(env, flysim_binary, out_dir):
    chromium_binary()  # before anything starts: without it this test cannot pass
    sim = FlySim(env, flysim_binary, fleet()).start()
    evil = HostileServer()
    env.on_cleanup(evil.stop)
    d = env.daemon()
    targets = [sim.target("shop-web", APP, interval="1s", timeout="900ms"),
               target("evil", f"http://127.0.0.1:{evil.port}/", interval="1s",
                      expect={"status": [200], "body_json": {"status": "ok"}})]
    d.write_config(d.config(targets, extra={"fly": sim.fly_section([sim.app(APP, target="shop-web")])}))
    d.start()

    # A cold start for the page to list: the stopped machine with the hostile region started.
    wait_until(lambda: apps_status(d)[APP]["machines"], 20, "the fleet known")
    sim.machine_action(APP, M_COLD, "start")

    want_states = {M_UP: "healthy", M_COLD: "healthy", M_STOPPED: "stopped"}

    def settled():
        doc = status_doc(d)
        t = {x["name"]: x for x in doc["targets"]}
        machines = {m["id"]: m for m in doc["apps"][0]["machines"]}
        states = {i: m["state"] for i, m in machines.items()}
        ok = (states == want_states and machines[M_UP]["probe"] == "passing"
              and t["shop-web"]["state"] == "up" and t["evil"]["state"] == "down"
              and any(c["machine"] == M_COLD for c in doc["cold_starts"])
              and any(a["name"] == "TargetDown" for a in doc["alerts"]))
        return doc if ok else None
    doc = wait_until(settled, 60, f"machines {want_states}, targets probed, a cold start, an alert")

    url = f"{d.base}/"
    # The headers, for GET and HEAD.
    for method in ("GET", "HEAD"):
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as r:
            check(r.status == 200, f"{method} / answered {r.status}")
            check(r.headers["Content-Type"] == "text/html; charset=utf-8",
                  f"{method} / Content-Type {r.headers['Content-Type']!r}")
            check(r.headers["Cache-Control"] == "no-store", f"{method} / Cache-Control")
            csp = r.headers["Content-Security-Policy"] or ""
            check(csp.startswith("default-src 'none'; style-src 'sha256-"), f"{method} / CSP {csp!r}")
            body = r.read()
            check((len(body) > 0) == (method == "GET"), f"{method} / body of {len(body)} bytes")

    dom_text = chromium(env, "--dump-dom", url)
    dom = Dom()
    dom.feed(dom_text)
    dom.close()

    # Inert: no element from the data, and no script ran (it would have changed the title).
    check("script" not in dom.tags and "img" not in dom.tags,
          f"injected elements in the DOM: {sorted(set(dom.tags))}")
    check(dom.title == TITLE, f"title {dom.title!r}, want {TITLE!r}")

    targets = {r["name"]["own"]: r for r in dom.rows["targets"]}
    check(set(targets) == {"shop-web", "evil"}, f"target rows {sorted(targets)}")
    check(targets["shop-web"]["state"]["badges"] == ["up"], f"shop-web {targets['shop-web']}")
    check(targets["evil"]["state"]["badges"] == ["down"], f"evil {targets['evil']}")
    evil_last = {x["name"]: x for x in doc["targets"]}["evil"]["last"]
    want_detail = f"failing {evil_last['reason']}: {evil_last['error']}"
    check(HOSTILE_BODY["status"] in evil_last["error"], f"the error lost the body: {evil_last}")
    check(targets["evil"]["detail"]["text"] == want_detail,
          f"evil's detail {targets['evil']['detail']['text']!r}, want {want_detail!r}")

    check(dom.apps == [APP], f"apps on the page: {dom.apps}")
    machines = {r["id"]["text"]: r for r in dom.rows["apps"]}
    check(set(machines) == set(want_states), f"machine rows {sorted(machines)}")
    status_machines = {m["id"]: m for m in doc["apps"][0]["machines"]}
    for mid, row in machines.items():
        check(row["app"] == APP, f"{mid} listed under {row['app']!r}")
        check(row["state"]["badges"][:1] == [want_states[mid]], f"{mid} state {row['state']}")
        check(row["region"]["text"] == status_machines[mid]["region"],
              f"{mid} region {row['region']['text']!r}")
        check(row["health"]["badges"] == [status_machines[mid]["probe"]],
              f"{mid} health {row['health']} vs {status_machines[mid]['probe']}")
    check(machines[M_COLD]["region"]["text"] == HOSTILE_REGION, "the hostile region is not shown as text")

    colds = [r for r in dom.rows["cold-starts"] if r["id"]["text"] == M_COLD]
    check(len(colds) >= 1, f"no cold start of {M_COLD}: {dom.rows['cold-starts']}")
    c = colds[0]
    check((c["app"]["text"], c["region"]["text"], c["kind"]["text"]) == (APP, HOSTILE_REGION, "cold"),
          f"cold start row {c}")
    check(c["outcome"]["badges"][0] == "healthy", f"cold start outcome {c['outcome']}")
    for phase in ("boot", "ready", "total"):
        check(c[phase]["text"].endswith((" ms", " s")), f"cold start {phase} {c[phase]}")

    alerts = [r for r in dom.rows["alerts"] if r["name"]["text"] == "TargetDown"]
    check(len(alerts) == 1 and alerts[0]["labels"]["text"] == "target=evil",
          f"TargetDown rows {alerts}")
    check(alerts[0]["severity"]["badges"] == ["critical"], f"TargetDown {alerts[0]}")

    os.makedirs(out_dir, exist_ok=True)
    for name, (w, h) in SIZES.items():
        path = os.path.abspath(os.path.join(out_dir, f"status_page_{name}.png"))
        if os.path.exists(path):
            os.remove(path)
        chromium(env, f"--screenshot={path}", f"--window-size={w},{h}", url)
        check(os.path.getsize(path) > 0, f"{path} is empty")
        check(png_size(path) == (w, h), f"{path} is {png_size(path)}, want {(w, h)}")
        print(f"screenshot ({name}, {w}x{h}): {path}")


if __name__ == "__main__":
    harness.run(main)
