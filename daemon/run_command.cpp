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

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "alert/outbox_worker.hpp"
#include "config/config.hpp"
#include "core/daemon_policy.hpp"
#include "engine/alert_dispatcher.hpp"
#include "engine/engine.hpp"
#include "engine/metrics_scrape.hpp"
#include "engine/reload.hpp"
#include "engine/startup.hpp"
#include "flywatch_version.hpp"
#include "log/logger.hpp"
#include "metrics/metrics.hpp"
#include "net/admin_routes.hpp"
#include "net/admin_server.hpp"
#include "net/basic_auth.hpp"
#include "net/http_client.hpp"
#include "net/prober.hpp"
#include "net/worker_pool.hpp"
#include "report/status_page.hpp"

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

/// The status page's HTML from its document alone, on the worker pool. A coroutine of its own, its
/// arguments copied into its frame (GCC 12 destroys the captures of a lambda coroutine given to
/// co_spawn twice).
asio::awaitable<std::string> render_page_on_worker(std::shared_ptr<const boost::json::object> doc,
                                                   report::StatusPageOptions options) {
  co_return report::render_status_page(*doc, options);
}

/// Everything `flywatch run` wires together, alive for the daemon's lifetime.
class Daemon {
 public:
  Daemon(const CliOptions& opts, config::ShardView view)
      : opts_(opts),
        cfg_(std::move(view.config)),
        shard_(view.summary),
        log_(opts.log_format.value_or(cfg_.log.format), opts.log_level.value_or(cfg_.log.level),
             log::detect_journald()),
        metrics_(FLYWATCH_VERSION),
        prober_(net::make_prober()),
        http_(net::make_http_client()),
        engine_(io_, *prober_, *http_, metrics_, log_),
        server_(io_, admin_handler(), admin_limits()),
        signals_(io_, SIGHUP, SIGTERM, SIGINT),
        watchdog_(io_) {}

  int run() {
    // From here on a slow stderr or journal never blocks the loop: lines queue for a writer
    // thread, and are dropped and counted when it falls behind (docs/operations.md).
    log_.start_writer_thread();
    if (cfg_.server.web.tls) {
      if (const auto error = server_.use_tls(*cfg_.server.web.tls)) {
        log_.error("cannot serve admin endpoint over TLS",
                   {{"reason", *error}, {"web_config_file", cfg_.server.web_config_file}});
        return exit_config;
      }
    }
    // Basic authentication when the web config names users; bcrypt runs off the loop.
    if (!cfg_.server.web.basic_auth_users.empty()) {
      server_.set_authenticator(net::basic_auth_authenticator(cfg_.server.web.basic_auth_users));
    }
    std::string step;
    if (auto ec = server_.listen(cfg_.server.listen_host, cfg_.server.listen_port, step)) {
      log_.error("cannot serve admin endpoint",
                 {{"reason", step + ": " + ec.message()},
                  {"listen", cfg_.server.listen_host + ":" + std::to_string(cfg_.server.listen_port)}});
      const bool bad_address = core::listen_failure_is_config_error(
          step, ec == boost::system::errc::address_not_available);
      return bad_address ? exit_config : exit_internal;
    }
    auto opened = engine::open_outbox(cfg_.state_dir, log_);
    if (!opened.worker) {
      return opened.failure == engine::StartupFailure::config ? exit_config : exit_internal;
    }
    outbox_ = std::move(opened.worker);
    dispatcher_ = std::make_unique<engine::AlertDispatcher>(
        io_, *outbox_, std::filesystem::path(cfg_.state_dir), *http_, metrics_, log_,
        host_name());
    engine::connect_alerts(engine_, *dispatcher_);
    arm_crash_point();
    engine::start_watching(cfg_, engine_, *dispatcher_, *outbox_, log_);
    engine::record_config_loaded(metrics_);
    engine::record_shard(shard_, false, metrics_, log_);
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
    // Work still on the worker pool (a regex, a CA load, bcrypt) ends before the loop it
    // reports to is destroyed.
    net::worker_pool().join();
    log_.info("flywatch stopped");
    return exit_ok;
  }

 private:
  /// The admin routes. The web config is read once, at start: a reload validates a changed
  /// one but applies it at restart.
  net::AsyncAdminHandler admin_handler() { return net::make_admin_handler(admin_sources()); }

