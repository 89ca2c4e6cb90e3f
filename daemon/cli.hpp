#pragma once
/// The command line of DESIGN §3.

#include <optional>
#include <string>

#include "core/log_line.hpp"

namespace flywatch::daemon {

/// Exit codes (DESIGN §3).
enum ExitCode : int {
  exit_ok = 0,
  exit_check_failed = 1,
  exit_usage = 2,
  exit_internal = 70,
  exit_config = 78,
};

struct CliOptions {
  std::string command;  ///< run | check | check-config | gate | version
  std::string config_path = "/etc/flywatch/flywatch.yaml";
  bool json = false;            ///< check, gate
  std::string phase;            ///< gate --phase NAME: run that phase alone
  std::string junit_path;       ///< gate --junit FILE
  bool help = false;
  std::optional<core::LogFormat> log_format;
  std::optional<core::LogLevel> log_level;
};

/// Parses argv. On a usage error returns nullopt and sets `error`.
std::optional<CliOptions> parse_cli(int argc, char** argv, std::string& error);

/// The --help text of `command` (empty: the overall usage).
std::string usage(const std::string& command);

}  // namespace flywatch::daemon
