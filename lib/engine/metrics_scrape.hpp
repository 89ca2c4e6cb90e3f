#pragma once
/// The /metrics answer made in steps on the event loop, so a scrape of 10,000 targets never
/// holds the loop for long (issue 13: the loop never blocks).
///
/// Why on the loop and not on a worker thread: Metrics is written by every probe on the loop,
/// its per-target series are created on first use, and prometheus-cpp's families lock only
/// themselves; a render on another thread would read them mid-change. Rendered in steps on the
/// loop, each step sees a consistent Metrics, and the targets the render started with stay
/// alive (metrics::MetricsRender holds them) whatever a reload removes meanwhile.

#include <cstddef>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "metrics/metrics.hpp"

namespace flywatch::engine {

/// About 1 ms of rendering on a loaded machine (roughly 0.2 µs a line).
inline constexpr std::size_t metrics_lines_per_step = 4000;

/// Renders `metrics` (which must outlive the render) in steps of `lines_per_step` sample
/// lines, letting every handler ready on the caller's executor run between two steps.
boost::asio::awaitable<std::string> render_metrics_in_steps(
    const metrics::Metrics& metrics, std::size_t lines_per_step = metrics_lines_per_step);

}  // namespace flywatch::engine
