#!/usr/bin/env python3
"""Static checks of the Grafana dashboard config/grafana/flywatch.json (unit suite: no network).

    check_dashboard.py <dashboard.json> <lib/metrics directory>

- valid JSON with a `datasource` variable (type datasource, query prometheus) and the query
  variables $instance, $app, $target (multi-select, with All), each from label_values() of a
  flywatch metric;
- every panel and every query uses the datasource `${datasource}`: no datasource UID of anyone's
  Grafana is written in the file;
- panel ids are unique, every query has an `expr`;
- every metric an expression or a variable names is one flywatch exposes, read from
  lib/metrics/*.cpp (the "flywatch_…" and "process_…" names there; a histogram's _bucket, _sum,
  _count), so renaming a metric in the code fails here;
- every selector filters instance=~"$instance", and app=~"$app" / target=~"$target" /
  journey=~"$journey" where the metric carries that label (the Fly families of
  fleet_metrics.cpp carry app, those of journey_metrics.cpp journey, the per-target families
  of metrics.cpp target);
- panels lie inside the 24-column grid and do not overlap.
"""

import glob
import json
import os
import re
import sys

GRID_COLUMNS = 24
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
REQUIRED_VARIABLES = ("instance", "app", "target")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Words of PromQL that look like identifiers but name no metric.
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and",
                "or", "unless", "offset", "inf", "nan"}


class Failures:
    def __init__(self):
        self.items = []

    def add(self, message):
        self.items.append(message)


def exposed_metrics(metrics_dir):
    """(every name, {label: names carrying it}) from lib/metrics/*.cpp."""
    names, by_label = set(), {"app": set(), "journey": set(), "target": set()}
    files = sorted(glob.glob(os.path.join(metrics_dir, "*.cpp")))
    if not files:
        raise SystemExit(f"no .cpp files in {metrics_dir}")
    for path in files:
        with open(path) as f:
            text = f.read()
        found = set(re.findall(r'"((?:flywatch|process)_[a-z0-9_]+)"', text))
        names |= found
        base = os.path.basename(path)
        if base == "fleet_metrics.cpp":
            by_label["app"] |= {n for n in found if n.startswith("flywatch_")}
        elif base == "journey_metrics.cpp":
            by_label["journey"] |= {n for n in found if n.startswith("flywatch_")}
        elif base == "metrics.cpp":
            # The per-target families are the FamilyInfo constants; the rest (scheduler, config,
            # alerts, webhooks, build info) are built with prometheus-cpp and carry no target.
            per_target = set(re.findall(r'FamilyInfo\s+\w+\s*\{\s*"(flywatch_[a-z0-9_]+)"', text))
            if not per_target:
                raise SystemExit(f"{path}: no `FamilyInfo name{{\"flywatch_…\"` found: the "
                                 "per-target families moved; update this check")
            by_label["target"] |= per_target
    for label, group in by_label.items():
        if not group:
            raise SystemExit(f"no metric found that carries `{label}` in {metrics_dir}")
    return names, by_label


def base_metric(name, exposed):
    """The exposed family `name` belongs to (histogram suffixes stripped), or None."""
    if name in exposed:
        return name
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in exposed:
            return name[: -len(suffix)]
    return None


def strip_strings(expr):
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


def metric_names(expr):
    """Identifiers of an expression that name metrics: not functions, keywords, label names in
    by/on/group_left lists or matchers, durations or numbers."""
    text = strip_strings(expr)
    text = re.sub(r"\$\{[^}]*\}|\$\w+", "1m", text)   # variables out of strings: durations
    text = re.sub(r"\{[^}]*\}", "{}", text)          # matchers
    text = re.sub(r"\[[^\]]*\]", "[]", text)         # range and subquery durations
    # Grouping and matching clauses go whole, so `max by (app) (x)` reads as `max (x)`.
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    out = []
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = m.group(0)
        rest = text[m.end():].lstrip()
        if rest.startswith("("):                     # a function or aggregation
            continue
        if word.lower() in PROMQL_WORDS:
            continue
        if m.start() > 0 and (text[m.start() - 1].isdigit() or text[m.start() - 1] == "."):
            continue                                 # 1e3, 0.5 and the like
        out.append(word)
    return out


def selectors(expr):
    """(metric name, matcher text) of every vector selector; matcher text is '' without braces."""
    out = []
    for m in re.finditer(r"\b((?:flywatch|process)_[a-z0-9_]+)\s*(\{([^}]*)\})?", expr):
        out.append((m.group(1), m.group(3) if m.group(2) else None))
    return out


def check_selectors(where, expr, exposed, by_label, failures):
    for name, matchers in selectors(expr):
        base = base_metric(name, exposed)
        if base is None:
            continue  # reported by the name check
        if matchers is None:
            failures.add(f"{where}: {name} has no label matchers (instance=~\"$instance\" missing)")
            continue
        want = ['instance=~"$instance"']
        for label, group in by_label.items():
            if base in group:
                want.append(f'{label}=~"${label}"')
        compact = re.sub(r"\s+", "", matchers)
        for w in want:
            if w not in compact:
                failures.add(f"{where}: {name}{{{matchers}}} does not filter {w}")


def all_panels(dash):
    """Every panel, those inside collapsed rows included."""
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []) or []:
            yield q


def check_datasource(where, ds, failures):
    if ds != DATASOURCE:
        failures.add(f"{where}: datasource {json.dumps(ds)}, want {json.dumps(DATASOURCE)}")