  net::AdminSources admin_sources() {
    net::AdminSources s;
    s.metrics_text = [this] { return metrics_text(); };
    s.status_json = [this] { return engine_.status_json_in_steps(); };
    s.status_page = [this] { return status_page(); };
    s.ready = [this] { return ready_; };
    s.reload = [this](std::string& error) { return reload("api", error); };
    return s;
  }

  /// The exposition, rendered in steps between which the loop runs (probes, other requests).
  asio::awaitable<std::string> metrics_text() {
    if (dispatcher_) dispatcher_->refresh_metrics(std::chrono::system_clock::now());
    metrics_.set_log_lines_dropped(log_.dropped_lines());
    co_return co_await engine::render_metrics_in_steps(metrics_);
  }

  /// The status page: its document built in steps on the loop, its HTML rendered on the worker
  /// pool from that document alone.
  asio::awaitable<net::HtmlPage> status_page() {
    boost::json::object built = co_await engine_.status_in_steps();
    auto doc = std::make_shared<const boost::json::object>(std::move(built));
    report::StatusPageOptions options;
    options.version = FLYWATCH_VERSION;
    options.now = std::chrono::system_clock::now();
    std::string html = co_await asio::co_spawn(
        net::worker_pool(), render_page_on_worker(std::move(doc), std::move(options)),
        asio::use_awaitable);
    co_return net::HtmlPage{std::move(html), std::string(report::status_page_csp())};
  }

  /// engine::reload_config between systemd's RELOADING=1 and READY=1.
  bool reload(const char* trigger, std::string& error) {
    notify_reloading();
    const auto failed = engine::reload_config(
        opts_.config_path, trigger, cfg_,
        {engine_, *dispatcher_, metrics_, log_, opts_.log_format.has_value(),
         opts_.log_level.has_value()});
    if (failed) error = *failed;
    sd_notify(0, "READY=1");
    return !failed;
  }

  /// FLYWATCH_TEST_CRASH_AT=POINT[:N] (tests only): kill -9 of this process the N-th time (1 by
  /// default) the outbox thread reaches POINT (AlertDispatcher::set_crash_point).
  void arm_crash_point() {
    const char* spec = std::getenv("FLYWATCH_TEST_CRASH_AT");
    const auto at = core::parse_crash_point(spec == nullptr ? "" : spec);
    if (!at) return;
    log_.warn("test crash point armed",
              {{"point", at->point}, {"count", std::to_string(at->count)}});
    auto left = std::make_shared<long>(at->count);
    dispatcher_->set_crash_point([this, point = at->point, left](std::string_view reached) {
      if (reached != point || --*left != 0) return;
      log_.flush(std::chrono::seconds(1));  // what was logged before the crash is on stderr
      ::raise(SIGKILL);
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
    if (sd_watchdog_enabled(0, &usec) <= 0) return;
    const auto every = core::watchdog_ping_interval(std::chrono::microseconds(usec));
    if (!every) return;
    watchdog_period_ = *every;
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
  config::ShardSummary shard_;  // of the config loaded at start, for its log line
  asio::io_context io_{1};
  log::Logger log_;
  metrics::Metrics metrics_;
  std::unique_ptr<net::Prober> prober_;
  std::unique_ptr<net::HttpClient> http_;  // the Fly Machines API and the alert sinks
  engine::Engine engine_;
  std::unique_ptr<alert::OutboxWorker> outbox_;
  std::unique_ptr<engine::AlertDispatcher> dispatcher_;
  net::AdminServer server_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_;
  std::chrono::microseconds watchdog_period_{0};
  bool ready_ = false;
};

}  // namespace

namespace {

template <class Load>
auto reporting_errors(Load load) -> std::optional<decltype(load())> {
  try {
    return load();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return std::nullopt;
  }
}

}  // namespace

std::optional<config::Config> load_or_report(const CliOptions& opts) {
  return reporting_errors([&] { return config::load_config(opts.config_path); });
}

std::optional<config::ShardView> load_shard_or_report(const CliOptions& opts) {
  return reporting_errors([&] { return engine::load_shard(opts.config_path); });
}

int run_daemon(const CliOptions& opts) {
  auto view = load_shard_or_report(opts);
  if (!view) return exit_config;
  // SIGPIPE would kill the daemon when a peer closes mid-write; errors come back as error codes.
  std::signal(SIGPIPE, SIG_IGN);
  Daemon d(opts, std::move(*view));
  return d.run();
}

}  // namespace flywatch::daemon
