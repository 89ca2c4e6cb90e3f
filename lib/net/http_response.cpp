#include "net/http_response.hpp"

#include <iterator>
#include <string>
#include <utility>

#include "core/ascii.hpp"

namespace flywatch::net {

ResponseParser& start_response(std::optional<ResponseParser>& parser, std::size_t max_body_bytes,
                               std::string_view method) {
  parser.emplace();
  parser->body_limit(static_cast<std::uint64_t>(max_body_bytes));
  parser->header_limit(response_header_limit);
  if (method == "HEAD") parser->skip(true);
  return *parser;
}

bool is_interim_response(int status) { return status >= 100 && status < 200 && status != 101; }

void store_response(ResponseParser::value_type&& message, core::ProbeResult& result) {
  result.http_status = message.result_int();
  result.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    result.headers.emplace_back(core::ascii_lower(field.name_string()), std::string(field.value()));
  }
  result.body = std::move(message.body());
}

}  // namespace flywatch::net
