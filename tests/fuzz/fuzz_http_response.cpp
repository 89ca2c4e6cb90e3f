// Fuzzer: what the http(s) probe does with the bytes a server sends (lib/net http_response, as
// http_probe.cpp uses it): Beast's response parser with the probe's limits, interim responses
// skipped, the final message stored in a ProbeResult, then evaluated against a target's
// expectations. The input is the server's bytes; its last few bytes choose the request method,
// the body cap, how the bytes are split into reads and which target's expect: applies (targets
// loaded once through the real config loader). Properties: no crash; a body never over the cap
// and none after HEAD; a well-formed verdict (fuzz::check_verdict).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <fuzzer/FuzzedDataProvider.h>

#include "config/config.hpp"
#include "core/expectation.hpp"
#include "expect_input.hpp"
#include "fuzz_check.hpp"
#include "net/http_response.hpp"

namespace {

namespace asio = boost::asio;

// The server's side of the connection: hands out `bytes` a few at a time, then EOF (the
// server closed). A SyncReadStream, so Beast's own read loop drives the parser.
class WireStream {
 public:
  WireStream(std::string_view bytes, std::uint32_t seed, std::size_t max_read)
      : bytes_(bytes), sizes_(seed), max_read_(max_read) {}

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
    if (bytes_.empty()) {
      ec = asio::error::eof;
      return 0;
    }
    ec = {};
    const std::size_t want = std::uniform_int_distribution<std::size_t>(1, max_read_)(sizes_);
    const std::size_t n = asio::buffer_copy(
        buffers, asio::buffer(bytes_.data(), std::min(want, bytes_.size())));
    bytes_.remove_prefix(n);
    return n;
  }

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    boost::system::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view bytes_;
  std::minstd_rand sizes_;
  std::size_t max_read_;
};

// Targets as Medio's config writes them: each `expect:` is one the fuzzer may apply.
constexpr const char* targets_yaml = R"(targets:
  - name: backend
    url: https://medio-backend.fly.dev/
    expect:
      status: [200]
      body_json: {status: ok, database: connected, checks.0.ok: true}
      body_regex: '"timestamp":"\d{4}-'
      headers: {content-type: 'application/json.*'}
      max_latency: 2s
  - name: front
    url: https://medio-react-app.fly.dev/
    expect:
      body_regex: '<div id="root">'
      headers: {content-type: 'text/html.*', cache-control: '.*no-cache.*'}
      assets: true
  - name: login
    url: https://medio-backend.fly.dev/api/auth/login
    expect:
      status: [200, 204]
      cookies:
        seen: {}
        medio_session:
          {http_only: true, secure: true, same_site: lax, path: /, max_age: {min: 1h, max: 30d}}
      cors: {origin: "https://medio-react-app.fly.dev", credentials: true}
  - name: redirect
    url: http://medio.example.test/old
    expect: {status: [301, 302, 308], headers: {location: 'https://.*'}}
  - name: plain
    url: http://medio.example.test/health
)";

const std::vector<flywatch::config::Target>& targets() {
  static const auto loaded = flywatch::config::parse_config(
      targets_yaml, "fuzz_http_response.yaml",
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  return loaded.targets;
}

constexpr std::array<std::string_view, 4> methods = {"GET", "HEAD", "POST", "OPTIONS"};
constexpr std::array<std::size_t, 4> body_caps = {1 << 20, 1024, 16, 1};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flywatch;
  FuzzedDataProvider in(data, size);
  // Integers come off the end of the input, so a seed that is a whole response stays one.
  const std::string_view method = in.PickValueInArray(methods);
  const std::size_t max_body = in.PickValueInArray(body_caps);
  const std::uint32_t read_seed = in.ConsumeIntegral<std::uint32_t>();
  const std::size_t max_read = in.ConsumeBool() ? 16 * 1024 : in.ConsumeIntegralInRange(1, 64);
  const auto& all = targets();
  const config::Target& target = all[in.ConsumeIntegralInRange<std::size_t>(0, all.size() - 1)];
  const auto now = fuzz::consume_now(in);
  const std::string wire = in.ConsumeRemainingBytesAsString();

  WireStream stream(wire, read_seed, max_read);
  boost::beast::flat_buffer buffer;
  std::optional<net::ResponseParser> parser;
  boost::system::error_code ec;
  do {
    net::start_response(parser, max_body, method);
    boost::beast::http::read(stream, buffer, *parser, ec);
  } while (!ec && net::is_interim_response(parser->get().result_int()));
  if (ec) return 0;  // the probe fails with too_large or protocol: nothing to evaluate

  core::ProbeResult result;
  net::store_response(parser->release(), result);
  fuzz::require(result.body.size() <= max_body, "the body is within the cap");
  fuzz::require(method != "HEAD" || result.body.empty(), "no body after HEAD");
  fuzz::require(result.http_status >= 0 && result.http_status <= 999, "a three-digit status");
  fuzz::require(!net::is_interim_response(result.http_status), "the final response is not 1xx");
  fuzz::check_verdict(core::evaluate(result, target.expect, now), result);
  return 0;
}
