#include "metrics/process_collector.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace flywatch::metrics {

namespace {

prometheus::MetricFamily single(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

std::string read_file(const char* path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The process's start time, taken when this library is loaded (static initialisation, before
// main). /proc/self/stat's starttime would need the boot time from /proc/stat, which systemd's
// ProcSubset=pid hides from the hardened service.
const double process_start_unix_seconds =
    std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

int count_open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the descriptor opendir itself holds
}

}  // namespace

std::vector<prometheus::MetricFamily> collect_process_metrics() {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));

  // /proc/self/stat: the command name may hold spaces, so fields are counted after its ')'.
  const std::string stat = read_file("/proc/self/stat");
  const auto close = stat.rfind(')');
  if (close != std::string::npos && ticks > 0) {
    std::istringstream in(stat.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0, vsize = 0, rss = 0;
    // Fields after the name start at field 3 (state); utime is 14, stime 15, vsize 23, rss 24.
    for (int i = 3; i <= 24 && in >> field; ++i) {
      switch (i) {
        case 14: utime = std::stod(field); break;
        case 15: stime = std::stod(field); break;
        case 23: vsize = std::stod(field); break;
        case 24: rss = std::stod(field); break;
        default: break;
      }
    }
    out.push_back(single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                         MetricType::Counter, (utime + stime) / ticks));
    out.push_back(single("process_resident_memory_bytes", "Resident memory size in bytes.",
                         MetricType::Gauge, rss * page));
    out.push_back(single("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                         MetricType::Gauge, vsize));
  }
  out.push_back(single("process_start_time_seconds",
                       "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
                       process_start_unix_seconds));
  if (const int fds = count_open_fds(); fds >= 0) {
    out.push_back(single("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, fds));
  }
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    out.push_back(single("process_max_fds", "Maximum number of open file descriptors.",
                         MetricType::Gauge, static_cast<double>(lim.rlim_cur)));
  }
  return out;
}

}  // namespace flywatch::metrics
