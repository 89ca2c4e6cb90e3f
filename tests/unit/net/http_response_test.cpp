// Reading a response as the http(s) probe does (net/http_response.hpp), through Beast's read
// loop on a test stream that hands out a fixed number of bytes per read: every way TCP may
// split a response must give the same message.
#include "net/http_response.hpp"

#include <doctest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

namespace flywatch::net {
namespace {

namespace http = boost::beast::http;

// The response read from `wire` in reads of at most `read_size` bytes, skipping interim
// responses as the probe does; the error when there is one.
struct Read {
  boost::system::error_code error;
  core::ProbeResult result;
};

Read read_response(const std::string& wire, std::size_t read_size, std::size_t max_body = 1 << 20,
                   std::string_view method = "GET") {
  boost::asio::io_context ioc;
  boost::beast::test::stream server(ioc, wire);
  server.read_size(read_size);
  server.close_remote();  // EOF after the bytes, as when the server closes
  boost::beast::flat_buffer buffer;
  std::optional<ResponseParser> parser;
  Read out;
  do {
    start_response(parser, max_body, method);
    http::read(server, buffer, *parser, out.error);
  } while (!out.error && is_interim_response(parser->get().result_int()));
  if (!out.error) store_response(parser->release(), out.result);
  return out;
}

// Found by tests/fuzz/fuzz_http_response: with an empty chunked body, Beast 1.81's parser
// asserted `n >= 5` when the bytes after the last chunk's "0\r\n" arrived one at a time
// (boostorg/beast#2861), so a server could abort flywatch by splitting its answer there.
TEST_CASE("http_response: a chunked body read in any split, the last chunk alone included") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& body : {std::string("0\r\n\r\n"),
                                  std::string("0\r\nX-Trailer: y\r\n\r\n"),
                                  std::string("2\r\nok\r\n0\r\n\r\n")}) {
    for (std::size_t read_size = 1; read_size <= 8; ++read_size) {
      CAPTURE(body);
      CAPTURE(read_size);
      const Read r = read_response(head + body, read_size);
      REQUIRE_MESSAGE(!r.error, r.error.message());
      CHECK(r.result.http_status == 200);
      CHECK(r.result.body == (body.starts_with("2") ? "ok" : ""));
    }
  }
}

TEST_CASE("http_response: header names lower-cased in arrival order, interim answers skipped") {
  const Read r = read_response(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
      "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nX-B: 1\r\nx-a: 2\r\n"
      "Content-Length: 4\r\n\r\ngone",
      3);
  REQUIRE_MESSAGE(!r.error, r.error.message());
  CHECK(r.result.http_status == 404);
  using Headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(r.result.headers == Headers{{"content-type", "text/plain"},
                                    {"x-b", "1"},
                                    {"x-a", "2"},
                                    {"content-length", "4"}});
  CHECK(r.result.body == "gone");
}

TEST_CASE("http_response: the body cap, the header limit and HEAD") {
  const std::string twenty = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n01234567890123456789";
  CHECK(read_response(twenty, 16, 20).result.body.size() == 20);
  CHECK(read_response(twenty, 16, 19).error == http::error::body_limit);
  // After HEAD the Content-Length describes a body that is not sent.
  const Read head = read_response("HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n", 16, 1, "HEAD");
  REQUIRE_MESSAGE(!head.error, head.error.message());
  CHECK(head.result.body.empty());
  const std::string endless_header =
      "HTTP/1.1 200 OK\r\nX: " + std::string(response_header_limit, 'a') + "\r\n\r\n";
  CHECK(read_response(endless_header, 4096).error == http::error::header_limit);
}

TEST_CASE("http_response: 101 ends the exchange; other 1xx are interim") {
  CHECK(is_interim_response(100));
  CHECK(is_interim_response(103));
  CHECK(is_interim_response(199));
  CHECK_FALSE(is_interim_response(101));
  CHECK_FALSE(is_interim_response(200));
  CHECK_FALSE(is_interim_response(99));
}

}  // namespace
}  // namespace flywatch::net
