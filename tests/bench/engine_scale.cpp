// Scale benchmark for the engine (DESIGN §9), run on purpose: `meson compile -C build
// engine_scale && build/tests/bench/engine_scale [targets] [seconds] [whole]`.
//
// It drives the real Engine, Metrics and evaluation with the test side of the prober seam (answers
// at once), so what it measures is flywatch's own per-target cost, not TLS: scheduler lateness at
// 10,000 targets on a 10 s interval on one core, memory per target, /metrics render time, and a
// reload of every target with no probe missed. Probe CPU against blackbox_exporter is
// tests/bench/cpu_per_probe.py.
//
// While it runs, a client thread scrapes /metrics every second through the real admin server
// and route table on the engine's loop, and a 1 ms timer on that loop records how late it fires:
// its worst lateness is the loop's longest stall (issue 13: "the loop never blocks").

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "engine/engine.hpp"
#include "engine/metrics_scrape.hpp"
#include "net/admin_routes.hpp"
#include "net/admin_server.hpp"
#include "net/http_client.hpp"
#include "net/worker_pool.hpp"
#include "report/status_page.hpp"
#include "../unit/engine/fake_prober.hpp"

using namespace flywatch;
using namespace std::chrono_literals;

namespace {

long rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

config::Config make_config(int n) {
  config::Config cfg;
  cfg.engine.max_in_flight = 4096;
  for (int i = 0; i < n; ++i) {
    config::Target t;
    t.name = "target-" + std::to_string(i);
    t.url = "https://" + t.name + ".example/";
    t.endpoint.scheme = "https";
    t.endpoint.host = t.name + ".example";
    t.endpoint.port = 443;
    t.endpoint.target = "/";
    t.interval = 10s;
    t.timeout = 5s;
    t.expect.body_json = {{"status", "ok"}};
    cfg.targets.push_back(std::move(t));
  }
  return cfg;
}

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The loop thread's CPU time, in ms: unlike wall time it stands still while the machine runs
// something else, so it tells flywatch's own work from a shared machine's scheduling.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// A 1 ms timer on the loop: how late each tick fires is how long the loop was busy elsewhere
// (or, on a loaded machine, not scheduled); the loop thread's CPU time between two ticks is the
// work that ran in between, whatever the machine did.
struct StallMeter {
  explicit StallMeter(asio::io_context& io) : timer(io) {}
  void start() {
    expected = Clock::now() + std::chrono::milliseconds(1);
    cpu_armed = thread_cpu_ms();
    timer.expires_at(expected);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      late_ms.push_back(ms_since(expected));
      busy_ms.push_back(thread_cpu_ms() - cpu_armed);
      start();
    });
  }
  static double quantile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * v.size()))];
  }
  double quantile(double q) const { return quantile(late_ms, q); }
  asio::steady_timer timer;
  Clock::time_point expected;
  double cpu_armed = 0;
  std::vector<double> late_ms;
  std::vector<double> busy_ms;
};

// GET `path` every `period` from its own thread, as Prometheus would, until stopped.
struct Scraper {
  Scraper(std::uint16_t port, std::string path, std::chrono::seconds period)
      : port(port), path(std::move(path)), period(period) {}
  void run() {
    thread = std::thread([this] {
      asio::io_context io;
      asio::ip::tcp::socket socket(io);
      socket.connect({asio::ip::make_address("127.0.0.1"), port});
      boost::beast::flat_buffer buffer;
      auto next = Clock::now();
      while (!stop) {
        next += period;
        http::request<http::empty_body> req{http::verb::get, path, 11};
        req.set(http::field::host, "127.0.0.1");
        const auto start = Clock::now();
        http::write(socket, req);
        http::response_parser<http::string_body> parser;
        parser.body_limit(256u << 20);
        http::read(socket, buffer, parser);
        response_ms.push_back(ms_since(start));  // read by main() after `done`
        bytes = parser.get().body().size();
        std::this_thread::sleep_until(next);
      }
      done = true;
    });
  }
  std::uint16_t port;
  std::string path;
  std::chrono::seconds period;
  std::thread thread;
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::vector<double> response_ms;
  std::size_t bytes = 0;
};

