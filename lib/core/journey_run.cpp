#include "core/journey_run.hpp"

#include <boost/json/serialize.hpp>

#include "core/ascii.hpp"
#include "core/expectation.hpp"
#include "core/extraction.hpp"

namespace flywatch::core {

namespace {

// Text that may hold {{variables}}: the config loader parsed and checked every such text, so a
// parse failure here cannot happen; it would leave the text as written.
std::string expand_text(const std::string& raw, const VariableValues& values) {
  if (raw.find("{{") == std::string::npos) return raw;
  std::string error;
  std::size_t offset = 0;
  const auto text = TemplateText::parse(raw, error, offset);
  return text ? text->expand(values) : raw;
}

void expand_strings(boost::json::value& v, const VariableValues& values) {
  if (v.is_string()) {
    const std::string raw(v.get_string());
    v = expand_text(raw, values);
  } else if (v.is_array()) {
    for (boost::json::value& item : v.get_array()) expand_strings(item, values);
  } else if (v.is_object()) {
    for (auto& member : v.get_object()) expand_strings(member.value(), values);
  }
}

void set_header(HeaderList& headers, const std::string& name, std::string value) {
  for (auto& [n, v] : headers) {
    if (ascii_iequals(n, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(name, std::move(value));
}

bool has_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (ascii_iequals(n, name)) return true;
  }
  return false;
}

}  // namespace

std::string expand_json_body(const boost::json::value& json, const VariableValues& values) {
  boost::json::value copy = json;
  expand_strings(copy, values);
  return boost::json::serialize(copy);
}

JourneyRun::JourneyRun(const JourneySpec& spec, VariableValues builtins, HeaderList extra)
    : spec_(&spec), values_(std::move(builtins)), extra_(std::move(extra)) {
  for (const auto& [name, text] : spec.variables) values_[name] = text.expand(values_);
  for (const std::string& name : spec.secret_variables) {
    if (auto it = values_.find(name); it != values_.end() && !it->second.empty()) {
      secrets_.push_back(it->second);
    }
  }
  finished_ = spec.steps.empty();
}

const JourneyStep& JourneyRun::current_step() const { return step(); }

CookieUrl JourneyRun::cookie_url(const std::string& target) const {
  CookieUrl url;
  url.secure = spec_->base.scheme == "https";
  url.host = ascii_lower(spec_->base.host);
  url.path = target.substr(0, target.find('?'));
  if (url.path.empty()) url.path = "/";
  return url;
}

std::optional<StepRequest> JourneyRun::next_request(time_point now) const {
  if (finished_) return std::nullopt;
  const JourneyStep& s = step();
  StepRequest req;
  req.method = s.method;
  req.target = spec_->base.target + s.path.expand(values_);
  if (req.target.empty() || req.target.front() != '/') req.target.insert(0, "/");
  req.headers = spec_->base.headers;
  for (const auto& [name, value] : s.headers) set_header(req.headers, name, value.expand(values_));
  for (const auto& [name, value] : extra_) set_header(req.headers, name, value);
  if (s.json) {
    req.body = expand_json_body(*s.json, values_);
    if (!has_header(req.headers, "content-type")) {
      req.headers.emplace_back("Content-Type", "application/json");
    }
  } else {
    req.body = s.body.expand(values_);
  }
  const std::string cookies = jar_.cookie_header(cookie_url(req.target), now);
  if (!cookies.empty()) set_header(req.headers, "Cookie", cookies);
  return req;
}

Expectation JourneyRun::expanded_expect() const {
  Expectation e = step().expect;
  for (auto& [path, want] : e.body_json) want = expand_text(want, values_);
  return e;
}

const StepReport& JourneyRun::record(const ProbeResult& result, time_point now) {
  const JourneyStep& s = step();
  StepReport report;
  report.name = s.name;
  report.duration = result.total;
  if (result.transport_ok()) report.status = result.http_status;
  // The answer's cookies are kept whatever the verdict: a browser would keep them too.
  if (result.transport_ok()) {
    const auto req_target = spec_->base.target + s.path.expand(values_);
    jar_.receive(result.headers, cookie_url(req_target), now);
  }
  report.verdict = evaluate(result, expanded_expect(), now);
  if (report.verdict.success) {
    for (const Extraction& x : s.extract) {
      ExtractOutcome got = extract(result, x);
      if (!got.value) {
        report.verdict = std::move(got.failure);
        break;
      }
      values_[x.variable] = std::move(*got.value);
    }
  }
  report.verdict.detail = redact(report.verdict.detail, secrets_);
  reports_.push_back(std::move(report));
  if (!reports_.back().verdict.success) {
    failed_ = finished_ = true;
  } else if (++index_ == spec_->steps.size()) {
    finished_ = true;
  }
  return reports_.back();
}

const StepReport& JourneyRun::fail_current(Verdict verdict) {
  StepReport report;
  report.name = step().name;
  verdict.detail = redact(verdict.detail, secrets_);
  report.verdict = std::move(verdict);
  reports_.push_back(std::move(report));
  failed_ = finished_ = true;
  return reports_.back();
}

}  // namespace flywatch::core
