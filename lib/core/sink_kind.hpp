#pragma once
/// The kinds of alert sink (DESIGN §7), shared by the configuration (the `type` of an
/// `alerts.sinks` entry) and the delivery side (lib/alert/sink_registry.hpp, which maps each kind
/// to what it does). Pure.

#include <array>
#include <optional>
#include <string_view>

namespace flywatch::core {

enum class SinkKind { webhook, alertmanager, pagerduty, slack };

/// Every kind, in DESIGN §7's order.
inline constexpr std::array<SinkKind, 4> sink_kinds = {SinkKind::webhook, SinkKind::alertmanager,
                                                       SinkKind::pagerduty, SinkKind::slack};

/// "webhook", "alertmanager", "pagerduty" or "slack": the config's `type` value.
std::string_view to_string(SinkKind k);
/// The inverse of to_string(SinkKind), case-sensitive; nullopt for any other name.
std::optional<SinkKind> parse_sink_kind(std::string_view name);

}  // namespace flywatch::core
