// flywatch: command line dispatch only; the wiring lives in run_command.cpp.
#include <cstdio>
#include <exception>
#include <string>

#include "cli.hpp"
#include "flywatch_version.hpp"
#include "run_command.hpp"

int main(int argc, char** argv) {
  using namespace flywatch::daemon;
  std::string error;
  const auto opts = parse_cli(argc, argv, error);
  if (!opts) {
    std::fprintf(stderr, "flywatch: %s\n\n%s", error.c_str(), usage("").c_str());
    return exit_usage;
  }
  if (opts->help) {
    std::fputs(usage(opts->command).c_str(), stdout);
    return exit_ok;
  }
  try {
    if (opts->command == "version") {
      std::printf("flywatch %s\n", FLYWATCH_VERSION);
      return exit_ok;
    }
    if (opts->command == "run") return run_daemon(*opts);
    if (opts->command == "check") return run_check(*opts);
    return run_check_config(*opts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flywatch: internal error: %s\n", e.what());
    return exit_internal;
  }
}
