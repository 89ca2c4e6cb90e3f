#pragma once
/// The startup of `flywatch run` past construction: the durable alert outbox in state_dir, and
/// the order in which the engine, the alert sinks and the alerts firing before a restart come
/// up. The daemon (daemon/run_command.cpp) constructs the parts and calls these in order:
/// open_outbox, connect_alerts, start_watching.

#include <chrono>
#include <memory>
#include <string>

#include "alert/outbox_worker.hpp"
#include "config/config.hpp"
#include "engine/alert_dispatcher.hpp"
#include "engine/engine.hpp"
#include "log/logger.hpp"

namespace flywatch::engine {

/// core::restore_grace (core/daemon_policy.hpp) of `cfg`'s targets and Fly apps.
std::chrono::milliseconds restore_grace(const config::Config& cfg);

/// Why startup cannot go on: `config` is a configuration error (exit 78, not restarted by
/// systemd), `internal` one that may pass (e.g. another flywatch still holds the outbox).
enum class StartupFailure { none, config, internal };

struct OpenedOutbox {
  std::unique_ptr<alert::OutboxWorker> worker;  ///< null exactly when `failure` is not none
  StartupFailure failure = StartupFailure::none;
};

/// Creates `state_dir` if needed, opens the alert outbox there (logging what its replay found:
/// a torn tail, damaged records, a failed write, pending events) and starts its thread, which
/// stays idle until the io_context runs. Logs a failure: `config` when the directory cannot be
/// made or is not a directory, `internal` otherwise.
OpenedOutbox open_outbox(const std::string& state_dir, log::Logger& log);

/// Has the engine's alert center publish through `dispatcher`, and the dispatcher read the
/// firing alerts from the alert center. Both must outlive the engine's running.
void connect_alerts(Engine& engine, AlertDispatcher& dispatcher);

/// Starts watching `cfg`, once, before the io_context runs: applies it to the engine; reads the
/// alerts firing before the restart (state_dir/alerts.json, then the alert notes of `outbox`
/// past it; logged when unreadable) and moves the outbox's seqs past them; applies the alert
/// sinks and seeds their queues from the outbox; then restores those alerts, which wait
/// restore_grace(cfg) to be seen again. Restoring comes last because it may publish (a held
/// alert whose window ended while flywatch was down): the sinks must be in place by then, and
/// until then nothing runs on the outbox thread, so the outbox is used directly.
void start_watching(const config::Config& cfg, Engine& engine, AlertDispatcher& dispatcher,
                    alert::OutboxWorker& outbox, log::Logger& log);

}  // namespace flywatch::engine
