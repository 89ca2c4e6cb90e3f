#include "alert/sink_registry.hpp"

#include "alert/sinks/alertmanager.hpp"
#include "alert/sinks/pagerduty.hpp"
#include "alert/sinks/slack.hpp"
#include "alert/sinks/webhook.hpp"

namespace flywatch::alert {

const std::vector<const SinkKindOps*>& sink_registry() {
  // One line per kind.
  static const std::vector<const SinkKindOps*> all = {
      &sinks::webhook_sink,
      &sinks::alertmanager_sink,
      &sinks::pagerduty_sink,
      &sinks::slack_sink,
  };
  return all;
}

const SinkKindOps& sink_kind_ops(core::SinkKind kind) {
  for (const SinkKindOps* ops : sink_registry()) {
    if (ops->kind == kind) return *ops;
  }
  // Every kind is registered (sink_registry_test checks it); a plain webhook is the safe answer.
  return sinks::webhook_sink;
}

}  // namespace flywatch::alert
