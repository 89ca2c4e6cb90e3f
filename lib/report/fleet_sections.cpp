// The status page's Fly apps and recent cold starts sections.
#include <string>

#include "report/sections.hpp"

namespace flywatch::report::detail {

namespace {

// Under the app's name: its sleep, the Machines API, its release.
void app_summary(Html& h, const boost::json::object& app) {
  h.raw("<p class=\"sub\">");
  h.badge(flag_at(app, "asleep") ? "asleep" : "awake");
  h.raw(" when asleep: ").text(text_at(app, "when_asleep"));
  if (const std::string target = text_at(app, "target"); !target.empty()) {
    h.raw(" \xc2\xb7 target ").text(target);
  }
  if (const auto* api = object_at(app, "api")) {
    if (const std::string code = text_at(*api, "last_error_code"); !code.empty()) {
      h.raw(" \xc2\xb7 Machines API ").badge("error").raw(" ").text(code);
      if (const std::string error = text_at(*api, "last_error"); !error.empty()) {
        h.raw(": ").text(error);
      }
    }
  }
  if (const auto* release = object_at(app, "release")) {
    if (const std::string version = text_at(*release, "version"); !version.empty()) {
      h.raw(" \xc2\xb7 release v").text(version);
    }
    if (const auto* failed = object_at(*release, "release_command_failed")) {
      h.raw(" ").badge("failed").raw(" release command exited ");
      h.text(text_at(*failed, "exit_code"));
      if (flag_at(*failed, "oom_killed")) h.raw(" (OOM killed)");
    }
  }
  h.raw("</p>\n");
}

void machine_row(Html& h, const boost::json::object& m, time_point now) {
  h.raw("<tr>").cell("id", text_at(m, "id"));
  h.raw("<td class=\"state\">").badge(text_at(m, "state"));
  if (const std::string reason = text_at(m, "reason"); !reason.empty()) {
    h.raw(" <span class=\"reason\">").text(reason).raw("</span>");
  }
  // Fly's own word when it says more than the state (created, replacing, …); `started` is
  // what healthy, unhealthy and started refine.
  const std::string fly = text_at(m, "fly_state");
  if (!fly.empty() && fly != "started" && fly != text_at(m, "state")) {
    h.raw("<div class=\"sub\">Fly: ").text(fly).raw("</div>");
  }
  if (const auto* cold = object_at(m, "cold_start")) {
    h.raw("<div class=\"sub\">").text(text_at(*cold, "kind")).raw(" start since ");
    h.age(cold->if_contains("start"), now);
    if (flag_at(*cold, "slow")) h.raw(" ").badge("slow");
    h.raw("</div>");
  }
  h.raw("</td>").cell("region", text_at(m, "region"));
  h.raw("<td class=\"health\">");
  const auto* last = object_at(m, "last_probe");
  const std::string verdict = text_at(m, "probe");
  if (verdict == "passing" || verdict == "failing") {
    h.badge(verdict);
    if (last != nullptr) {
      h.raw(" ").text(format_seconds(number_at(*last, "duration_seconds")));
      if (verdict == "failing") {
        h.raw(" <span class=\"reason\">").text(failure_text(*last)).raw("</span>");
      }
    }
  } else {
    h.badge(verdict.empty() ? std::string_view(dash) : std::string_view(verdict));
  }
  h.raw("</td><td class=\"since\">").age(m.if_contains("since"), now).raw("</td></tr>\n");
}

}  // namespace

void render_apps(Html& h, const boost::json::object& status, time_point now) {
  const auto& apps = list_at(status, "apps");
  h.open_section("apps", "Fly apps");
  if (apps.empty()) h.raw("<p class=\"empty\">No Fly apps.</p>\n");
  for (const auto& v : apps) {
    const auto* app = v.if_object();
    if (app == nullptr) continue;
    h.raw("<div class=\"app\"><h3>").text(text_at(*app, "name")).raw("</h3>\n");
    app_summary(h, *app);
    const auto& machines = list_at(*app, "machines");
    if (machines.empty()) {
      h.raw("<p class=\"empty\">No machines known yet.</p></div>\n");
      continue;
    }
    h.open_table("Machine|State|Region|Health|Since");
    for (const auto& m : machines) {
      if (const auto* o = m.if_object()) machine_row(h, *o, now);
    }
    h.close_table().raw("</div>\n");
  }
  h.raw("</section>\n");
}

void render_cold_starts(Html& h, const boost::json::object& status, time_point now) {
  const TableSection section{"cold-starts", "Recent cold starts",
                             "No cold start has ended since flywatch started.",
                             "App|Machine|Region|Kind|Boot|Ready|Total|Outcome|Started"};
  const auto& list = list_at(status, "cold_starts");
  render_table_section(h, list, section, [&](const boost::json::object& c) {
    h.raw("<tr>").cell("app", text_at(c, "app")).cell("id", text_at(c, "machine"));
    h.cell("region", text_at(c, "region")).cell("kind", text_at(c, "kind"));
    h.cell("boot", format_seconds(number_at(c, "boot_seconds")));
    h.cell("ready", format_seconds(number_at(c, "ready_seconds")));
    h.cell("total", format_seconds(number_at(c, "total_seconds")));
    h.raw("<td class=\"outcome\">").badge(text_at(c, "outcome"));
    if (flag_at(c, "slow")) h.raw(" ").badge("slow");
    h.raw("</td><td class=\"since\">").age(c.if_contains("start"), now).raw("</td></tr>\n");
  });
}

}  // namespace flywatch::report::detail
