#pragma once
/// The `slack` sink kind (DESIGN §7): a Slack incoming webhook.

#include "alert/sink_registry.hpp"
#include "core/alert.hpp"

namespace flywatch::alert {

/// Slack incoming webhook body `{"text": …}`, no emoji, three short lines:
/// "[FIRING] <alertname> (<severity>): <summary>" ("[RESOLVED] …"; a repeat ends in
/// " (still firing)"), then "labels: name=value, …" with every label, then "source: <source>"
/// when set. The summary is the `summary` annotation, else the alert name and its identifying
/// labels. `&`, `<`, `>` are escaped as Slack's mrkdwn requires; line breaks in values become
/// spaces.
SinkPayload format_slack(const core::AlertEvent& event, const SinkSettings& settings);

namespace sinks {
/// The registry entry of `slack`.
extern const SinkKindOps slack_sink;
}  // namespace sinks

}  // namespace flywatch::alert
