#include "check/check.hpp"
#include "check/check_apps.hpp"
#include "check/check_journeys.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "core/duration.hpp"
#include "core/log_line.hpp"
#include "engine/json_text.hpp"
#include "engine/outcome_json.hpp"
#include "engine/probe_plan.hpp"

namespace flywatch::check {

namespace asio = boost::asio;

namespace {

struct CheckRun {
  std::vector<const config::Target*> targets;
  net::Prober& prober;
  std::vector<CheckRow> rows;
  std::size_t next = 0;
};

asio::awaitable<void> check_worker(std::shared_ptr<CheckRun> run) {
  // Workers pull the next unprobed target, so at most `workers` probes are in flight.
  while (run->next < run->targets.size()) {
    const std::size_t i = run->next++;
    const auto& target = *run->targets[i];
    auto result = co_await run->prober.probe(engine::make_probe_spec(target));
    auto verdict = core::evaluate(result, target.expect, std::chrono::system_clock::now());
    run->rows[i] = CheckRow{target.name, target.url, std::move(result), std::move(verdict)};
  }
}

}  // namespace

std::vector<CheckRow> run_checks(asio::io_context& io, net::Prober& prober,
                                 const config::Config& cfg) {
  auto run = std::make_shared<CheckRun>(CheckRun{{}, prober, {}, 0});
  for (const auto& t : cfg.targets) {
    // A target named by a Fly app is probed through the app's machines (run_app_checks).
    bool bound = false;
    if (cfg.fly) {
      for (const auto& app : cfg.fly->apps) bound = bound || app.target == t.name;
    }
    if (!bound) run->targets.push_back(&t);
  }
  run->rows.resize(run->targets.size());
  const std::size_t workers = std::min<std::size_t>(
      run->targets.size(), static_cast<std::size_t>(std::max(1, cfg.engine.max_in_flight)));
  for (std::size_t w = 0; w < workers; ++w) asio::co_spawn(io, check_worker(run), asio::detached);
  io.run();
  io.restart();
  return std::move(run->rows);
}

bool all_passed(const std::vector<CheckRow>& rows) {
  return std::all_of(rows.begin(), rows.end(), [](const CheckRow& r) { return r.verdict.success; });
}

std::string format_check_table(const std::vector<CheckRow>& rows) {
  std::size_t name_w = 6;
  for (const auto& r : rows) name_w = std::max(name_w, r.target.size());
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-*s  %-6s  %-6s  %8s  %s\n", static_cast<int>(name_w), "TARGET",
                "RESULT", "STATUS", "TIME", "REASON");
  out += line;
  std::size_t failed = 0;
  for (const auto& r : rows) {
    const bool ok = r.verdict.success;
    if (!ok) ++failed;
    const std::string status = r.result.http_status ? std::to_string(r.result.http_status) : "-";
    std::string reason = ok ? "" : std::string(core::to_string(r.verdict.reason));
    if (!ok && !r.verdict.detail.empty()) reason += ": " + r.verdict.detail;
    std::snprintf(line, sizeof line, "%-*s  %-6s  %-6s  %8s  ", static_cast<int>(name_w),
                  r.target.c_str(), ok ? "ok" : "FAIL", status.c_str(), core::format_ms_rounded(r.result.total).c_str());
    out += line;
    out += reason;
    out += '\n';
  }
  // Deliberately not "N passed, N failed": CI systems read that shape as a test summary.
  out += std::to_string(rows.size()) + " targets: " + std::to_string(rows.size() - failed) +
         " ok, " + std::to_string(failed) + " failing\n";
  return out;
}

std::string format_check_json(const std::vector<CheckRow>& rows) {
  return format_check_json(rows, {}, {});
}

std::string format_check_json(const std::vector<CheckRow>& rows,
                              const std::vector<AppCheck>& apps,
                              const std::vector<JourneyCheck>& journeys) {
  boost::json::array list;
  for (const auto& r : rows) {
    boost::json::object o;
    o["name"] = r.target;
    engine::put_outcome(o, r.verdict, r.result.status_code(), r.result.total);
    boost::json::object phases;
    for (std::size_t i = 0; i < core::probe_phase_count; ++i) {
      if (r.result.phases[i]) {
        phases[std::string(core::to_string(static_cast<core::ProbePhase>(i)))] =
            core::to_seconds(*r.result.phases[i]);
      }
    }
    o["phases"] = std::move(phases);
    if (r.result.cert_not_after) {
      o["cert_not_after"] = core::format_rfc3339_ms(*r.result.cert_not_after);
    }
    list.push_back(std::move(o));
  }
  boost::json::object doc;
  doc["ok"] = all_passed(rows) && all_passed(apps) && all_passed(journeys);
  doc["targets"] = std::move(list);
  doc["apps"] = apps_json(apps);
  doc["journeys"] = journeys_json(journeys);
  return engine::to_json_text(doc) + "\n";
}

boost::json::value outcome_json(const std::optional<CheckRow>& row) {
  if (!row) return nullptr;
  boost::json::object o;
  engine::put_outcome(o, row->verdict, row->result.status_code(), row->result.total);
  return o;
}

}  // namespace flywatch::check
