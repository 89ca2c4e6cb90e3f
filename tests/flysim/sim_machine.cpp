#include "sim_machine.hpp"

#include <algorithm>
#include <ctime>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace flywatch::flysim {

namespace json = boost::json;

std::string make_ulid(std::int64_t ms, std::uint64_t seq) {
  static constexpr char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string out(26, '0');
  auto t = static_cast<std::uint64_t>(ms);
  for (int i = 9; i >= 0; --i, t >>= 5) out[static_cast<std::size_t>(i)] = alphabet[t & 31];
  for (int i = 25; i >= 10; --i, seq >>= 5) out[static_cast<std::size_t>(i)] = alphabet[seq & 31];
  return out;
}

std::string rfc3339_ms(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

namespace {
// What a Fly HTTP service check reports for Medio's backend with its database gone.
constexpr const char* db_down_output =
    "HTTP GET http://172.19.0.2:8080/: 503 Service Unavailable Output: "
    "{\"database\":\"disconnected\"}";
constexpr const char* refused_output = "connect: connection refused";
// How long before flysim's start the machines of the fleet file were launched.
constexpr std::int64_t backdate_ms = 10 * 60 * 1000;

ActionResult precondition(const std::string& action, const std::string& state) {
  json::object o{{"error", "failed_precondition: unable to " + action +
                               " machine from current state: '" + state + "'"}};
  return {412, json::serialize(o)};
}
}  // namespace

SimMachine::SimMachine(MachineSpec spec, std::int64_t now_ms)
    : spec_(std::move(spec)), state_(spec_.state) {
  // A machine the fleet file creates has been around since before flysim started: its history
  // is backdated so that a monitor looking at it at once sees no recent start or stop.
  const std::int64_t launched = now_ms - backdate_ms;
  const std::int64_t booted = launched + spec_.boot_delay_ms;
  const std::int64_t slept = now_ms - backdate_ms / 2;
  instance_id_ = make_ulid(launched, 1);
  add_event("launch", "created", "user", launched);
  if (state_ == "started" || state_ == "stopped" || state_ == "suspended")
    add_event("start", "started", "flyd", booted);
  if (state_ == "started" && spec_.started_ago_ms >= 0) {
    // Woken shortly before flysim started: an earlier run, a stop, then this start.
    const std::int64_t restarted = now_ms - spec_.started_ago_ms;
    add_exit_event(slept, true, false, 0);
    add_event("start", "started", "flyd", restarted);
    checks_reported_ = false;
    if (restarted + spec_.ready_delay_ms <= now_ms) {
      app_up_ = true;
      set_app_checks(restarted + spec_.ready_delay_ms);
    } else {
      pending_.push_back({restarted + spec_.ready_delay_ms, Step::ready});
    }
  } else if (state_ == "started") {
    app_up_ = true;
    set_app_checks(booted + spec_.ready_delay_ms);
  } else if (state_ == "stopped") {
    add_exit_event(slept, true, false, 0);
    set_checks("critical", refused_output, slept);
  } else if (state_ == "suspended") {
    add_event("suspend", "suspended", "flyd", slept);
    set_checks("critical", refused_output, slept);
  } else {
    set_checks("critical", refused_output, launched);
  }
}

SimMachine SimMachine::launch(MachineSpec spec, std::int64_t now_ms) {
  spec.state = "created";
  SimMachine m(std::move(spec), now_ms);
  // Replace the backdated history with a launch now.
  m.events_.clear();
  m.instance_id_ = make_ulid(now_ms, 1);
  m.add_event("launch", "created", "user", now_ms);
  m.set_checks("critical", refused_output, now_ms);
  m.start(now_ms);
  return m;
}

void SimMachine::set_release(std::string image, std::int64_t version) {
  spec_.image = std::move(image);
  spec_.release_version = version;
}

void SimMachine::add_exit_event(std::int64_t ts, bool requested_stop, bool oom_killed,
                                int exit_code) {
  json::object exit{{"exit_code", oom_killed ? 137 : exit_code}, {"exited_at", ts},
                    {"oom_killed", oom_killed}, {"requested_stop", requested_stop},
                    {"restarting", false}, {"signal", oom_killed ? 9 : -1}};
  add_event("exit", "stopped", "flyd", ts, json::object{{"exit_event", exit}, {"restart_count", 0}});
}

void SimMachine::set_app_checks(std::int64_t ts) {
  if (healthy())
    set_checks("passing", "{\"status\":\"ok\"}", ts);
  else
    set_checks("critical", db_down_output, ts);
}

void SimMachine::set_database(bool up, std::int64_t now_ms) {
  db_down_ = !up;
  if (up) run_unhealthy_ = false;
  if (app_up()) set_app_checks(now_ms);
}

void SimMachine::set_checks(const char* status, const char* output, std::int64_t ts) {
  // updated_at follows status changes, as Fly's does; a re-run with the same result keeps it.
  if (!checks_reported_ || check_status_ != status || checks_updated_ms_ == 0)
    checks_updated_ms_ = ts;
  check_status_ = status;
  check_output_ = output;
  checks_reported_ = true;
}

void SimMachine::add_event(std::string type, std::string status, std::string source,
                           std::int64_t ts, json::value request) {
  json::object e{{"id", make_ulid(ts, ++seq_)}, {"type", type}, {"status", status},
                 {"source", source}, {"timestamp", ts}};
  if (!request.is_null()) e["request"] = std::move(request);
  events_.push_front(std::move(e));
  // The API keeps a bounded history; 50 is its maximum page.
  if (events_.size() > 50) events_.pop_back();
}

void SimMachine::advance(std::int64_t now_ms) {
  while (!pending_.empty() && pending_.front().due_ms <= now_ms) {
    const Pending p = pending_.front();
    pending_.erase(pending_.begin());
    apply(p);
  }
}

void SimMachine::apply(const Pending& p) {
  auto schedule = [this](std::int64_t due, Step step) {
    pending_.push_back({due, step});
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const Pending& a, const Pending& b) { return a.due_ms < b.due_ms; });
  };
  switch (p.step) {
    case Step::booted:
      state_ = "started";
      app_up_ = false;
      add_event("start", "started", "flyd", p.due_ms);
      // Fly lists no check status until the checks have run once after the start.
      checks_reported_ = false;
      if (spec_.run_ms >= 0)
        schedule(p.due_ms + spec_.run_ms, Step::exited);
      else
        schedule(p.due_ms + spec_.ready_delay_ms, faults_.oom_exit ? Step::oom_killed : Step::ready);
      break;
    case Step::ready:
      app_up_ = true;
      run_unhealthy_ = faults_.unhealthy;
      set_app_checks(p.due_ms);
      break;
    case Step::stopped:
      state_ = "stopped";
      add_exit_event(p.due_ms, true, false, 0);
      app_up_ = false;
      set_checks("critical", refused_output, p.due_ms);
      break;
    case Step::suspended:
      state_ = "suspended";
      add_event("suspend", "suspended", "flyd", p.due_ms);
      app_up_ = false;
      set_checks("critical", refused_output, p.due_ms);
      break;
    case Step::oom_killed:
      state_ = "stopped";
      add_exit_event(p.due_ms, false, true, 137);
      app_up_ = false;
      set_checks("critical", refused_output, p.due_ms);
      break;
    case Step::exited:
      state_ = "stopped";
      add_exit_event(p.due_ms, false, false, spec_.exit_code);
      run_exit_code_ = spec_.exit_code;
      schedule(p.due_ms + spec_.destroy_after_ms, Step::destroyed);
      break;
    case Step::destroyed:
      state_ = "destroyed";
      add_event("destroy", "destroyed", "user", p.due_ms);
      break;
  }
}

