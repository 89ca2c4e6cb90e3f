#pragma once
/// The sink registry (DESIGN §7): one entry per sink kind with what that kind does differently
/// from the others. Each kind is one file pair in lib/alert/sinks/ defining its entry; adding a
/// kind is that file, its name in core/sink_kind.hpp and one line in sink_registry.cpp (plus
/// config parsing if it has keys of its own). Pure data and pure functions.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "alert/sink_format.hpp"
#include "core/alert.hpp"
#include "core/sink_kind.hpp"

namespace flywatch::alert {

/// What one sink kind does.
struct SinkKindOps {
  core::SinkKind kind = core::SinkKind::webhook;
  /// The request body for one event. Never null.
  SinkPayload (*format)(const core::AlertEvent& event, const SinkSettings& settings) = nullptr;
  /// For a receiver that forgets a firing alert unless it is re-sent (Alertmanager): the body
  /// that re-sends `events` (firing alerts, as `repeat` events) in one request. Null: the kind
  /// is never re-sent to.
  SinkPayload (*format_resend)(const std::vector<core::AlertEvent>& events,
                               const SinkSettings& settings) = nullptr;
  /// At most this many alerts per re-send request (with format_resend).
  std::size_t resend_batch = 0;
  /// Fills in the settings that follow from the sink's `resend_interval` (with format_resend).
  void (*settle)(SinkSettings& settings, std::chrono::milliseconds resend_interval) = nullptr;

  /// The request target for a sink whose URL has path and query `url_target` (a kind whose API
  /// lives under a base URL appends its path). Null: `url_target` as written.
  std::string (*request_target)(const std::string& url_target) = nullptr;

  /// True when firing alerts are re-sent to sinks of this kind.
  bool resends() const { return format_resend != nullptr; }
};

/// The entry of `kind`; every kind has one.
const SinkKindOps& sink_kind_ops(core::SinkKind kind);

/// Every entry, one per kind in core::sink_kinds order.
const std::vector<const SinkKindOps*>& sink_registry();

}  // namespace flywatch::alert
