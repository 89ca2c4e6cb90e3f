// The one-shot commands: `flywatch check` and `flywatch check-config`.
#include <csignal>
#include <cstdio>
#include <string>

#include <boost/asio/io_context.hpp>

#include "check/check.hpp"
#include "check/check_apps.hpp"
#include "check/check_journeys.hpp"
#include "net/http_client.hpp"
#include "net/prober.hpp"
#include "run_command.hpp"

namespace flywatch::daemon {

int run_check(const CliOptions& opts) {
  // Only the file's shard, as `flywatch run` would watch it; said on stderr, so --json stays
  // clean.
  auto view = load_shard_or_report(opts);
  if (!view) return exit_config;
  if (view->summary.shard.count > 1) {
    std::fprintf(stderr, "%s; checking only those\n", config::describe(view->summary).c_str());
  }
  const config::Config& cfg = view->config;
  std::signal(SIGPIPE, SIG_IGN);
  boost::asio::io_context io{1};
  auto prober = net::make_prober();
  const auto rows = check::run_checks(io, *prober, cfg);
  auto http = net::make_http_client();
  const auto apps = check::run_app_checks(io, *prober, *http, cfg);
  const auto journeys = check::run_journey_checks(io, *prober, cfg, apps);
  std::string out;
  if (opts.json) {
    out = check::format_check_json(rows, apps, journeys);
  } else if (apps.empty() && journeys.empty()) {
    out = check::format_check_table(rows);
  } else {
    // Every target may be checked through its app; then only the machine table is shown.
    if (!rows.empty()) out = check::format_check_table(rows);
    for (const std::string& table :
         {check::format_app_table(apps), check::format_journey_table(journeys)}) {
      if (table.empty()) continue;
      if (!out.empty()) out += "\n";
      out += table;
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return check::all_passed(rows) && check::all_passed(apps) && check::all_passed(journeys)
             ? exit_ok
             : exit_check_failed;
}

int run_check_config(const CliOptions& opts) {
  auto cfg = load_or_report(opts);
  if (!cfg) return exit_config;
  std::string shard;
  if (cfg->shard.count > 1) shard = "; " + config::describe(config::select_shard(*cfg).summary);
  std::printf("%s: ok (%zu targets, %zu journeys%s)\n", opts.config_path.c_str(),
              cfg->targets.size(), cfg->journeys.size(), shard.c_str());
  return exit_ok;
}

}  // namespace flywatch::daemon
