#!/usr/bin/env python3
"""The documentation against the code (meson test `docs`, suite unit).

    check_docs.py --config-keys EXE --config-seed YAML --web-config-seed YML --root SOURCE_ROOT

1. Config keys. `config_keys` (tests/docs/config_keys.cpp) asks lib/config for every key path it
   accepts. docs/configuration.md must document exactly those: every accepted key, nothing else.
   A key is documented in a Markdown table whose header row starts with `| key |` (flywatch.yaml)
   or `| web config key |` (the file of server.web_config_file): the first cell of each row holds
   the key's whole path in backticks, e.g. `alerts.sinks[].retry.initial`:
     - `a.b` is key b of mapping a; `a[].b` key b of each entry of list a;
     - `<word>` stands for any one key: a free-form key (a cookie's or a variable's name) or
       every key the code takes there (`alerts.rules.<Alert>.for`);
     - more names in the same cell: a name without `.` or `[` is a sibling of the first
       (`alerts.sinks[].secret`, `secret_file`);
     - `a.*` in the first cell and `b.*` in another cell of the row: a takes every key
       documented under b (`journeys[].tls.*` … as `targets[].tls.*`).
   Documenting `a.b.c` documents `a` and `a.b` too; `a.b` may be documented on its own when it
   only holds keys documented below it (`targets[].expect.cookies.<name>`).
2. Metrics. Every metric declared in lib/metrics/*.cpp (its "flywatch_…" / "process_…" name
   literals, DESIGN §6: all metrics are declared there) is in a table of docs/metrics.md whose
   header starts with `| metric |`, with its type (counter, gauge, histogram) first in the type
   cell, and no other metric is.
3. Alerts. The table of docs/alerts.md whose header starts with `| alert |` lists exactly the
   built-in alerts, the keys `alerts.rules` takes.
4. Links. Every relative link in README.md and docs/*.md (outside code and HTML comments) leads
   to an existing file, and a `#fragment` into a Markdown file to one of its headings.

Every failure says what to add or remove, and where. Exit 0 when all hold, 1 otherwise.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

CONFIG_DOC = "docs/configuration.md"
METRICS_DOC = "docs/metrics.md"
ALERTS_DOC = "docs/alerts.md"
METRICS_DIR = "lib/metrics"
KEY_HEADERS = {"key": "config", "web config key": "web"}
KEY_TABLE_HEADER = {"config": "| key |", "web": "| web config key |"}
FILE_NAMES = {"config": "flywatch.yaml", "web": "the web config file (server.web_config_file)"}
METRIC_TYPES = ("counter", "gauge", "histogram", "summary")


# ---------------------------------------------------------------- Markdown


def strip_code_and_comments(text):
    """`text` with fenced code blocks, inline code and HTML comments blanked out (line breaks
    kept, so line numbers stay right)."""
    text = re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return "\n".join(re.sub(r"`[^`]*`", lambda m: " " * len(m.group(0)), line)
                     for line in without_fences(text).split("\n"))


def without_fences(text):
    """`text` with fenced code blocks blanked out (line numbers kept)."""
    out, fenced = [], False
    for line in text.split("\n"):
        if re.match(r"^\s*(```|~~~)", line):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else line)
    return "\n".join(out)


def split_row(line):
    """The cells of a Markdown table row (`\\|` inside a cell is not a separator)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def tables(text):
    """(header cells, [(line number, cells)]) for every table of `text` outside code fences."""
    lines = without_fences(text).split("\n")
    found, i = [], 0
    while i < len(lines):
        if (lines[i].lstrip().startswith("|") and i + 1 < len(lines)
                and re.match(r"^\s*\|?\s*:?-{3,}", lines[i + 1])):
            header = [c.lower() for c in split_row(lines[i])]
            rows, j = [], i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                rows.append((j + 1, split_row(lines[j])))
                j += 1
            found.append((header, rows))
            i = j
        else:
            i += 1
    return found


def backticked(cell):
    return re.findall(r"`([^`]+)`", cell)


def github_anchors(text):
    """The anchors GitHub gives the headings of a Markdown text."""
    anchors, seen = set(), {}
    for line in without_fences(text).split("\n"):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


# ---------------------------------------------------------------- config keys


def segments(path):
    """`a[].b.<x>` → ['a', '[]', 'b', '<x>']."""
    out = []
    for part in path.split("."):
        lists = 0
        while part.endswith("[]"):
            part, lists = part[:-2], lists + 1
        out.append(part)
        out.extend(["[]"] * lists)
    return out


def is_wild(segment):
    return segment.startswith("<") and segment.endswith(">")


def matches(doc, code):
    """A documented path (segments) names a code path (segments) of the same length."""
    return len(doc) == len(code) and all(
        d == c or (is_wild(d) and c != "[]") for d, c in zip(doc, code))


