#include "gate/gate_report.hpp"

#include <algorithm>
#include <cstdio>

#include <boost/json.hpp>

#include "core/duration.hpp"
#include "core/log_line.hpp"
#include "core/utf8.hpp"

namespace flywatch::gate {

namespace {

std::string seconds_text(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", core::to_seconds(d));
  return buf;
}

std::string failure_text(const GateCase& c) {
  std::string out = c.name + ": " + c.reason;
  if (!c.message.empty()) out += ": " + c.message;
  return out;
}

struct Counts {
  std::size_t tests = 0, failures = 0, skipped = 0;
};

Counts count(const std::vector<GateCase>& cases) {
  Counts n;
  for (const GateCase& c : cases) {
    ++n.tests;
    if (c.skipped) {
      ++n.skipped;
    } else if (!c.passed) {
      ++n.failures;
    }
  }
  return n;
}

}  // namespace

bool GateResult::passed() const { return failed_phase() == nullptr; }

const GatePhaseResult* GateResult::failed_phase() const {
  for (const GatePhaseResult& p : phases) {
    if (p.ran && !p.passed) return &p;
  }
  return nullptr;
}

std::string case_line(const GateCase& c) {
  if (c.skipped) return "  skip  " + c.name + "  (" + c.skip_why + ")";
  std::string out = std::string(c.passed ? "  ok    " : "  FAIL  ") + c.name + "  (" +
                    core::format_ms_rounded(c.duration) + ")";
  if (!c.passed) {
    out += "  " + c.reason;
    if (!c.message.empty()) out += ": " + c.message;
  } else if (!c.message.empty()) {
    out += "  " + c.message;
  }
  return out;
}

std::string phase_line(const GatePhaseResult& p) {
  if (!p.ran) return "phase " + p.name + ": not run";
  return "phase " + p.name + ": " + (p.passed ? "passed" : "FAILED") + " (" +
         core::format_ms_rounded(p.duration) + ")";
}

std::string summary_line(const GateResult& r) {
  if (const GatePhaseResult* failed = r.failed_phase()) {
    std::string out = "gate: FAILED at phase " + failed->name;
    for (const GateCase& c : failed->cases) {
      if (!c.passed && !c.skipped) return out + ": " + failure_text(c);
    }
    return out;
  }
  std::size_t ran = 0;
  for (const GatePhaseResult& p : r.phases) ran += p.ran ? 1 : 0;
  return "gate: passed (" + std::to_string(ran) + (ran == 1 ? " phase)" : " phases)");
}

std::string gate_json(const GateResult& r) {
  boost::json::array phases;
  for (const GatePhaseResult& p : r.phases) {
    boost::json::array cases;
    for (const GateCase& c : p.cases) {
      cases.push_back({{"name", c.name},
                       {"passed", c.passed},
                       {"skipped", c.skipped},
                       {"reason", c.skipped ? c.skip_why : c.reason},
                       {"message", c.message},
                       {"duration_seconds", core::to_seconds(c.duration)}});
    }
    phases.push_back({{"name", p.name},
                      {"ran", p.ran},
                      {"passed", p.passed},
                      {"duration_seconds", core::to_seconds(p.duration)},
                      {"cases", std::move(cases)}});
  }
  const GatePhaseResult* failed = r.failed_phase();
  boost::json::object doc{{"passed", r.passed()},
                          {"failed_phase", failed ? boost::json::value(failed->name)
                                                  : boost::json::value(nullptr)},
                          {"phases", std::move(phases)}};
  return boost::json::serialize(doc) + "\n";
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    if (static_cast<unsigned char>(ch) >= 0x80) {
      // A JUnit file with invalid UTF-8 is not XML at all: CI would drop the whole report.
      const std::size_t n = core::utf8_sequence_length(s, i);
      if (n == 0) {
        out += '?';
      } else {
        out.append(s, i, n);
        i += n - 1;
      }
      continue;
    }
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: {
        const auto u = static_cast<unsigned char>(ch);
        out += (u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') ? '?' : ch;
      }
    }
  }
  return out;
}

std::string gate_junit(const GateResult& r, std::chrono::system_clock::time_point timestamp) {
  Counts all;
  std::chrono::nanoseconds total{0};
  for (const GatePhaseResult& p : r.phases) {
    const Counts n = count(p.cases);
    all.tests += n.tests;
    all.failures += n.failures;
    all.skipped += n.skipped;
    total += p.duration;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"flywatch gate\" tests=\"" + std::to_string(all.tests) +
         "\" failures=\"" + std::to_string(all.failures) + "\" errors=\"0\" skipped=\"" +
         std::to_string(all.skipped) + "\" time=\"" + seconds_text(total) + "\">\n";
  const std::string stamp = xml_escape(core::format_rfc3339_ms(timestamp));
  for (const GatePhaseResult& p : r.phases) {
    const Counts n = count(p.cases);
    const std::string phase = xml_escape(p.name);
    out += "  <testsuite name=\"" + phase + "\" tests=\"" + std::to_string(n.tests) +
           "\" failures=\"" + std::to_string(n.failures) + "\" errors=\"0\" skipped=\"" +
           std::to_string(n.skipped) + "\" time=\"" + seconds_text(p.duration) +
           "\" timestamp=\"" + stamp + "\">\n";
    for (const GateCase& c : p.cases) {
      out += "    <testcase classname=\"" + phase + "\" name=\"" + xml_escape(c.name) +
             "\" time=\"" + seconds_text(c.duration) + "\"";
      if (c.skipped) {
        out += ">\n      <skipped message=\"" + xml_escape(c.skip_why) + "\"/>\n    </testcase>\n";
      } else if (!c.passed) {
        const std::string text = xml_escape(failure_text(c));
        out += ">\n      <failure message=\"" + text + "\" type=\"" + xml_escape(c.reason) +
               "\">" + text + "</failure>\n    </testcase>\n";
      } else {
        out += "/>\n";
      }
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace flywatch::gate
