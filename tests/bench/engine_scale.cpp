// Scale benchmark for the engine (DESIGN §9), run on purpose: `meson compile -C build
// engine_scale && build/tests/bench/engine_scale [targets] [seconds]`.
//
// It drives the real Engine, Metrics and evaluation with the test side of the prober seam (answers
// at once), so what it measures is flywatch's own per-target cost, not TLS: scheduler lateness at
// 10,000 targets on a 10 s interval on one core, memory per target, /metrics render time, and a
// reload of every target with no probe missed. Probe CPU against blackbox_exporter is
// tests/bench/cpu_per_probe.py.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/engine.hpp"
#include "net/http_client.hpp"
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
  // Prometheus scrapes while probes run: a render blocks the loop, so its cost shows in lateness.
  boost::asio::steady_timer scrape(io);
  std::size_t scrapes = 0;
  std::function<void()> scrape_every_10s = [&] {
    scrape.expires_after(10s);
    scrape.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      ++scrapes;
      (void)metrics.render();
      scrape_every_10s();
    });
  };
  scrape_every_10s();
  io.run_for(std::chrono::seconds(seconds));
  scrape.cancel();
  const auto loop_paused = std::chrono::steady_clock::now();
  const long rss_after = rss_kib();

  const auto render_start = std::chrono::steady_clock::now();
  const std::string text = metrics.render();
  const auto render_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - render_start).count();

  const auto lateness = metrics.scheduler_lateness().Collect().histogram;
  std::printf("targets=%d run=%ds probes=%llu scrapes=%zu (one every 10 s)\n", n, seconds,
              static_cast<unsigned long long>(engine.completed()), scrapes);
  std::printf("lateness p50<=%.4fs p99<=%.4fs (budget p99 <= 0.010s)\n", quantile(lateness, 0.5),
              quantile(lateness, 0.99));
  std::printf("memory per target: %.2f KiB (budget <= 8 KiB; RSS %ld -> %ld KiB)\n",
              static_cast<double>(rss_after - rss_before) / n, rss_before, rss_after);
  std::printf("/metrics render: %.1f ms for %zu bytes (budget <= 100 ms)\n", render_ms, text.size());

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