asio::awaitable<std::string> render_whole(const metrics::Metrics& metrics) {
  co_return metrics.render();
}

asio::awaitable<std::string> status_whole(const engine::Engine& engine) {
  co_return engine.status_json();
}

report::StatusPageOptions page_options() { return {"bench", std::chrono::system_clock::now(), 10}; }

// The daemon's two ways (daemon/run_command.cpp): in one go on the loop, or the document built
// in steps and the HTML rendered on the worker pool.
asio::awaitable<net::HtmlPage> page_whole(const engine::Engine& engine) {
  co_return net::HtmlPage{report::render_status_page(engine.status(), page_options()), ""};
}

asio::awaitable<std::string> render_page(std::shared_ptr<const boost::json::object> doc) {
  co_return report::render_status_page(*doc, page_options());
}

asio::awaitable<net::HtmlPage> page_in_steps(const engine::Engine& engine) {
  boost::json::object built = co_await engine.status_in_steps();
  auto doc = std::make_shared<const boost::json::object>(std::move(built));
  std::string html = co_await asio::co_spawn(net::worker_pool(), render_page(std::move(doc)),
                                             asio::use_awaitable);
  co_return net::HtmlPage{std::move(html), ""};
}

void print_scrapes(const Scraper& s) {
  if (s.response_ms.empty()) return;
  auto r = s.response_ms;
  std::sort(r.begin(), r.end());
  std::printf("%s scraped %zu times through the admin server: median %.1f ms, max %.1f ms, %zu bytes\n",
              s.path.c_str(), r.size(), r[r.size() / 2], r.back(), s.bytes);
}

