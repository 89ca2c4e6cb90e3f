#include "check/check_apps.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "core/duration.hpp"
#include "core/log_line.hpp"
#include "engine/outcome_json.hpp"
#include "core/machine_probe_book.hpp"
#include "core/sleep_policy.hpp"
#include "engine/fly_probe.hpp"
#include "engine/probe_plan.hpp"
#include "fly/machine_poller.hpp"

namespace flywatch::check {

namespace asio = boost::asio;

namespace {

struct AppCheckRun {
  const config::Config& cfg;
  net::Prober& prober;
  fly::MachinePoller poller;
  std::vector<AppCheck> apps;
};

const config::Target* find_target(const config::Config& cfg, const std::string& name) {
  for (const auto& t : cfg.targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

// GCC 12 reports a false -Wmismatched-new-delete on these coroutine frames under ASan (Asio's
// awaitable_frame_base pairs its own operator new and delete; GCC mismatches them here).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

asio::awaitable<void> probe_once(net::Prober& prober, const config::Target& target,
                                 net::ProbeSpec spec, std::optional<CheckRow>& out) {
  core::ProbeResult result = co_await prober.probe(spec);
  core::Verdict verdict = core::evaluate(result, target.expect, std::chrono::system_clock::now());
  out = CheckRow{target.name, target.url, std::move(result), std::move(verdict)};
}

asio::awaitable<void> check_app(std::shared_ptr<AppCheckRun> run, std::size_t index) {
  const config::FlyApp& app = run->cfg.fly->apps[index];
  AppCheck& out = run->apps[index];
  out.app = app.name;
  out.target = app.target;
  const fly::PollOutcome outcome = co_await run->poller.poll(app.name);
  out.api_ok = outcome.ok;
  out.api_code = outcome.code;
  if (!outcome.ok) {
    out.api_error = outcome.message;
    co_return;
  }
  const config::Target* target = app.target.empty() ? nullptr : find_target(run->cfg, app.target);
  // The machines the daemon would probe, probed as it does; a one-shot probe has no thresholds:
  // its one result is the verdict (failure threshold 1).
  core::MachineProbeBook book;
  std::map<std::string, CheckRow> probed;
  if (target) {
    const net::ProbeSpec base = engine::make_probe_spec(*target);
    const auto now = std::chrono::steady_clock::now();
    for (const auto& order : book.due(outcome.machines, 1, target->interval, now)) {
      std::optional<CheckRow> row;
      co_await probe_once(run->prober, *target, engine::machine_probe_spec(base, order.machine), row);
      // No cold start is known here, so a slow answer is a failure.
      book.on_result(order.machine, order.token, core::own_probe_passed(row->verdict, false));
      probed.emplace(order.machine, std::move(*row));
    }
  }
  // Without a target there is no own probe: `none`, not `pending`.
  std::map<std::string, core::OwnProbe> own;
  if (target) own = book.verdicts(outcome.machines);
  bool all_asleep = true;
  for (const auto& m : outcome.machines) {
    if (core::is_ignored_process_group(m.process_group)) continue;
    MachineCheckRow row;
    row.id = m.id;
    row.region = m.region;
    row.fly_state = m.state;
    auto p = probed.find(m.id);
    if (p != probed.end() && core::own_probe_wanted(m)) row.probe = p->second;
    auto o = own.find(m.id);
    row.state = core::lifecycle_state(m, o == own.end() ? core::OwnProbe::none : o->second);
    row.reason = core::state_reason(m, row.state);
    all_asleep = all_asleep && core::asleep_state(row.state);
    out.machines.push_back(std::move(row));
  }
  out.asleep = !out.machines.empty() && all_asleep;
  // The daemon's sleep policy at its first look: `probe` probes the public URL at once,
  // `wake_every` waits its period, `skip` never sends anything.
  if (target) {
    const auto now = std::chrono::steady_clock::now();
    core::SleepPolicy policy(now);
    if (policy.on_list(out.asleep, true, engine::sleep_settings(app, target->interval), now)) {
      co_await probe_once(run->prober, *target, engine::make_probe_spec(*target), out.app_probe);
    }
  }
}

#pragma GCC diagnostic pop

std::string detail_of(const CheckRow& r) {
  if (r.verdict.success) return "";
  std::string s(core::to_string(r.verdict.reason));
  if (!r.verdict.detail.empty()) s += ": " + r.verdict.detail;
  return s;
}

}  // namespace

bool MachineCheckRow::passed() const {
  if (probe && !probe->verdict.success) return false;
  if (core::host_lost(state, reason)) return false;  // as for MachineUnhealthy
  return state != core::MachineState::failed && state != core::MachineState::unhealthy;
}

bool AppCheck::passed() const {
  if (!api_ok) return false;
  if (app_probe && !app_probe->verdict.success) return false;
  return std::all_of(machines.begin(), machines.end(),
                     [](const MachineCheckRow& m) { return m.passed(); });
}

std::vector<AppCheck> run_app_checks(asio::io_context& io, net::Prober& prober,
                                     net::HttpClient& http, const config::Config& cfg) {
  if (!cfg.fly) return {};
  fly::FlyApiConfig api;
  api.api_url = cfg.fly->api_url;
  api.token = cfg.fly->token;
  auto run = std::make_shared<AppCheckRun>(
      AppCheckRun{cfg, prober, fly::MachinePoller(std::move(api), http), {}});
  run->apps.resize(cfg.fly->apps.size());
  for (std::size_t i = 0; i < cfg.fly->apps.size(); ++i) {
    asio::co_spawn(io, check_app(run, i), asio::detached);
  }
  io.run();
  io.restart();
  return std::move(run->apps);
}

bool all_passed(const std::vector<AppCheck>& apps) {
  return std::all_of(apps.begin(), apps.end(), [](const AppCheck& a) { return a.passed(); });
}

std::string format_app_table(const std::vector<AppCheck>& apps) {
  if (apps.empty()) return "";
  std::size_t app_w = 3, id_w = 7;
  for (const auto& a : apps) {
    app_w = std::max(app_w, a.app.size());
    for (const auto& m : a.machines) id_w = std::max(id_w, m.id.size());
  }
  std::string out;
  char line[512];
  auto put = [&](const std::string& app, const std::string& id, const std::string& region,
                 const std::string& state, const std::string& probe, const std::string& status,
                 const std::string& time, const std::string& detail) {
    std::snprintf(line, sizeof line, "%-*s  %-*s  %-6s  %-10s  %-6s  %-6s  %8s  ",
                  static_cast<int>(app_w), app.c_str(), static_cast<int>(id_w), id.c_str(),
                  region.c_str(), state.c_str(), probe.c_str(), status.c_str(), time.c_str());
    out += line;
    out += detail;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  put("APP", "MACHINE", "REGION", "STATE", "PROBE", "STATUS", "TIME", "DETAIL");
  std::size_t machines = 0, failing = 0, failed_apps = 0;
  for (const auto& a : apps) {
    if (!a.passed()) ++failed_apps;
    if (!a.api_ok) {
      put(a.app, "-", "-", "-", "-", "-", "-", "FAIL fly api: " + a.api_code + ": " + a.api_error);
      continue;
    }
    if (a.machines.empty()) put(a.app, "-", "-", "-", "-", "-", "-", "no machines");
    for (const auto& m : a.machines) {
      ++machines;
      if (!m.passed()) ++failing;
      std::string probe = "-", status = "-", time = "-", detail;
      if (m.probe) {
        probe = m.probe->verdict.success ? "ok" : "FAIL";
        if (m.probe->result.http_status) status = std::to_string(m.probe->result.http_status);
        time = core::format_ms_rounded(m.probe->result.total);
        detail = detail_of(*m.probe);
      } else if (a.asleep && !a.target.empty()) {
        detail = "asleep: not probed (when_asleep)";
      }
      if (!m.passed() && detail.empty()) {
        detail = "machine is " + std::string(core::to_string(m.state));
        if (!m.reason.empty()) detail += ": " + m.reason;
      }
      if (detail.empty() && !m.reason.empty()) detail = m.reason + ": not probed";  // cordoned
      put(a.app, m.id, m.region, std::string(core::to_string(m.state)), probe, status, time, detail);
    }
    if (a.app_probe) {
      const auto& r = *a.app_probe;
      put(a.app, "(app url)", "-", "asleep", r.verdict.success ? "ok" : "FAIL",
          r.result.http_status ? std::to_string(r.result.http_status) : "-", core::format_ms_rounded(r.result.total),
          detail_of(r));
    }
  }
  out += std::to_string(apps.size()) + " apps: " + std::to_string(apps.size() - failed_apps) +
         " ok, " + std::to_string(failed_apps) + " failing; " + std::to_string(machines) +
         " machines, " + std::to_string(failing) + " failing\n";
  return out;
}

boost::json::array apps_json(const std::vector<AppCheck>& apps) {
  boost::json::array list;
  for (const auto& a : apps) {
    boost::json::array machines;
    for (const auto& m : a.machines) {
      machines.push_back(boost::json::object{{"id", m.id},
                                             {"region", m.region},
                                             {"fly_state", m.fly_state},
                                             {"state", std::string(core::to_string(m.state))},
                                             {"ok", m.passed()},
                                             {"probe", outcome_json(m.probe)}});
    }
    list.push_back(boost::json::object{
        {"app", a.app},
        {"target", a.target.empty() ? boost::json::value(nullptr) : boost::json::value(a.target)},
        {"ok", a.passed()},
        {"api", boost::json::object{{"ok", a.api_ok}, {"code", a.api_code}, {"error", a.api_error}}},
        {"asleep", a.asleep},
        {"machines", std::move(machines)},
        {"app_probe", outcome_json(a.app_probe)}});
  }
  return list;
}

}  // namespace flywatch::check
