// net::HttpClient (production side) against loopback servers: the response as data, and each
// failed step as an error_code with its step label.
#include <doctest.h>

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>

#include "loopback_server.hpp"
#include "net/http_client.hpp"

namespace flywatch::testing {
namespace {

using namespace std::chrono_literals;

net::HttpResponse run_request(asio::io_context& ioc, net::HttpClient& client,
                              const net::HttpRequest& request) {
  std::optional<net::HttpResponse> out;
  asio::co_spawn(ioc, client.send(request), [&](std::exception_ptr e, net::HttpResponse r) {
    REQUIRE_FALSE(e);
    out = std::move(r);
  });
  const auto deadline = std::chrono::steady_clock::now() + request.timeout + 10s;
  while (!out && std::chrono::steady_clock::now() < deadline) ioc.run_one_for(100ms);
  REQUIRE(out.has_value());
  return std::move(*out);
}

net::HttpRequest request_to(std::string scheme, std::uint16_t port) {
  net::HttpRequest r;
  r.endpoint.scheme = std::move(scheme);
  r.endpoint.host = "127.0.0.1";
  r.endpoint.port = port;
  r.timeout = 5s;
  return r;
}

TEST_CASE("http client: a response with its status, headers and body; headers in order") {
  asio::io_context ioc;
  auto seen = std::make_shared<std::string>();
  LoopbackServer server(ioc, "127.0.0.1",
                        answer(http_response(503, "Unavailable", "application/json", "{}"), {}, seen));
  auto client = net::make_http_client();
  auto req = request_to("http", server.port());
  req.method = "POST";
  req.target = "/hook?x=1";
  req.endpoint.target = "/not-sent";
  req.headers = {{"Content-Type", "application/json"}, {"webhook-id", "msg_1"}};
  req.endpoint.headers = {{"X-Team", "sre"}};
  req.body = R"({"a":1})";

  const auto r = run_request(ioc, *client, req);
  REQUIRE_MESSAGE(r.ok(), r.message);
  CHECK(r.step.empty());
  CHECK(r.status == 503);
  CHECK(r.body == "{}");
  REQUIRE(r.header("content-type") != nullptr);
  CHECK(*r.header("content-type") == "application/json");
  CHECK(r.total > 0ns);
  CHECK(seen->rfind("POST /hook?x=1 HTTP/1.1\r\n", 0) == 0);
  const auto type = seen->find("Content-Type: application/json\r\n");
  const auto id = seen->find("webhook-id: msg_1\r\n");
  const auto team = seen->find("X-Team: sre\r\n");
  REQUIRE(team != std::string::npos);
  CHECK(type < id);
  CHECK(id < team);
  CHECK(seen->ends_with(R"({"a":1})"));
}

TEST_CASE("http client: https verified against the endpoint's ca_file") {
  asio::io_context ioc;
  auto tls = server_context(test_pki().good);
  LoopbackServer server(ioc, "127.0.0.1",
                        answer(http_response(200, "OK", "text/plain", "fine")), tls.get());
  auto client = net::make_http_client();
  auto req = request_to("https", server.port());
  req.endpoint.host = "localhost";
  req.endpoint.tls.ca_file = test_pki().ca_file;
  auto r = run_request(ioc, *client, req);
  REQUIRE_MESSAGE(r.ok(), r.message);
  CHECK(r.body == "fine");

  req.endpoint.tls.server_name = "wrong.example";
  r = run_request(ioc, *client, req);
  CHECK(r.error == net::HttpError::tls_failed);
  CHECK(r.step == "tls");
  CHECK(r.message == "tls: certificate verify failed: hostname mismatch");
}

TEST_CASE("http client: each failed step has its error and label") {
  asio::io_context ioc;
  auto client = net::make_http_client();

  const auto port = closed_port();
  auto r = run_request(ioc, *client, request_to("http", port));
  CHECK(r.error == net::HttpError::connect_failed);
  CHECK(r.step == "connect");
  CHECK(r.message.rfind("connect: 127.0.0.1:" + std::to_string(port) + ": ", 0) == 0);
  CHECK(r.status == 0);

  LoopbackServer stall(ioc, "127.0.0.1",
                       [](ServerConn& conn) -> asio::awaitable<void> { co_await conn.sleep(60s); });
  auto req = request_to("http", stall.port());
  req.timeout = 300ms;
  r = run_request(ioc, *client, req);
  CHECK(r.error == net::HttpError::timed_out);
  CHECK(r.step == "timeout");
  CHECK(r.total >= 299ms);

  LoopbackServer big(ioc, "127.0.0.1",
                     answer(http_response(200, "OK", "text/plain", std::string(4096, 'x'))));
  req = request_to("http", big.port());
  req.max_body_bytes = 100;
  r = run_request(ioc, *client, req);
  CHECK(r.error == net::HttpError::too_large);
  CHECK(r.step == "read");

  LoopbackServer reset(ioc, "127.0.0.1", [](ServerConn& conn) -> asio::awaitable<void> {
    co_await conn.read_request();
    conn.reset();
  });
  r = run_request(ioc, *client, request_to("http", reset.port()));
  CHECK(r.error == net::HttpError::read_failed);
  CHECK(r.step == "read");

  req = request_to("http", big.port());
  req.headers = {{"X-Evil", "a\r\nHost: elsewhere"}};
  r = run_request(ioc, *client, req);
  CHECK(r.error == net::HttpError::write_failed);
  CHECK(r.step == "write");
  r = run_request(ioc, *client, request_to("tcp", big.port()));
  CHECK(r.error == net::HttpError::write_failed);
}

}  // namespace
}  // namespace flywatch::testing
