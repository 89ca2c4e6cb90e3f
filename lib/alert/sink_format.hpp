#pragma once
/// What every sink kind's request body is made of (DESIGN §7): the per-sink settings, the
/// payload, the filter, the JSON pieces several formats share, and format_for_sink(), which
/// asks the kind's entry in the sink registry (sink_registry.hpp) for its format. Each kind's
/// own format lives in lib/alert/sinks/<kind>.{hpp,cpp}. The sender adds the Standard Webhooks
/// headers (signing.hpp) to whatever body comes out; nothing here does I/O or reads a clock
/// (the event carries its own time).

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/alert.hpp"
#include "core/sink_kind.hpp"

namespace flywatch::alert {

/// The one enum of sink kinds lives in lib/core (the config names them too).
using core::SinkKind;
using core::parse_sink_kind;
using core::to_string;

/// Per-sink settings the formats need.
struct SinkSettings {
  /// Who is reporting: PagerDuty's required `payload.source` and the tail of the Slack text,
  /// typically the flywatch instance name. When empty, PagerDuty gets the alert's `target` or
  /// `app` label, else "flywatch"; Slack omits it.
  std::string source;
  /// PagerDuty Events API v2 `routing_key` (the integration key). Only the pagerduty format
  /// uses it.
  std::string routing_key;
  /// Alertmanager `generatorURL`, a back-link for the alert (e.g. this instance's /status page).
  /// Omitted when empty.
  std::string generator_url;
  /// Alertmanager: a firing alert gets `endsAt = event time + alertmanager_valid_for`, so that
  /// Alertmanager resolves it by itself if flywatch stops re-sending (as Prometheus does). The
  /// sender must re-send firing alerts more often than this. Zero omits `endsAt` on firing
  /// alerts, and Alertmanager then applies its own `resolve_timeout` (5 m by default).
  std::chrono::seconds alertmanager_valid_for{0};
};

/// One request body and its Content-Type.
struct SinkPayload {
  std::string content_type;
  std::string body;
};

/// Dispatches to the format of `kind` (its sink registry entry).
SinkPayload format_for_sink(SinkKind kind, const core::AlertEvent& event,
                            const SinkSettings& settings);

/// Which alerts a sink wants. An empty set matches everything on its axis; both axes must match.
struct SinkFilter {
  std::set<core::Severity> severities;
  std::set<std::string, std::less<>> alertnames;

  /// True when the alert's `severity` label is in `severities` and its `alertname` in
  /// `alertnames` (each check skipped when its set is empty). An alert whose severity label is
  /// missing or unknown matches only an empty `severities`.
  bool matches(const core::Alert& alert) const;
};

/// Pieces shared by the formats in lib/alert/sinks (not for other callers).
namespace format {

/// A JSON object with the entries of `m` (labels, annotations).
boost::json::object to_json(const std::map<std::string, std::string>& m);
/// The annotation / label `name` of `a`; empty when it has none.
std::string_view annotation(const core::Alert& a, const char* name);
std::string_view label(const core::Alert& a, const char* name);
/// True for a `resolved` event.
bool resolved(const core::AlertEvent& e);
/// When the alert of a resolved event stopped: its own end time, but never after the event, so
/// a receiver that compares it with "now" sees an alert that has ended. An unset end falls
/// back to the event time.
std::chrono::system_clock::time_point resolved_end(const core::AlertEvent& e);
/// The annotation `summary` when there is one; else the alert name with its identifying labels.
std::string short_summary(const core::Alert& a);
/// `v` serialized compactly, as application/json.
SinkPayload json_payload(const boost::json::value& v);

}  // namespace format

}  // namespace flywatch::alert
