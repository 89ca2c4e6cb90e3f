#pragma once
/// The recent cold starts of the status document: fed from the bus's fleet updates into a
/// core::ColdStartHistory, forgotten with their app.

#include "core/cold_start_history.hpp"
#include "engine/events.hpp"

namespace flywatch::engine {

/// Records each cold start that ends (reaches healthy or is abandoned) in a bounded history.
class ColdStartSubscriber : public EventSubscriber {
 public:
  void on(const FleetUpdated& e) override { history_.record(e.app, e.update, e.regions); }
  void on(const AppRemoved& e) override { history_.forget_app(e.app); }

  /// The last cold starts, newest first.
  const core::ColdStartHistory& history() const { return history_; }

 private:
  core::ColdStartHistory history_;
};

}  // namespace flywatch::engine
