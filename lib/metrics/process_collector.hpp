#pragma once
/// The standard process_* metrics, read from /proc/self at scrape time.

#include <vector>

#include <prometheus/metric_family.h>

namespace flywatch::metrics {

/// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
/// process_open_fds, process_max_fds, process_start_time_seconds. A file that cannot be read
/// leaves its metric out rather than reporting a wrong value.
std::vector<prometheus::MetricFamily> collect_process_metrics();

}  // namespace flywatch::metrics
