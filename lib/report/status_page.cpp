// The status page: its head, inline style, summary line and sections (see the header).
#include "report/status_page.hpp"

#include <string>

#include "core/log_line.hpp"
#include "report/page_parts.hpp"
#include "report/sections.hpp"

namespace flywatch::report {

namespace {

using detail::Html;

// The page's only style. Its SHA-256 is in status_page_csp(): change one and the unit test
// (status_page_test) names the other's new value.
constexpr std::string_view style =
    ":root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;"
    "--head:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--idle:#6e7781}"
    "@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;"
    "--line:#3d444d;--head:#151b23;--ok:#3fb950;--bad:#f85149;--warn:#d29922;--idle:#9198a1}}"
    "*{box-sizing:border-box}"
    "body{margin:0 auto;max-width:80rem;padding:.75rem;background:var(--bg);color:var(--fg);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}"
    "h1{font-size:1.35rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.5rem 0 .45rem}"
    "h3{font-size:1rem;margin:1rem 0 .2rem;font-family:ui-monospace,Menlo,Consolas,monospace}"
    ".meta,.sub,.empty,footer{color:var(--muted)}.sub{font-size:.85em}p{margin:.3rem 0}"
    ".scroll{overflow-x:auto;border:1px solid var(--line);border-radius:6px}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{padding:.35rem .55rem;text-align:left;vertical-align:top;white-space:nowrap;"
    "border-bottom:1px solid var(--line)}tbody tr:last-child td{border-bottom:0}"
    "th{background:var(--head);font-size:.85em;font-weight:600}"
    "td.detail,td.labels{white-space:normal;min-width:14rem;overflow-wrap:anywhere}"
    "td.id,.url{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}"
    ".url{overflow-wrap:anywhere;white-space:normal}"
    ".badge{display:inline-block;padding:0 .5em;border:1px solid currentColor;"
    "border-radius:1em;font-size:.85em;font-weight:600}"
    ".ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}.idle{color:var(--idle)}"
    ".chip{display:inline-block;margin:0 .3em .15em 0;padding:0 .4em;border-radius:4px;"
    "background:var(--head);font-size:.85em}"
    "footer{margin:2rem 0 .5rem;font-size:.85em}a{color:inherit}"
    "@media (max-width:40rem){body{padding:.5rem;font-size:13px}th,td{padding:.3rem .4rem}}";

constexpr std::string_view csp =
    "default-src 'none'; style-src 'sha256-8zAy//tNprKdFYTRRYuWJEn1bEyLDWVt1yWy6S3HEbQ='; "
    "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// How many of `list`'s entries have `key` equal to `value`.
std::size_t count_where(const boost::json::array& list, std::string_view key,
                        std::string_view value) {
  std::size_t n = 0;
  for (const auto& v : list) {
    if (const auto* o = v.if_object(); o != nullptr && detail::text_at(*o, key) == value) ++n;
  }
  return n;
}

// One line under the title: targets up and down, alerts that page and, apart, those inhibited
// (they fire, but a wider alert stands for them: no reason for a red badge).
void summary(Html& h, const boost::json::object& status) {
  const auto& targets = detail::list_at(status, "targets");
  const auto& alerts = detail::list_at(status, "alerts");
  const auto up = count_where(targets, "state", "up");
  const auto down = count_where(targets, "state", "down");
  const auto inhibited = count_where(alerts, "state", "inhibited");
  const auto firing = alerts.size() - inhibited;
  h.raw("<p class=\"summary\">");
  h.raw("<span class=\"badge ok\">").text(std::to_string(up) + " up").raw("</span> ");
  h.raw(down > 0 ? "<span class=\"badge bad\">" : "<span class=\"badge idle\">")
      .text(std::to_string(down) + " down").raw("</span> ");
  h.raw(firing == 0 ? "<span class=\"badge idle\">" : "<span class=\"badge bad\">")
      .text(std::to_string(firing) + (firing == 1 ? " alert" : " alerts") + " firing")
      .raw("</span>");
  if (inhibited > 0) {
    h.raw(" <span class=\"badge idle\">").text(std::to_string(inhibited) + " inhibited").raw("</span>");
  }
  h.raw("</p>\n");
}

}  // namespace

std::string render_status_page(const boost::json::object& status,
                               const StatusPageOptions& options) {
  Html h;
  const std::string refresh = std::to_string(options.refresh_seconds);
  h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"refresh\" content=\"")
      .raw(refresh)
      .raw("\">\n<title>flywatch status</title>\n<style>")
      .raw(style)
      .raw("</style>\n</head>\n<body>\n<header><h1>flywatch</h1><p class=\"meta\">version ")
      .text(options.version)
      .raw(" \xc2\xb7 ")
      .text(core::format_rfc3339_ms(options.now))
      .raw(" \xc2\xb7 refreshes every ")
      .raw(refresh)
      .raw(" s</p>\n");
  summary(h, status);
  h.raw("</header>\n<main>\n");
  detail::render_alerts(h, status, options.now);
  detail::render_targets(h, status, options.now);
  detail::render_journeys(h, status, options.now);
  detail::render_apps(h, status, options.now);
  detail::render_cold_starts(h, status, options.now);
  h.raw("</main>\n<footer><a href=\"/api/v1/status\">/api/v1/status</a> \xc2\xb7 "
        "<a href=\"/metrics\">/metrics</a> \xc2\xb7 <a href=\"/healthz\">/healthz</a> \xc2\xb7 "
        "<a href=\"/readyz\">/readyz</a></footer>\n</body>\n</html>\n");
  return h.take();
}

std::string_view status_page_csp() { return csp; }

}  // namespace flywatch::report
