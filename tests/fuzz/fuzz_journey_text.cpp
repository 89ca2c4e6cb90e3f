// Fuzzer: the text a journey takes apart (lib/core template_text, json_path, extraction): a
// {{variable}} template parsed and expanded, secrets redacted from the result, a dotted JSON
// path looked up in a JSON body, and an `extract:` spec parsed and run on an answer.
// Properties: no crash; a parse error points at a "{{"; a text without placeholders expands to
// itself; redaction leaves no secret in the text (checked for secrets that share no character
// with "<secret>", which could otherwise be re-formed around a replacement); an extraction
// gives a value or an `extract` failure, never both.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <fuzzer/FuzzedDataProvider.h>

#include "core/extraction.hpp"
#include "core/json_path.hpp"
#include "core/template_text.hpp"
#include "expect_input.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace flywatch;
using fuzz::require;

void fuzz_template(FuzzedDataProvider& in) {
  const std::string source = in.ConsumeRandomLengthString(128);
  std::string error;
  std::size_t error_offset = 0;
  const auto text = core::TemplateText::parse(source, error, error_offset);
  if (!text) {
    require(!error.empty(), "a template error has a message");
    require(source.compare(error_offset, 2, "{{") == 0, "a template error points at {{");
    return;
  }
  core::VariableValues values;
  for (const auto& p : text->placeholders()) {
    require(source.compare(p.offset, 2, "{{") == 0, "a placeholder starts at {{");
    require(core::is_variable_name(p.name), "a placeholder holds a variable name");
    values[p.name] = in.ConsumeRandomLengthString(32);
  }
  const std::string expanded = text->expand(values);
  require(text->has_placeholders() || expanded == source, "a plain text expands to itself");

  std::vector<std::string> secrets;
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
    secrets.push_back(in.ConsumeRandomLengthString(8));
  }
  const std::string redacted = core::redact(expanded, secrets);
  for (const std::string& s : secrets) {
    if (s.empty() || s.find_first_of("<secret>") != std::string::npos) continue;
    require(redacted.find(s) == std::string::npos, "no secret survives redaction");
  }
}

void fuzz_extraction(FuzzedDataProvider& in) {
  core::ProbeResult answer = fuzz::consume_result(in);
  const std::string path = in.ConsumeRandomLengthString(32);
  const std::string spec = in.ConsumeRandomLengthString(48);
  answer.body = in.ConsumeRemainingBytesAsString();

  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(answer.body, ec);
  if (!ec) (void)core::find_json_path(root, path);
  (void)core::is_json_path(path);

  std::string error;
  const auto extraction = core::parse_extraction("fuzzed", spec, error);
  if (!extraction) {
    require(!error.empty(), "a refused extract: spec has a message");
    return;
  }
  const core::ExtractOutcome out = core::extract(answer, *extraction);
  if (out.value) {
    require(out.failure.success && out.failure.reason == core::FailureReason::none,
            "an extracted value comes with no failure");
  } else {
    fuzz::check_verdict(out.failure, answer);
    require(out.failure.reason == core::FailureReason::extract,
            "a failed extract has reason extract");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  fuzz_template(in);
  fuzz_extraction(in);
  return 0;
}
