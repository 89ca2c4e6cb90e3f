// flywatch: command line dispatch only; the wiring lives in run_command.cpp.
#include <sys/resource.h>

#include <cstdio>
#include <exception>
#include <string>

#include "cli.hpp"
#include "flywatch_version.hpp"
#include "run_command.hpp"

namespace {

// Each probe in flight holds a socket; the usual soft limit of 1024 descriptors is the default
// probes.max_in_flight, so a large check or daemon would report its own shortage as target
// failures. Raise the soft limit to the hard one (what systemd's LimitNOFILE= sets anyway).
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

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
  raise_fd_limit();
  try {
    if (opts->command == "version") {
      std::printf("flywatch %s\n", FLYWATCH_VERSION);
      return exit_ok;
    }
    if (opts->command == "run") return run_daemon(*opts);
    if (opts->command == "check") return run_check(*opts);
    if (opts->command == "gate") return run_gate_command(*opts);
    return run_check_config(*opts);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "flywatch: internal error: %s\n", e.what());
    return exit_internal;
  }
}
