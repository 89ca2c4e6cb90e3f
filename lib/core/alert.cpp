#include "core/alert.hpp"

#include <cstdio>

namespace flywatch::core {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::critical: return "critical";
  }
  return "warning";
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "info") return Severity::info;
  if (s == "warning") return Severity::warning;
  if (s == "critical") return Severity::critical;
  return std::nullopt;
}

std::string_view to_string(AlertEventKind k) {
  switch (k) {
    case AlertEventKind::firing: return "firing";
    case AlertEventKind::repeat: return "repeat";
    case AlertEventKind::resolved: return "resolved";
  }
  return "firing";
}

namespace {
std::string_view label(const AlertLabels& labels, const char* name) {
  auto it = labels.find(name);
  return it == labels.end() ? std::string_view() : std::string_view(it->second);
}
}  // namespace

std::string_view Alert::name() const { return label(labels, "alertname"); }
std::string_view Alert::severity() const { return label(labels, "severity"); }

std::string alert_fingerprint(const AlertLabels& labels) {
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // a separator no UTF-8 text contains, so ("ab","c") != ("a","bc")
    h *= 1099511628211ull;
  };
  for (const auto& [name, value] : labels) {
    mix(name);
    mix(value);
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace flywatch::core
