#include "alert/sinks/slack.hpp"

#include <boost/json.hpp>

namespace flywatch::alert {

namespace {

// Slack's mrkdwn reserves exactly these three characters; a line break would split the line.
void append_slack_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\n':
      case '\r': out += ' '; break;
      default: out += c;
    }
  }
}

}  // namespace

SinkPayload format_slack(const core::AlertEvent& event, const SinkSettings& settings) {
  const core::Alert& a = event.alert;
  std::string text = format::resolved(event) ? "[RESOLVED] " : "[FIRING] ";
  append_slack_escaped(text, a.name().empty() ? std::string_view("alert") : a.name());
  if (!a.severity().empty()) {
    text += " (";
    append_slack_escaped(text, a.severity());
    text += ')';
  }
  text += ": ";
  append_slack_escaped(text, format::short_summary(a));
  if (event.kind == core::AlertEventKind::repeat) text += " (still firing)";
  text += "\nlabels: ";
  bool first = true;
  for (const auto& [k, v] : a.labels) {
    if (!first) text += ", ";
    first = false;
    append_slack_escaped(text, k);
    text += '=';
    append_slack_escaped(text, v);
  }
  if (!settings.source.empty()) {
    text += "\nsource: ";
    append_slack_escaped(text, settings.source);
  }
  boost::json::object root;
  root["text"] = text;
  return format::json_payload(root);
}

namespace sinks {

const SinkKindOps slack_sink{
    .kind = core::SinkKind::slack,
    .format = &format_slack,
};

}  // namespace sinks

}  // namespace flywatch::alert
