#include "core/sink_kind.hpp"

namespace flywatch::core {

std::string_view to_string(SinkKind k) {
  switch (k) {
    case SinkKind::webhook: return "webhook";
    case SinkKind::alertmanager: return "alertmanager";
    case SinkKind::pagerduty: return "pagerduty";
    case SinkKind::slack: return "slack";
  }
  return "webhook";
}

std::optional<SinkKind> parse_sink_kind(std::string_view name) {
  for (SinkKind k : sink_kinds) {
    if (to_string(k) == name) return k;
  }
  return std::nullopt;
}

}  // namespace flywatch::core