// p-quantile upper bound from a cumulative histogram.
double quantile(const prometheus::ClientMetric::Histogram& h, double q) {
  const auto want = static_cast<std::uint64_t>(q * static_cast<double>(h.sample_count));
  for (const auto& b : h.bucket) {
    if (b.cumulative_count >= want) return b.upper_bound;
  }
  return INFINITY;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 12;
  // "whole": render /metrics in one go on the loop, as flywatch did before it rendered in steps.
  const bool whole = argc > 3 && std::string(argv[3]) == "whole";

  boost::asio::io_context io{1};
  test::FakeProber prober;
  auto http = net::http_client_over(prober);  // no Fly section: it sends nothing
  metrics::Metrics metrics("bench");
  std::FILE* devnull = std::fopen("/dev/null", "w");
  log::Logger logger(core::LogFormat::logfmt, core::LogLevel::info, false, devnull);
  engine::Engine engine(io, prober, *http, metrics, logger);

  const config::Config cfg = make_config(n);
  const long rss_before = rss_kib();
  engine.apply(cfg);
  // Prometheus scrapes /metrics every second while probes run, through the admin server the
  // daemon uses: what a render costs the loop shows in the stall meter and in lateness.
  net::AdminSources sources;
  sources.metrics_text = [&metrics, whole] {
    return whole ? render_whole(metrics) : engine::render_metrics_in_steps(metrics);
  };
  sources.status_json = [&engine, whole] {
    return whole ? status_whole(engine) : engine.status_json_in_steps();
  };
  sources.status_page = [&engine, whole] { return whole ? page_whole(engine) : page_in_steps(engine); };
  sources.ready = [] { return true; };
  sources.reload = [](std::string&) { return false; };
  net::AdminServer server(io, net::make_admin_handler(sources));
  std::string step;
  if (const auto ec = server.listen("127.0.0.1", 0, step)) {
    std::printf("cannot listen: %s: %s\n", step.c_str(), ec.message().c_str());
    return 2;
  }
  StallMeter stalls(io);
  stalls.start();
  // /metrics every second; the status API and page, rarer in practice, every 5 s.
  std::vector<std::unique_ptr<Scraper>> scrapers;
  scrapers.push_back(std::make_unique<Scraper>(server.port(), "/metrics", 1s));
  scrapers.push_back(std::make_unique<Scraper>(server.port(), "/api/v1/status", 5s));
  scrapers.push_back(std::make_unique<Scraper>(server.port(), "/", 5s));
  for (auto& s : scrapers) s->run();
  const Scraper& scraper = *scrapers.front();
  io.run_for(std::chrono::seconds(seconds));
  stalls.timer.cancel();
  // A scraper's last request may be waiting on the loop: serve it while the threads stop.
  for (auto& s : scrapers) s->stop = true;
  for (auto& s : scrapers) {
    while (!s->done) {
      io.restart();
      io.run_for(20ms);
    }
    s->thread.join();
  }
  server.stop();
  io.restart();
  io.poll();
  const auto loop_paused = std::chrono::steady_clock::now();
  const long rss_after = rss_kib();

  const auto render_start = std::chrono::steady_clock::now();
  const std::string text = metrics.render();
  const auto render_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - render_start).count();

  const auto status_start = std::chrono::steady_clock::now();
  const std::string status = engine.status_json();
  const double status_ms = ms_since(status_start);
  const auto page_start = std::chrono::steady_clock::now();
  const std::string page = report::render_status_page(engine.status(), page_options());
  const double page_ms = ms_since(page_start);

  const auto lateness = metrics.scheduler_lateness().Collect().histogram;
  std::printf("targets=%d run=%ds probes=%llu scrapes=%zu (one every second, %s)\n", n, seconds,
              static_cast<unsigned long long>(engine.completed()), scraper.response_ms.size(),
              whole ? "rendered in one go" : "rendered in steps");
  std::printf("longest loop stall: %.1f ms (budget 10 ms); p99 %.2f ms; ticks over 10 ms: %zd of %zu\n",
              stalls.quantile(1.0), stalls.quantile(0.99),
              std::count_if(stalls.late_ms.begin(), stalls.late_ms.end(), [](double v) { return v > 10; }),
              stalls.late_ms.size());
  std::printf("longest loop busy span (loop thread CPU between two 1 ms ticks): %.1f ms; p99 %.2f ms\n",
              StallMeter::quantile(stalls.busy_ms, 1.0), StallMeter::quantile(stalls.busy_ms, 0.99));
  for (const auto& s : scrapers) print_scrapes(*s);
  std::printf("lateness p50<=%.4fs p99<=%.4fs (budget p99 <= 0.010s)\n", quantile(lateness, 0.5),
              quantile(lateness, 0.99));
  std::printf("memory per target: %.2f KiB (budget <= 8 KiB; RSS %ld -> %ld KiB)\n",
              static_cast<double>(rss_after - rss_before) / n, rss_before, rss_after);
  std::printf("/metrics render: %.1f ms for %zu bytes (budget <= 100 ms)\n", render_ms, text.size());
  std::printf("in one go: /api/v1/status %.1f ms for %zu bytes; status page %.1f ms for %zu bytes\n",
              status_ms, status.size(), page_ms, page.size());

  // Reload every target (a fresh, equal config): each must keep its phase, so its next run comes
  // one interval after its last one, neither missed nor moved.
  std::map<std::string, std::size_t> before;
  for (const auto& [host, starts] : prober.starts) before[host] = starts.size();
  const auto reload_start = std::chrono::steady_clock::now();
  engine.apply(make_config(n));
  const auto reload_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - reload_start).count();
  io.restart();
  // Runs due while the loop was paused above (render, reload), or during a scrape before it, start
  // late; that is lateness, not a moved phase. A reset phase would land anywhere in 0–10 s.
  const auto paused = std::chrono::steady_clock::now() - loop_paused;
  io.run_for(10500ms);
  std::size_t missed = 0;
  std::size_t moved = 0;
  for (const auto& [host, starts] : prober.starts) {
    const std::size_t i = before[host];
    if (starts.size() <= i || i == 0) {
      ++missed;
      continue;
    }
    const auto gap = starts[i] - starts[i - 1];
    const auto slack = paused + 100ms;
    if (gap < 10s - slack || gap > 10s + slack) {
      if (moved < 3) std::printf("  %s: gap %.3f s\n", host.c_str(), std::chrono::duration<double>(gap).count());
      ++moved;
    }
  }
  std::printf("reload of %d targets: %.1f ms; missed a run: %zu, phase moved: %zu (budget 0, 0)\n",
              n, reload_ms, missed, moved);
  std::fclose(devnull);
  return missed == 0 && moved == 0 ? 0 : 1;
}