def code_keys(exe, seed, web_seed):
    run = subprocess.run([exe, seed, web_seed], capture_output=True, text=True, timeout=50)
    if run.returncode != 0:
        raise SystemExit(f"config_keys failed ({run.returncode}): {run.stderr.strip()}")
    keys = {"config": set(), "web": set()}
    for line in run.stdout.splitlines():
        kind, path = line.split(" ", 1)
        keys[kind].add(path)
    if len(keys["config"]) < 50 or not keys["web"]:
        raise SystemExit(f"config_keys found too few keys to be right: {run.stdout!r}")
    return keys


def documented_keys(text, errors):
    """{kind: [(line, path)]} from the key tables of configuration.md, aliases expanded."""
    docs = {"config": [], "web": []}
    aliases = []
    for header, rows in tables(text):
        kind = KEY_HEADERS.get(header[0].strip("` ")) if header else None
        if kind is None:
            continue
        for line, cells in rows:
            names = backticked(cells[0]) if cells else []
            if not names:
                errors.append(f"{CONFIG_DOC}:{line}: a row of a key table names no `key`")
                continue
            first = names[0]
            if first.endswith(".*"):
                sources = [n for c in cells[1:] for n in backticked(c) if n.endswith(".*")]
                if len(sources) != 1:
                    errors.append(f"{CONFIG_DOC}:{line}: `{first}` needs exactly one `other.*` "
                                  "in its row, naming the keys it takes")
                else:
                    aliases.append((kind, line, first[:-2], sources[0][:-2]))
                continue
            parent = first.rsplit(".", 1)[0] + "." if "." in first else ""
            for i, name in enumerate(names):
                path = name if (i == 0 or "." in name or "[" in name) else parent + name
                docs[kind].append((line, path))
    for kind, line, alias, source in aliases:
        below = [(p[len(source):]) for _, p in docs[kind] if p.startswith(source + ".")]
        if not below:
            errors.append(f"{CONFIG_DOC}:{line}: `{source}.*` names no documented key")
        docs[kind].extend((line, alias + rest) for rest in below)
    return docs


def check_config_keys(code, docs, errors):
    for kind in ("config", "web"):
        code_paths = {p: segments(p) for p in code[kind]}
        doc_paths = [(line, p, segments(p)) for line, p in docs[kind]]
        for line, path, segs in doc_paths:
            if not any(matches(segs, c[:len(segs)]) for c in code_paths.values()):
                errors.append(
                    f"{CONFIG_DOC}:{line}: `{path}` is documented as a key of {FILE_NAMES[kind]}, "
                    "but lib/config accepts no such key: remove or rename the row. (If the code "
                    "does take it, below a section tests/docs/config_seed.yaml does not use, add "
                    "that section to the seed.)")
        missing = [p for p, c in code_paths.items()
                   if not any(len(d) >= len(c) and matches(d[:len(c)], c)
                              for _, _, d in doc_paths)]
        for path in sorted(missing):
            segs = code_paths[path]
            if any(len(code_paths[o]) > len(segs) and code_paths[o][:len(segs)] == segs
                   for o in missing):
                continue  # documenting the deeper key documents this one
            shown = path.replace("<*>", "<name>")
            errors.append(
                f"{CONFIG_DOC}: the key `{shown}` of {FILE_NAMES[kind]} is accepted by lib/config "
                f"but not documented: add the row  | `{shown}` | type | default | meaning |  "
                f"to a table of {CONFIG_DOC} whose header starts with  {KEY_TABLE_HEADER[kind]}")


# ---------------------------------------------------------------- metrics


def code_metrics(root, errors):
    """{name: (type, 'file:line')} for every metric declared in lib/metrics/*.cpp."""
    found = {}
    files = sorted(glob.glob(os.path.join(root, METRICS_DIR, "*.cpp")))
    if not files:
        raise SystemExit(f"no .cpp files in {METRICS_DIR}")
    for path in files:
        with open(path) as f:
            text = f.read()
        literals = list(re.finditer(r'"((?:flywatch|process)_[a-z0-9_]+)"', text))
        for i, m in enumerate(literals):
            where = f"{os.path.relpath(path, root)}:{text.count(chr(10), 0, m.start()) + 1}"
            before = text[literals[i - 1].end() if i else 0:m.start()]
            after_end = literals[i + 1].start() if i + 1 < len(literals) else len(text)
            after = text[m.end():after_end].split(";", 1)[0]
            builders = re.findall(r"Build(Gauge|Counter|Histogram|Summary)\b", before)
            declared = re.search(r'"(gauge|counter|histogram|summary)"|MetricType::(\w+)', after)
            if declared:
                kind = (declared.group(1) or declared.group(2)).lower()
            elif builders:
                kind = builders[-1].lower()
            else:
                errors.append(f"{where}: cannot tell the type of metric {m.group(1)}: "
                              "tests/docs/check_docs.py knows FamilyInfo{name, help, \"type\"}, "
                              "prometheus::BuildX().Name(name) and single(name, help, MetricType::X)")
                kind = None
            found[m.group(1)] = (kind, where)
    return found


