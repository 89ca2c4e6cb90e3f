#pragma once
/// What a journey is (DESIGN §12), as plain data built by the config loader: ordered HTTP steps
/// against one base URL, with {{variables}}, a cookie jar per run and extractions. Pure; how one
/// run advances is core/journey_run.hpp.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "core/endpoint.hpp"
#include "core/expectation.hpp"
#include "core/extraction.hpp"
#include "core/template_text.hpp"

namespace flywatch::core {

/// A header whose value may hold {{variables}}.
using HeaderTemplate = std::pair<std::string, TemplateText>;

/// One step: a request and what its answer must hold.
struct JourneyStep {
  std::string name;  ///< unique in its journey; a metric label value
  std::string method = "GET";
  /// Path and query appended to the journey's base path, e.g. "/api/auth/login".
  TemplateText path;
  /// Step headers, after the journey's own (a step header of the same name replaces it).
  std::vector<HeaderTemplate> headers;
  /// `json:` as a JSON value whose strings may hold {{variables}} (each expanded value stays a
  /// JSON string, escaped); sent with `Content-Type: application/json` unless a header says
  /// otherwise. Unset when the step has no `json:`.
  std::optional<boost::json::value> json;
  /// `body:` (mutually exclusive with json).
  TemplateText body;
  /// As a target's; `body_json` values may hold {{variables}}, expanded at each run.
  Expectation expect;
  std::vector<Extraction> extract;
  int line = 0;  ///< config line, for messages
};

/// One journey: where its steps go and what they are.
struct JourneySpec {
  std::string name;
  /// scheme http or https, host, port, TLS options and the journey's headers; `target` is the
  /// base path without its trailing '/' ("" for a bare origin).
  Endpoint base;
  /// `variables:` in order; a value may use the built-ins and the variables before it.
  std::vector<std::pair<std::string, TemplateText>> variables;
  /// Names of variables whose value came from the environment or a file (`${VAR}`): their
  /// values are secrets, redacted from every detail a run reports.
  std::vector<std::string> secret_variables;
  std::vector<JourneyStep> steps;  ///< at least one
  std::chrono::milliseconds timeout{30'000};  ///< one deadline for the whole run
  std::size_t max_body_bytes = 1 << 20;       ///< per response
};

}  // namespace flywatch::core