ActionResult SimMachine::start(std::int64_t now_ms) {
  advance(now_ms);
  if (state_ != "stopped" && state_ != "suspended" && state_ != "created")
    return precondition("start", state_);
  const std::string previous = state_;
  state_ = "starting";
  add_event("start", "starting", "user", now_ms);
  pending_.clear();
  if (!faults_.stuck_starting) {
    const auto delay = previous == "suspended" ? spec_.resume_delay_ms : spec_.boot_delay_ms;
    pending_.push_back({now_ms + delay, Step::booted});
  }
  json::object o{{"previous_state", previous}, {"migrated", false}, {"new_host", ""}};
  return {200, json::serialize(o)};
}

ActionResult SimMachine::stop(std::int64_t now_ms) {
  advance(now_ms);
  if (state_ != "started" && state_ != "starting" && state_ != "suspended")
    return precondition("stop", state_);
  state_ = "stopping";
  add_event("stop", "stopping", "user", now_ms);
  pending_.clear();
  pending_.push_back({now_ms + spec_.stop_delay_ms, Step::stopped});
  return {200, "{\"ok\":true}"};
}

ActionResult SimMachine::suspend(std::int64_t now_ms) {
  advance(now_ms);
  if (state_ != "started") return precondition("suspend", state_);
  state_ = "suspending";
  add_event("suspend", "suspending", "user", now_ms);
  pending_.clear();
  pending_.push_back({now_ms + spec_.stop_delay_ms, Step::suspended});
  return {200, "{\"ok\":true}"};
}

void SimMachine::set_faults(const MachineFaults& faults, std::int64_t boot_delay_ms) {
  faults_ = faults;
  if (boot_delay_ms >= 0) spec_.boot_delay_ms = boot_delay_ms;
}

}  // namespace flywatch::flysim
