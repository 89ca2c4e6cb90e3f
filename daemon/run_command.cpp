#include "run_command.hpp"

#include <systemd/sd-daemon.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "alert/alert_notes.hpp"
#include "alert/alert_state.hpp"
#include "alert/outbox.hpp"
#include "alert/outbox_worker.hpp"
#include "config/config.hpp"
#include "engine/alert_dispatcher.hpp"
#include "engine/check.hpp"
#include "engine/check_apps.hpp"
#include "engine/engine.hpp"
#include "flywatch_version.hpp"
#include "log/logger.hpp"
#include "metrics/metrics.hpp"
#include "net/admin_server.hpp"
#include "net/prober.hpp"

namespace flywatch::daemon {

namespace asio = boost::asio;

namespace {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "flywatch";
  return buf;
}

/// The admin server's limits: its connection cap is a share of the descriptors this process may
/// open (main() has already raised the soft limit to the hard one), so admin clients cannot
/// starve probes of sockets.
core::ConnectionLimits admin_limits() {
  core::ConnectionLimits limits;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    limits.max_connections = core::connection_cap_for_fd_limit(lim.rlim_cur);
  }
  return limits;
}

/// How long alerts restored after a restart wait to be seen again before they are resolved:
/// two rounds of the slowest probe or poll, or as long as a machine can stay unjudged (its own
/// probe failing failure_threshold times, or a cold start within its SLO), and then some.
std::chrono::milliseconds restore_grace(const config::Config& cfg) {
  std::chrono::milliseconds round{0}, judged{0};
  for (const auto& t : cfg.targets) {
    round = std::max(round, t.interval + t.timeout);
    judged = std::max(judged, (t.interval + t.timeout) * t.failure_threshold);
  }
  if (cfg.fly) {
    round = std::max(round, cfg.fly->poll_interval * 2);
    std::chrono::milliseconds slo{0};
    for (const auto& app : cfg.fly->apps) slo = std::max(slo, app.cold_start_slo);
    judged += slo + cfg.fly->poll_interval * 2;
  }
  return std::max({std::chrono::milliseconds(std::chrono::seconds(30)),
                   round * 2 + std::chrono::seconds(10), judged + std::chrono::seconds(10)});
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// Everything `flywatch run` wires together, alive for the daemon's lifetime.
class Daemon {
 public:
  Daemon(const CliOptions& opts, config::Config cfg)
      : opts_(opts),
        cfg_(std::move(cfg)),
        log_(opts.log_format.value_or(cfg_.log.format), opts.log_level.value_or(cfg_.log.level),
             log::detect_journald()),
        metrics_(FLYWATCH_VERSION),
        prober_(net::make_prober()),
        engine_(io_, *prober_, metrics_, log_),
        server_(io_, [this](const net::AdminRequest& r) { return route(r); }, admin_limits()),
        signals_(io_, SIGHUP, SIGTERM, SIGINT),
        watchdog_(io_) {}

  int run() {
    std::string step;
    if (auto ec = server_.listen(cfg_.server.listen_host, cfg_.server.listen_port, step)) {
      log_.error("cannot serve admin endpoint",
                 {{"reason", step + ": " + ec.message()},
                  {"listen", cfg_.server.listen_host + ":" + std::to_string(cfg_.server.listen_port)}});
      // An address this host does not have is a configuration error (systemd does not restart
      // on 78); a port still held by a previous instance may free up, so that one is retried.
      const bool bad_address = step == "resolve" || ec == boost::system::errc::address_not_available;
      return bad_address ? exit_config : exit_internal;
    }
    if (int rc = open_outbox(); rc != exit_ok) return rc;
    engine_.apply(cfg_);
    // Nothing runs on the outbox thread yet: direct access to the outbox is safe until the
    // restore below, which may publish (a held alert whose window ended while flywatch was
    // down) and so hand the outbox thread work — with the sinks in place by then.
    alert::RestoredAlertState restored = read_restored_alerts();
    dispatcher_->apply(cfg_.alerts);
    dispatcher_->seed_queues(outbox_->outbox().stats());
    restore_alerts(restored);
    metrics_.config_last_reload_successful().Set(1);
    metrics_.config_last_reload_success_timestamp().Set(unix_now());
    ready_ = true;
    log_.info("flywatch started", {{"version", FLYWATCH_VERSION},
                                   {"config", cfg_.source_path},
                                   {"targets", std::to_string(cfg_.targets.size())},
                                   {"listen", cfg_.server.listen_host + ":" +
                                                  std::to_string(server_.port())}});
    wait_signal();
    start_watchdog();
    sd_notify(0, "READY=1\nSTATUS=watching");
    io_.run();
    log_.info("flywatch stopped");
    return exit_ok;
  }

 private:
  net::AdminResponse route(const net::AdminRequest& r) {
    const bool get = r.method == "GET" || r.method == "HEAD";
    if (r.path == "/metrics" && get) {
      if (dispatcher_) dispatcher_->refresh_metrics(std::chrono::system_clock::now());
      return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render()};
    }
    if (r.path == "/healthz" && get) return {200, "text/plain; charset=utf-8", "ok\n"};
    if (r.path == "/readyz" && get) {
      return ready_ ? net::AdminResponse{200, "text/plain; charset=utf-8", "ready\n"}
                    : net::AdminResponse{503, "text/plain; charset=utf-8", "not ready\n"};
    }
    if (r.path == "/api/v1/status" && get) {
      return {200, "application/json", engine_.status_json() + "\n"};
    }
    if (r.path == "/-/reload") {
      if (r.method != "POST" && r.method != "PUT") {
        return {405, "text/plain; charset=utf-8", "use POST to reload\n"};
      }
      std::string error;
      return reload("api", error) ? net::AdminResponse{200, "text/plain; charset=utf-8", "reloaded\n"}
                                  : net::AdminResponse{500, "text/plain; charset=utf-8", error + "\n"};
    }
    if (r.path == "/") {
      return {200, "text/html; charset=utf-8",
              "<html><head><title>flywatch</title></head><body><h1>flywatch " FLYWATCH_VERSION
              "</h1><ul><li><a href=\"/metrics\">/metrics</a></li><li><a "
              "href=\"/api/v1/status\">/api/v1/status</a></li><li><a "
              "href=\"/healthz\">/healthz</a></li><li><a href=\"/readyz\">/readyz</a></li></ul>"
              "</body></html>\n"};
    }
    return {404, "text/plain; charset=utf-8", "not found\n"};
  }

  /// Parses the file into a fresh Config, validates it, and only then swaps it in.
  bool reload(const char* trigger, std::string& error) {
    notify_reloading();
    bool ok = false;
    try {
      config::Config next = config::load_config(opts_.config_path);
      if (next.server.listen_host != cfg_.server.listen_host ||
          next.server.listen_port != cfg_.server.listen_port) {
        log_.warn("server.listen changed; the new address takes effect on restart");
      }
      if (next.state_dir != cfg_.state_dir) {
        log_.warn("state_dir changed; the new directory takes effect on restart");
      }
      // Sinks first: resolutions of alerts the new config retires go to the sinks it keeps.
      dispatcher_->apply(next.alerts);
      engine_.apply(next);
      if (!opts_.log_format) log_.set_format(next.log.format);
      if (!opts_.log_level) log_.set_level(next.log.level);
      cfg_ = std::move(next);
      metrics_.config_last_reload_successful().Set(1);
      metrics_.config_last_reload_success_timestamp().Set(unix_now());
      log_.info("config reloaded", {{"trigger", trigger},
                                    {"targets", std::to_string(cfg_.targets.size())}});
      ok = true;
    } catch (const std::exception& e) {
      error = e.what();
      metrics_.config_last_reload_successful().Set(0);
      log_.error("config reload failed", {{"trigger", trigger}, {"reason", error}});
    }
    sd_notify(0, "READY=1");
    return ok;
  }

  /// Opens the durable outbox in state_dir (creating the directory) and starts its thread.
  /// Startup fails when the directory cannot be made or another flywatch holds the outbox.
  int open_outbox() {
    const std::filesystem::path dir(cfg_.state_dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      log_.error("cannot use state_dir", {{"path", cfg_.state_dir}, {"reason", ec.message()}});
      return exit_config;
    }
    auto opened = alert::WebhookOutbox::open(dir);
    if (!opened.outbox) {
      log_.error("cannot open the alert outbox",
                 {{"path", cfg_.state_dir}, {"reason", opened.detail + ": " + opened.error.message()}});
      return opened.error == std::errc::not_a_directory ? exit_config : exit_internal;
    }
    report_replay(opened.report);
    outbox_ = std::make_unique<alert::OutboxWorker>(std::move(opened.outbox), true);
    dispatcher_ = std::make_unique<engine::AlertDispatcher>(io_, *outbox_, dir, *prober_, metrics_,
                                                            log_, host_name());
    engine_.alerts().set_publisher(
        [this](const std::vector<core::AlertEvent>& events,
               std::optional<std::vector<alert::PersistedAlert>> state) {
          dispatcher_->publish(events, std::move(state));
        });
    dispatcher_->set_firing_source([this] { return engine_.alerts().notified_firing(); });
    arm_crash_point();
    return exit_ok;
  }

  void report_replay(const alert::ReplayReport& r) {
    if (r.dropped_tail_bytes > 0) {
      log_.warn("outbox: torn last record dropped",
                {{"bytes", std::to_string(r.dropped_tail_bytes)}, {"reason", r.dropped_tail_reason}});
    }
    for (const auto& c : r.corruptions) {
      log_.error("outbox: damaged records skipped", {{"offset", std::to_string(c.offset)},
                                                     {"bytes", std::to_string(c.bytes)},
                                                     {"reason", c.reason},
                                                     {"copy", r.preserved_copy}});
    }
    if (r.write_error) {
      log_.error("outbox write failed",
                 {{"reason", r.write_error.message()}, {"effect", "alert events wait in memory"}});
    }
    if (r.pending_events > 0) {
      log_.info("outbox replayed", {{"pending", std::to_string(r.pending_events)}});
    }
  }

  /// Re-creates the alerts firing before the restart: state_dir/alerts.json, then the alert
  /// notes the outbox holds past what it covers (lib/alert/alert_notes.hpp), so that the alerts
  /// restored are those whose events the outbox has accepted.
  alert::RestoredAlertState read_restored_alerts() {
    alert::WebhookOutbox& outbox = outbox_->outbox();  // the outbox thread is idle until io_.run()
    alert::RestoredAlertState r = alert::restore_alert_state(cfg_.state_dir, outbox.notes());
    const std::string path = (std::filesystem::path(cfg_.state_dir) / alert::alert_state_file_name).string();
    if (r.read_error) {
      log_.error("cannot read the alert state", {{"path", path}, {"reason", r.read_error.message()}});
    } else if (!r.parse_error.empty()) {
      // Alerts the outbox does not know of will fire again as new rather than be forgotten.
      log_.error("alert state unreadable; ignored", {{"path", path}, {"reason", r.parse_error}});
    }
    if (r.bad_notes > 0) {
      log_.error("outbox: unreadable alert notes skipped", {{"notes", std::to_string(r.bad_notes)}});
    }
    // Seqs go on past what alerts.json covers even if compaction emptied the outbox, and the
    // notes it covers are done with.
    outbox.reserve_seq(r.outbox_seq + 1);
    outbox.drop_notes_through(r.outbox_seq);
    return r;
  }

  /// Hands the alerts read_restored_alerts() found to the alert center (once sinks exist).
  void restore_alerts(const alert::RestoredAlertState& r) {
    engine_.alerts().restore(r.alerts, restore_grace(cfg_), std::chrono::system_clock::now());
    if (!r.alerts.empty() || r.from_outbox > 0) {
      log_.info("alerts restored", {{"firing", std::to_string(r.alerts.size())},
                                    {"from_outbox", std::to_string(r.from_outbox)}});
    }
  }

  /// FLYWATCH_TEST_CRASH_AT=POINT[:N] (tests only): kill -9 of this process the N-th time (1 by
  /// default) the outbox thread reaches POINT (AlertDispatcher::set_crash_point).
  void arm_crash_point() {
    const char* spec = std::getenv("FLYWATCH_TEST_CRASH_AT");
    if (spec == nullptr || *spec == '\0') return;
    std::string point = spec;
    long count = 1;
    if (auto colon = point.find(':'); colon != std::string::npos) {
      count = std::max(1L, std::strtol(point.c_str() + colon + 1, nullptr, 10));
      point.resize(colon);
    }
    log_.warn("test crash point armed", {{"point", point}, {"count", std::to_string(count)}});
    auto left = std::make_shared<long>(count);
    dispatcher_->set_crash_point([point, left](std::string_view at) {
      if (at == point && --*left == 0) ::raise(SIGKILL);
    });
  }

  static void notify_reloading() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    const auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
                      static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
  }

  void wait_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        std::string ignored;
        reload("SIGHUP", ignored);
        wait_signal();
        return;
      }
      log_.info("stopping", {{"reason", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
      sd_notify(0, "STOPPING=1");
      engine_.stop();
      dispatcher_->stop();
      server_.stop();
      watchdog_.cancel();
      // Probes still in flight are abandoned: io_context's destructor frees their coroutines.
      io_.stop();
    });
  }

  // WATCHDOG=1 comes from the event loop itself, so a wedged loop is restarted by systemd.
  void start_watchdog() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    watchdog_period_ = std::chrono::microseconds(usec / 2);
    tick_watchdog();
  }

  void tick_watchdog() {
    sd_notify(0, "WATCHDOG=1");
    watchdog_.expires_after(watchdog_period_);
    watchdog_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick_watchdog();
    });
  }

  const CliOptions& opts_;
  config::Config cfg_;
  asio::io_context io_{1};
  log::Logger log_;
  metrics::Metrics metrics_;
  std::unique_ptr<net::Prober> prober_;
  engine::Engine engine_;
  std::unique_ptr<alert::OutboxWorker> outbox_;
  std::unique_ptr<engine::AlertDispatcher> dispatcher_;
  net::AdminServer server_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_;
  std::chrono::microseconds watchdog_period_{0};
  bool ready_ = false;
};