def check_uids(node, path, failures):
    """No `uid` under a datasource other than ${datasource}, anywhere in the file."""
    if isinstance(node, dict):
        for k, v in node.items():
            here = f"{path}.{k}"
            if k == "datasource":
                if isinstance(v, str):
                    failures.add(f"{here}: datasource given by name {v!r}")
                elif isinstance(v, dict) and v.get("uid") not in (None, "${datasource}"):
                    failures.add(f"{here}: datasource uid {v.get('uid')!r}")
            check_uids(v, here, failures)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            check_uids(v, f"{path}[{i}]", failures)


def check_variables(dash, exposed, by_label, failures):
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        failures.add(f"templating: no datasource variable `datasource` of query prometheus: {ds}")
    elif str(ds.get("current", {}).get("value", "")) not in ("", "${DS_PROMETHEUS}"):
        failures.add(f"templating.datasource: current value {ds['current']} names a datasource; "
                     "leave it to the import input ${DS_PROMETHEUS}")
    inputs = [i for i in dash.get("__inputs", []) if i.get("type") == "datasource"]
    if any(i.get("pluginId") != "prometheus" for i in inputs):
        failures.add(f"__inputs: a datasource input that is not Prometheus: {inputs}")
    for name in REQUIRED_VARIABLES:
        if name not in variables:
            failures.add(f"templating: no ${name} variable")
    for name, v in variables.items():
        if v.get("type") != "query":
            continue
        where = f"templating.{name}"
        check_datasource(where, v.get("datasource"), failures)
        if not (v.get("multi") and v.get("includeAll")):
            failures.add(f"{where}: not multi-select with All")
        q = v.get("query")
        query = q.get("query") if isinstance(q, dict) else q
        m = re.fullmatch(r"label_values\((.*),\s*([a-zA-Z_]\w*)\)", query or "")
        if not m:
            failures.add(f"{where}: query {query!r} is not label_values(metric{{…}}, label)")
            continue
        if v.get("definition") != query:
            failures.add(f"{where}: definition {v.get('definition')!r} != query {query!r}")
        for word in metric_names(m.group(1)):
            if base_metric(word, exposed) is None:
                failures.add(f"{where}: {word} is not a metric flywatch exposes")
        if name != "instance":
            check_selectors(where, m.group(1), exposed, {}, failures)


def overlaps(a, b):
    return (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
            and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])


def check_layout(panels, failures):
    placed = []
    for p in panels:
        gp = p.get("gridPos")
        where = f"panel {p.get('id')} ({p.get('title')!r})"
        if not isinstance(gp, dict) or not all(isinstance(gp.get(k), int) for k in "xywh"):
            failures.add(f"{where}: gridPos {gp}")
            continue
        if gp["w"] <= 0 or gp["h"] <= 0 or gp["x"] < 0 or gp["y"] < 0 \
                or gp["x"] + gp["w"] > GRID_COLUMNS:
            failures.add(f"{where}: gridPos {gp} outside the {GRID_COLUMNS}-column grid")
        for other, ogp in placed:
            if overlaps(gp, ogp):
                failures.add(f"{where} {gp} overlaps panel {other.get('id')} "
                             f"({other.get('title')!r}) {ogp}")
        placed.append((p, gp))


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, metrics_dir = argv[1], argv[2]
    failures = Failures()
    try:
        with open(path) as f:
            dash = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAIL: {path}: {e}", file=sys.stderr)
        return 1
    exposed, by_label = exposed_metrics(metrics_dir)

    check_uids(dash, "$", failures)
    check_variables(dash, exposed, by_label, failures)
    panels = list(all_panels(dash))
    ids = [p.get("id") for p in panels]
    for i in sorted({i for i in ids if ids.count(i) > 1}, key=str):
        failures.add(f"panel id {i} used {ids.count(i)} times")
    if any(not isinstance(i, int) for i in ids):
        failures.add(f"panel ids not all integers: {ids}")

    n_exprs = 0
    used = set()
    for p in panels:
        where = f"panel {p.get('id')} ({p.get('title')!r})"
        if p.get("type") == "row":
            if "datasource" in p:
                check_datasource(where, p["datasource"], failures)
            continue
        check_datasource(where, p.get("datasource"), failures)
        targets = p.get("targets") or []
        if not targets:
            failures.add(f"{where}: no queries")
        for t in targets:
            tw = f"{where} query {t.get('refId')}"
            check_datasource(tw, t.get("datasource"), failures)
            expr = t.get("expr")
            if not isinstance(expr, str) or not expr.strip():
                failures.add(f"{tw}: no expr")
                continue
            n_exprs += 1
            for word in metric_names(expr):
                base = base_metric(word, exposed)
                if base is None:
                    failures.add(f"{tw}: {word} is not a metric flywatch exposes "
                                 f"(lib/metrics/*.cpp)")
                else:
                    used.add(base)
            check_selectors(tw, expr, exposed, by_label, failures)
    # Layout: the top-level panels, and separately the panels of each collapsed row.
    check_layout([p for p in dash.get("panels", [])], failures)
    for p in dash.get("panels", []):
        if p.get("type") == "row" and p.get("panels"):
            check_layout(p["panels"], failures)

    if failures.items:
        for f in failures.items:
            print(f"FAIL: {f}", file=sys.stderr)
        return 1
    print(f"{path}: {len(panels)} panels, {n_exprs} expressions, {len(used)} of "
          f"{len(exposed)} exposed metrics used; ids unique, datasource ${{datasource}}, "
          "no overlap")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
