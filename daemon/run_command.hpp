#pragma once
/// The long-running daemon (`flywatch run`) and the one-shot commands.

#include "cli.hpp"

namespace flywatch::daemon {

/// Runs until SIGTERM/SIGINT. Returns the process exit code.
int run_daemon(const CliOptions& opts);
/// `flywatch check`: probes everything once.
int run_check(const CliOptions& opts);
/// `flywatch check-config`.
int run_check_config(const CliOptions& opts);

}  // namespace flywatch::daemon
