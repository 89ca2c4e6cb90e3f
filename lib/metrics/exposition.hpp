#pragma once
/// A fast writer of the Prometheus text exposition format (0.0.4) for the per-target families,
/// which at 10,000 targets are most of a scrape. prometheus-cpp's serializer copies every series
/// into MetricFamily objects first; this appends straight into one string.

#include <string>
#include <string_view>
#include <vector>

namespace flywatch::metrics {

/// Escapes a label value: backslash, double quote and newline (the format's only escapes).
std::string escape_label_value(std::string_view v);

class ExpositionWriter {
 public:
  explicit ExpositionWriter(std::string& out) : out_(out) {}

  /// `# HELP name help` and `# TYPE name type`.
  void header(std::string_view name, std::string_view help, std::string_view type);

  /// One sample line: `name{labels} value`. `labels` is pre-rendered without braces
  /// (e.g. `phase="tls",target="a"`); empty means no braces.
  void sample(std::string_view name, std::string_view labels, double value);

  /// Appends the shortest text that reads back as `v` ("+Inf", "-Inf", "NaN" for those).
  static void append_number(std::string& out, double v);

  /// The `le` label values of a histogram with these upper bounds, "+Inf" last.
  static std::vector<std::string> le_texts(const std::vector<double>& bounds);

 private:
  std::string& out_;
};

}  // namespace flywatch::metrics
