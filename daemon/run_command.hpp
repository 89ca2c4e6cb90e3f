#pragma once
/// The long-running daemon (`flywatch run`) and the one-shot commands.

#include <optional>

#include "cli.hpp"
#include "config/config.hpp"
#include "config/shard_view.hpp"

namespace flywatch::daemon {

/// Loads the whole config file of `opts` (every shard: `check-config`, `gate`); on an error
/// prints it to stderr and returns nullopt (the command then exits exit_config).
std::optional<config::Config> load_or_report(const CliOptions& opts);
/// The same, cut to the file's `shard:` (engine::load_shard): what `run` and `check` watch.
std::optional<config::ShardView> load_shard_or_report(const CliOptions& opts);

/// Runs until SIGTERM/SIGINT. Returns the process exit code.
int run_daemon(const CliOptions& opts);
/// `flywatch check`: probes everything once.
int run_check(const CliOptions& opts);
/// `flywatch check-config`.
int run_check_config(const CliOptions& opts);
/// `flywatch gate`: the deploy gate.
int run_gate_command(const CliOptions& opts);

}  // namespace flywatch::daemon