def check_metrics(root, text, errors):
    code = code_metrics(root, errors)
    documented = {}
    for header, rows in tables(text):
        if not header or header[0].strip("` ") != "metric":
            continue
        type_col = header.index("type") if "type" in header else None
        for line, cells in rows:
            for name in backticked(cells[0]):
                type_cell = cells[type_col] if type_col is not None and type_col < len(cells) else ""
                documented.setdefault(name, (line, type_cell))
    for name, (kind, where) in sorted(code.items()):
        if name not in documented:
            errors.append(
                f"{METRICS_DOC}: the metric {name} ({kind}, declared at {where}) is not "
                f"documented: add the row  | `{name}` | {kind} | labels | meaning |  to a "
                f"table of {METRICS_DOC} whose header starts with  | metric | type |")
            continue
        line, type_cell = documented[name]
        words = re.findall(r"[a-z]+", type_cell.lower())
        if kind and (not words or words[0] != kind):
            errors.append(f"{METRICS_DOC}:{line}: {name} is a {kind} in the code ({where}), but "
                          f"its type cell says {type_cell!r}: start it with `{kind}`")
    for name, (line, _) in sorted(documented.items(), key=lambda kv: kv[1][0]):
        if name not in code:
            errors.append(f"{METRICS_DOC}:{line}: {name} is documented as a metric, but "
                          f"{METRICS_DIR}/*.cpp declares no such metric: remove or rename the row")


# ---------------------------------------------------------------- alerts


def check_alerts(code, text, errors):
    code_alerts = {p.split(".")[2] for p in code["config"]
                   if p.startswith("alerts.rules.") and p.count(".") == 2}
    if not code_alerts:
        errors.append("config_keys shows no key below alerts.rules: the built-in alerts moved")
        return
    documented = {}
    for header, rows in tables(text):
        if header and header[0].strip("` ") == "alert":
            for line, cells in rows:
                for name in backticked(cells[0]):
                    documented.setdefault(name, line)
    for name in sorted(code_alerts - set(documented)):
        errors.append(f"{ALERTS_DOC}: the built-in alert {name} (alerts.rules takes it) has no "
                      f"row in the table of {ALERTS_DOC} whose header starts with  | alert |: "
                      f"add the row  | `{name}` | fires when | resolves when | severity | for | "
                      "labels |")
    for name in sorted(set(documented) - code_alerts, key=documented.get):
        errors.append(f"{ALERTS_DOC}:{documented[name]}: {name} is listed as a built-in alert, "
                      "but alerts.rules takes no such name: remove or rename the row")


# ---------------------------------------------------------------- links

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.M)


def check_links(root, errors):
    pages = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    anchors = {}
    for page in pages:
        with open(page) as f:
            text = f.read()
        rel = os.path.relpath(page, root)
        scan = strip_code_and_comments(text)
        targets = [(scan.count("\n", 0, m.start()) + 1, m.group(1)) for m in LINK.finditer(scan)]
        targets += [(scan.count("\n", 0, m.start()) + 1, m.group(1)) for m in REFERENCE.finditer(scan)]
        for line, target in targets:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue  # https:, mailto: …
            path, _, fragment = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            if not os.path.exists(dest):
                errors.append(f"{rel}:{line}: the link {target} leads to no file "
                              f"({os.path.relpath(dest, root)})")
                continue
            if fragment and dest.endswith(".md"):
                if dest not in anchors:
                    with open(dest) as f:
                        anchors[dest] = github_anchors(f.read())
                if fragment not in anchors[dest]:
                    errors.append(f"{rel}:{line}: the link {target}: "
                                  f"{os.path.relpath(dest, root)} has no heading #{fragment}")


# ---------------------------------------------------------------- main


def read(root, rel, errors):
    try:
        with open(os.path.join(root, rel)) as f:
            return f.read()
    except OSError as e:
        errors.append(f"{rel}: {e.strerror}")
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config-keys", required=True)
    ap.add_argument("--config-seed", required=True)
    ap.add_argument("--web-config-seed", required=True)
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    errors = []

    code = code_keys(args.config_keys, args.config_seed, args.web_config_seed)
    config_doc = read(root, CONFIG_DOC, errors)
    check_config_keys(code, documented_keys(config_doc, errors), errors)
    check_metrics(root, read(root, METRICS_DOC, errors), errors)
    check_alerts(code, read(root, ALERTS_DOC, errors), errors)
    check_links(root, errors)

    for e in errors:
        print(e)
    n_keys = len(code["config"]) + len(code["web"])
    print(f"check_docs: {n_keys} config keys, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