std::optional<config::Config> load_or_report(const CliOptions& opts) {
  try {
    return config::load_config(opts.config_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return std::nullopt;
  }
}

}  // namespace

int run_daemon(const CliOptions& opts) {
  auto cfg = load_or_report(opts);
  if (!cfg) return exit_config;
  // SIGPIPE would kill the daemon when a peer closes mid-write; errors come back as error codes.
  std::signal(SIGPIPE, SIG_IGN);
  Daemon d(opts, std::move(*cfg));
  return d.run();
}

int run_check(const CliOptions& opts) {
  auto cfg = load_or_report(opts);
  if (!cfg) return exit_config;
  std::signal(SIGPIPE, SIG_IGN);
  asio::io_context io{1};
  auto prober = net::make_prober();
  const auto rows = engine::run_checks(io, *prober, *cfg);
  const auto apps = engine::run_app_checks(io, *prober, *cfg);
  std::string out;
  if (opts.json) {
    out = engine::format_check_json(rows, apps);
  } else if (apps.empty()) {
    out = engine::format_check_table(rows);
  } else {
    // Every target may be checked through its app; then only the machine table is shown.
    if (!rows.empty()) out = engine::format_check_table(rows) + "\n";
    out += engine::format_app_table(apps);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return engine::all_passed(rows) && engine::all_passed(apps) ? exit_ok : exit_check_failed;
}

int run_check_config(const CliOptions& opts) {
  auto cfg = load_or_report(opts);
  if (!cfg) return exit_config;
  std::printf("%s: ok (%zu targets)\n", opts.config_path.c_str(), cfg->targets.size());
  return exit_ok;
}

}  // namespace flywatch::daemon
