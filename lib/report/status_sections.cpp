// The status page's alerts, targets and journeys sections.
#include <string>

#include "report/sections.hpp"

namespace flywatch::report::detail {

namespace {

// The state badge and, under it, since when.
void state_cell(Html& h, const boost::json::object& o, time_point now) {
  h.raw("<td class=\"state\">").badge(text_at(o, "state"));
  if (const auto* since = o.if_contains("since"); since != nullptr && since->is_string()) {
    h.raw("<div class=\"sub\">since ").age(since, now).raw("</div>");
  }
  h.raw("</td>");
}

}  // namespace

void render_table_section(Html& h, const boost::json::array& list, const TableSection& section,
                          const std::function<void(const boost::json::object&)>& row) {
  h.open_section(section.id, section.title);
  if (list.empty()) {
    h.raw("<p class=\"empty\">").raw(section.empty).raw("</p></section>\n");
    return;
  }
  h.open_table(section.headers);
  for (const auto& v : list) {
    if (const auto* o = v.if_object()) row(*o);
  }
  h.close_table().raw("</section>\n");
}

void render_alerts(Html& h, const boost::json::object& status, time_point now) {
  const TableSection section{"alerts", "Firing alerts", "No alert is firing.",
                             "Alert|Severity|Labels|Summary|Since"};
  render_table_section(h, list_at(status, "alerts"), section, [&](const boost::json::object& a) {
    h.raw("<tr>").cell("name", text_at(a, "name"));
    h.raw("<td class=\"severity\">").badge(text_at(a, "severity")).raw("</td>");
    h.raw("<td class=\"labels\">");
    if (const auto* labels = object_at(a, "labels")) {
      for (const auto& [k, value] : *labels) {
        if (k == "alertname" || k == "severity") continue;  // shown in their own columns
        const auto* s = value.if_string();
        h.chip(std::string(k) + "=" + (s == nullptr ? std::string() : std::string(*s)));
      }
    }
    h.raw("</td><td class=\"detail\">").text(text_at(a, "summary"));
    // What became of its page: held back by a maintenance window, or inhibited by a source
    // alert (named, so the reader knows which page stands for this one).
    const auto state = text_at(a, "state");
    if (state == "held") h.raw(" ").badge("held back");
    if (state == "inhibited") {
      h.raw(" ").badge("inhibited");
      if (const auto* by = object_at(a, "inhibited_by")) {
        const auto* source = by->if_contains("alertname");
        if (source != nullptr && source->is_string()) {
          h.raw(" <span class=\"sub\">by ").text(std::string(source->get_string())).raw("</span>");
        }
      }
    }
    h.raw("</td><td class=\"since\">").age(a.if_contains("since"), now).raw("</td></tr>\n");
  });
}

void render_targets(Html& h, const boost::json::object& status, time_point now) {
  const TableSection section{"targets", "Targets", "No targets.",
                             "Target|State|Last probe|Latency|Checked"};
  render_table_section(h, list_at(status, "targets"), section, [&](const boost::json::object& t) {
    h.raw("<tr><td class=\"name\">").text(text_at(t, "name"));
    h.raw("<div class=\"sub url\">").text(text_at(t, "url")).raw("</div></td>");
    state_cell(h, t, now);
    const auto* last = object_at(t, "last");
    if (last == nullptr) {
      h.raw("<td class=\"detail\">not probed yet</td><td class=\"latency\">")
          .raw(dash).raw("</td><td class=\"checked\">").raw(dash).raw("</td></tr>\n");
      return;
    }
    h.raw("<td class=\"detail\">").outcome(*last).raw("</td>");
    h.cell("latency", format_seconds(number_at(*last, "duration_seconds")));
    h.raw("<td class=\"checked\">").age(last->if_contains("at"), now).raw("</td></tr>\n");
  });
}

void render_journeys(Html& h, const boost::json::object& status, time_point now) {
  const TableSection section{"journeys", "Journeys", "No journeys.",
                             "Journey|State|Failing step|Last run|Duration|Ran"};
  render_table_section(h, list_at(status, "journeys"), section, [&](const boost::json::object& j) {
    h.raw("<tr><td class=\"name\">").text(text_at(j, "name"));
    if (const std::string app = text_at(j, "app"); !app.empty()) {
      h.raw("<div class=\"sub\">through ").text(app).raw("</div>");
    }
    h.raw("</td>");
    state_cell(h, j, now);
    const auto* last = object_at(j, "last");
    const std::string step = last == nullptr ? std::string() : text_at(*last, "failed_step");
    h.cell("step", step.empty() ? dash : std::string_view(step));
    h.raw("<td class=\"detail\">");
    if (const std::string skipped = text_at(j, "skipped"); !skipped.empty()) {
      h.badge("skipped").raw(" ").text(skipped);
    } else if (last == nullptr) {
      h.raw("not run yet");
    } else {
      h.outcome(*last);
    }
    h.raw("</td>").cell("latency", format_seconds(last == nullptr
                                                      ? std::nullopt
                                                      : number_at(*last, "duration_seconds")));
    h.raw("<td class=\"checked\">")
        .age(last == nullptr ? nullptr : last->if_contains("at"), now)
        .raw("</td></tr>\n");
  });
}

}  // namespace flywatch::report::detail
