#include "check/check_journeys.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "core/duration.hpp"
#include "core/journey_route.hpp"
#include "engine/fly_probe.hpp"
#include "engine/outcome_json.hpp"

namespace flywatch::check {

namespace asio = boost::asio;

namespace {

// The route of a journey bound to `app_name`, from that app's check.
core::JourneyRoute route_of(const config::Config& cfg, const std::vector<AppCheck>& apps,
                            const std::string& app_name) {
  const auto app = std::find_if(apps.begin(), apps.end(),
                                [&](const AppCheck& a) { return a.app == app_name; });
  if (app == apps.end() || !app->api_ok) {
    return {core::JourneyRoute::Kind::skip, {}, "the app's machines are not known"};
  }
  std::map<std::string, core::MachineState> states;
  for (const MachineCheckRow& m : app->machines) states.emplace(m.id, m.state);
  const config::FlyApp* fly_app = nullptr;
  for (const auto& a : cfg.fly->apps) {
    if (a.name == app_name) fly_app = &a;
  }
  return core::route_journey(states, app->asleep, engine::sleep_settings(*fly_app, {}).action);
}

asio::awaitable<void> check_journey(net::Prober& prober, const config::Journey& j,
                                    core::JourneyRoute route, JourneyCheck& out) {
  out.journey = j.name();
  out.app = j.app;
  if (!j.app.empty()) {
    if (route.kind == core::JourneyRoute::Kind::skip) {
      out.skipped = route.why;
      co_return;
    }
    if (route.kind == core::JourneyRoute::Kind::machine) out.machine = route.machine;
  }
  out.outcome = co_await journey::run_journey(prober, j.spec, out.machine);
}

boost::json::value text_or_null(const std::string& s) {
  return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

}  // namespace

std::vector<JourneyCheck> run_journey_checks(asio::io_context& io, net::Prober& prober,
                                             const config::Config& cfg,
                                             const std::vector<AppCheck>& apps) {
  auto out = std::make_shared<std::vector<JourneyCheck>>(cfg.journeys.size());
  for (std::size_t i = 0; i < cfg.journeys.size(); ++i) {
    const config::Journey& j = cfg.journeys[i];
    core::JourneyRoute route;
    if (!j.app.empty()) route = route_of(cfg, apps, j.app);
    asio::co_spawn(io, check_journey(prober, j, std::move(route), (*out)[i]), asio::detached);
  }
  io.run();
  io.restart();
  return std::move(*out);
}

bool all_passed(const std::vector<JourneyCheck>& journeys) {
  return std::all_of(journeys.begin(), journeys.end(),
                     [](const JourneyCheck& j) { return j.passed(); });
}

std::string format_journey_table(const std::vector<JourneyCheck>& journeys) {
  if (journeys.empty()) return {};
  std::size_t name_w = 7, step_w = 4;
  for (const auto& j : journeys) {
    name_w = std::max(name_w, j.journey.size());
    for (const auto& s : j.outcome.steps) step_w = std::max(step_w, s.name.size());
  }
  std::string out;
  char line[512];
  const auto row = [&](const std::string& journey, const std::string& step, const char* result,
                       const std::string& status, const std::string& time,
                       const std::string& reason) {
    std::snprintf(line, sizeof line, "%-*s  %-*s  %-7s  %-6s  %8s  ", static_cast<int>(name_w),
                  journey.c_str(), static_cast<int>(step_w), step.c_str(), result, status.c_str(),
                  time.c_str());
    out += line;
    out += reason;
    while (!out.empty() && out.back() == ' ') out.pop_back();  // no trailing blanks when no reason
    out += '\n';
  };
  row("JOURNEY", "STEP", "RESULT", "STATUS", "TIME", "REASON");
  std::size_t failed = 0, skipped = 0;
  for (const auto& j : journeys) {
    if (!j.skipped.empty()) {
      ++skipped;
      row(j.journey, "-", "skipped", "-", "-", j.skipped);
      continue;
    }
    if (!j.outcome.passed) ++failed;
    for (const auto& s : j.outcome.steps) {
      std::string reason;
      if (!s.verdict.success) {
        reason = std::string(core::to_string(s.verdict.reason));
        if (!s.verdict.detail.empty()) reason += ": " + s.verdict.detail;
      }
      row(j.journey, s.name, s.verdict.success ? "ok" : "FAIL",
          s.status ? std::to_string(*s.status) : "-", core::format_ms_rounded(s.duration), reason);
    }
  }
  out += std::to_string(journeys.size()) + " journeys: " +
         std::to_string(journeys.size() - failed - skipped) + " ok, " + std::to_string(failed) +
         " failing, " + std::to_string(skipped) + " skipped\n";
  return out;
}

boost::json::array journeys_json(const std::vector<JourneyCheck>& journeys) {
  boost::json::array list;
  for (const auto& j : journeys) {
    boost::json::object o;
    o["name"] = j.journey;
    o["app"] = text_or_null(j.app);
    o["machine"] = text_or_null(j.machine);
    o["skipped"] = text_or_null(j.skipped);
    if (j.skipped.empty()) {
      for (auto& [key, value] : engine::journey_run_json(j.outcome)) o[key] = std::move(value);
    }
    list.push_back(std::move(o));
  }
  return list;
}

}  // namespace flywatch::check
