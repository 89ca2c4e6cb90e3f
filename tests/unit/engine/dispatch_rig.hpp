#pragma once
// AlertDispatcher with a real outbox in a temp dir on its own thread and a scripted receiver
// behind the prober seam, for the dispatcher and restore tests.

#include <doctest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "engine/alert_dispatcher.hpp"
#include "testdata_files.hpp"

namespace flywatch::test {

using namespace std::chrono_literals;

/// Plays the sinks' HTTP servers: records every request and answers `status_for` (200 when
/// unset).
struct Receiver : net::Prober {
  std::vector<net::ProbeSpec> seen;
  std::function<int(const net::ProbeSpec&)> status_for;
  boost::asio::awaitable<core::ProbeResult> probe(const net::ProbeSpec& spec) override {
    seen.push_back(spec);
    core::ProbeResult r;
    r.http_status = status_for ? status_for(spec) : 200;
    co_return r;
  }
  std::vector<net::ProbeSpec> to(const std::string& target) const {
    std::vector<net::ProbeSpec> out;
    for (const auto& s : seen) {
      if (s.endpoint.target == target) out.push_back(s);
    }
    return out;
  }
};

inline config::SinkConfig webhook_sink(const std::string& name, const std::string& target) {
  config::SinkConfig s;
  s.name = name;
  s.type = config::SinkType::webhook;
  s.url = "http://127.0.0.1:9" + target;
  s.endpoint.scheme = "http";
  s.endpoint.host = "127.0.0.1";
  s.endpoint.port = 9;
  s.endpoint.target = target;
  s.timeout = 1s;
  s.retry_initial = 5ms;
  s.retry_max = 20ms;
  return s;
}

inline core::AlertEvent event(core::AlertEventKind kind, std::string_view name,
                              core::Severity sev, const std::string& target) {
  core::AlertEvent e;
  e.kind = kind;
  e.at = std::chrono::system_clock::now();
  e.alert.labels = core::target_alert_labels(name, sev, target);
  e.alert.fingerprint = core::alert_fingerprint(e.alert.labels);
  e.alert.starts_at = e.at - 1min;
  if (kind == core::AlertEventKind::resolved) e.alert.ends_at = e.at;
  return e;
}

inline alert::PersistedAlert persisted(const core::AlertEvent& e, bool notified) {
  alert::PersistedAlert p;
  p.entry.alert = e.alert;
  p.entry.last_notified = e.at;
  p.notified = notified;
  return p;
}

struct DispatchRig {
  test::ScratchDir dir;
  boost::asio::io_context io{1};
  Receiver receiver;
  std::unique_ptr<net::HttpClient> http = net::http_client_over(receiver);
  metrics::Metrics metrics{"test"};
  std::FILE* sink = std::tmpfile();
  log::Logger logger{core::LogFormat::logfmt, core::LogLevel::debug, false, sink};
  std::unique_ptr<alert::OutboxWorker> worker;
  std::unique_ptr<engine::AlertDispatcher> dispatcher;

  explicit DispatchRig(alert::OutboxOptions options = {}) {
    auto opened = alert::WebhookOutbox::open(dir.path(), std::move(options));
    REQUIRE(opened.outbox);
    worker = std::make_unique<alert::OutboxWorker>(std::move(opened.outbox), true);
    dispatcher = std::make_unique<engine::AlertDispatcher>(io, *worker, dir.path(), *http,
                                                           metrics, logger, "test-host");
  }
  ~DispatchRig() {
    dispatcher->stop();
    io.restart();
    io.run_for(30ms);  // the delivery loops see the stop
    dispatcher.reset();
    worker.reset();  // joins the outbox thread while the io_context still exists
    std::fclose(sink);
  }

  /// Runs the io_context until `done` holds (checked every 10 ms) or `limit` passes (generous:
  /// it only matters when the test fails, and a busy machine is slow).
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      io.restart();
      io.run_for(10ms);
    }
    return true;
  }
  void run_for(std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
  }

  /// The value of the series of `family` whose labels contain every one of `labels`; -1 if none.
  double metric(const std::string& family, std::initializer_list<std::string> labels) const {
    std::istringstream in(metrics.render());
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(family + "{", 0) != 0) continue;
      bool all = true;
      for (const auto& l : labels) all = all && line.find(l) != std::string::npos;
      if (all) return std::stod(line.substr(line.rfind(' ') + 1));
    }
    return -1;
  }
  std::vector<std::string> log_lines(std::initializer_list<std::string> parts) {
    std::vector<std::string> out;
    std::istringstream in(test::read_all(sink));
    std::string line;
    while (std::getline(in, line)) {
      bool all = true;
      for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
      if (all) out.push_back(line);
    }
    return out;
  }
};

}  // namespace flywatch::test
