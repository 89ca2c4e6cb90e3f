// `flywatch gate`: the deploy gate's phases, a line per phase and case as they end (or one
// JSON document), and the JUnit file a CI server shows.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

#include <boost/asio/io_context.hpp>

#include "gate/gate_runner.hpp"
#include "net/http_client.hpp"
#include "net/prober.hpp"
#include "run_command.hpp"

namespace flywatch::daemon {

namespace {

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);  // a pipeline shows each line as it comes
}

// Writes through a temporary file and a rename, so a CI server never reads half a report.
bool write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !(out << text) || !out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int run_gate_command(const CliOptions& opts) {
  auto cfg = load_or_report(opts);
  if (!cfg) return exit_config;
  if (!cfg->gate) {
    std::fprintf(stderr, "%s: no gate: section (nothing to run)\n", opts.config_path.c_str());
    return exit_config;
  }
  if (!opts.phase.empty()) {
    bool known = false;
    for (const auto& p : cfg->gate->phases) known = known || p.name == opts.phase;
    if (!known) {
      std::string names;
      for (const auto& p : cfg->gate->phases) names += (names.empty() ? "" : ", ") + p.name;
      std::fprintf(stderr, "flywatch: no gate phase named '%s' (phases: %s)\n",
                   opts.phase.c_str(), names.c_str());
      return exit_usage;
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
  boost::asio::io_context io{1};
  auto prober = net::make_prober();
  auto http = net::make_http_client();
  gate::GateProgress progress;
  if (!opts.json) {
    progress.phase_started = [](const gate::GatePhaseResult& p) { print_line("phase " + p.name); };
    progress.case_ended = [](const gate::GatePhaseResult&, const gate::GateCase& c) {
      print_line(gate::case_line(c));
    };
    progress.phase_ended = [](const gate::GatePhaseResult& p) { print_line(gate::phase_line(p)); };
  }
  const auto began = std::chrono::system_clock::now();
  const gate::GateResult result = gate::run_gate(io, *prober, *http, *cfg, opts.phase, progress);
  if (opts.json) {
    const std::string doc = gate::gate_json(result);
    std::fwrite(doc.data(), 1, doc.size(), stdout);
  } else {
    print_line(gate::summary_line(result));
  }
  if (!opts.junit_path.empty() && !write_file(opts.junit_path, gate::gate_junit(result, began))) {
    std::fprintf(stderr, "flywatch: cannot write the JUnit report to %s\n", opts.junit_path.c_str());
    return exit_internal;
  }
  return result.passed() ? exit_ok : exit_check_failed;
}

}  // namespace flywatch::daemon
