// The admin route table: what each path answers, for which methods (DESIGN §3's admin endpoint).
#include <doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "net/admin_routes.hpp"

using namespace flywatch;

namespace {

struct Fake {
  bool ready = false;
  int metrics_renders = 0;
  int reloads = 0;
  int page_renders = 0;
  std::string reload_error;  ///< empty: reloads succeed

  boost::asio::awaitable<std::string> metrics_text() {
    ++metrics_renders;
    co_return "flywatch_up 1\n";
  }
  static boost::asio::awaitable<std::string> status_json() {
    co_return R"({"targets":[],"apps":[]})";
  }
  boost::asio::awaitable<net::HtmlPage> status_page() {
    ++page_renders;
    co_return net::HtmlPage{"<!DOCTYPE html><p>page</p>\n", "default-src 'none'"};
  }

  net::AdminSources sources() {
    net::AdminSources s;
    s.metrics_text = [this] { return metrics_text(); };
    s.status_json = [] { return status_json(); };
    s.status_page = [this] { return status_page(); };
    s.ready = [this] { return ready; };
    s.reload = [this](std::string& error) {
      ++reloads;
      error = reload_error;
      return reload_error.empty();
    };
    return s;
  }
};

// Runs an answer to its end on a loop of its own.
net::AdminResponse run(boost::asio::awaitable<net::AdminResponse> answer) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, std::move(answer), boost::asio::use_future);
  io.run();
  return result.get();
}

net::AdminResponse ask(const net::AsyncAdminHandler& h, std::string method, std::string path) {
  return run(h(net::AdminRequest{std::move(method), std::move(path), "", ""}));
}

constexpr const char* plain = "text/plain; charset=utf-8";

void check_answer(const net::AdminResponse& r, unsigned status, std::string_view type,
                  std::string_view body) {
  CHECK(r.status == status);
  CHECK(r.content_type == type);
  CHECK(r.body == body);
}

}  // namespace

TEST_CASE("admin routes: GET and HEAD pages") {
  Fake fake;
  const auto h = net::make_admin_handler(fake.sources());
  for (const char* method : {"GET", "HEAD"}) {
    CAPTURE(method);
    check_answer(ask(h, method, "/metrics"), 200, "text/plain; version=0.0.4; charset=utf-8",
                 "flywatch_up 1\n");
    check_answer(ask(h, method, "/healthz"), 200, plain, "ok\n");
    check_answer(ask(h, method, "/api/v1/status"), 200, "application/json",
                 "{\"targets\":[],\"apps\":[]}\n");
  }
  CHECK(fake.metrics_renders == 2);
}

TEST_CASE("admin routes: /readyz is 503 until startup is done") {
  Fake fake;
  const auto h = net::make_admin_handler(fake.sources());
  check_answer(ask(h, "GET", "/readyz"), 503, plain, "not ready\n");
  fake.ready = true;
  check_answer(ask(h, "GET", "/readyz"), 200, plain, "ready\n");
}

TEST_CASE("admin routes: /-/reload takes POST only, answers other methods 405 Allow: POST") {
  Fake fake;
  const auto h = net::make_admin_handler(fake.sources());
  check_answer(ask(h, "POST", "/-/reload"), 200, plain, "reloaded\n");
  CHECK(fake.reloads == 1);
  for (const char* method : {"GET", "HEAD", "PUT", "DELETE"}) {
    CAPTURE(method);
    const auto answer = ask(h, method, "/-/reload");
    check_answer(answer, 405, plain, "use POST to reload\n");
    CHECK(answer.headers ==
          std::vector<std::pair<std::string, std::string>>{{"Allow", "POST"}});
  }
  CHECK(fake.reloads == 1);
  fake.reload_error = "config.yaml:3:1: unknown key";
  check_answer(ask(h, "POST", "/-/reload"), 500, plain, "config.yaml:3:1: unknown key\n");
}

TEST_CASE("admin routes: GET and HEAD / is the status page, uncached, under its CSP") {
  Fake fake;
  const auto h = net::make_admin_handler(fake.sources());
  for (const char* method : {"GET", "HEAD"}) {
    CAPTURE(method);
    const auto answer = ask(h, method, "/");
    check_answer(answer, 200, "text/html; charset=utf-8", "<!DOCTYPE html><p>page</p>\n");
    CHECK(answer.headers == std::vector<std::pair<std::string, std::string>>{
                                {"Cache-Control", "no-store"},
                                {"Content-Security-Policy", "default-src 'none'"},
                                {"X-Content-Type-Options", "nosniff"},
                                {"Referrer-Policy", "no-referrer"}});
  }
  CHECK(fake.page_renders == 2);
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    CAPTURE(method);
    check_answer(ask(h, method, "/"), 404, plain, "not found\n");
  }
  CHECK(fake.page_renders == 2);
}

TEST_CASE("admin routes: unknown paths, and known ones with another method, are 404") {
  Fake fake;
  const auto h = net::make_admin_handler(fake.sources());
  const std::vector<std::pair<const char*, const char*>> asked{
      {"GET", "/nope"},           {"POST", "/metrics"}, {"PUT", "/healthz"}, {"DELETE", "/readyz"},
      {"POST", "/api/v1/status"}, {"GET", "/metrics/"}, {"GET", ""}};
  for (const auto& [method, path] : asked) {
    CAPTURE(method);
    CAPTURE(path);
    check_answer(ask(h, method, path), 404, plain, "not found\n");
  }
  CHECK(fake.metrics_renders == 0);
}

TEST_CASE("admin routes: one table, first match wins") {
  Fake fake;
  const auto sources = fake.sources();
  const auto routes = net::admin_routes(sources);
  CHECK(routes.size() == 6);
  CHECK(run(net::route_request(routes, {"GET", "/healthz", "", ""})).body == "ok\n");
  const auto answer = [](unsigned status) {
    return [status](net::AdminRequest) -> boost::asio::awaitable<net::AdminResponse> {
      co_return net::AdminResponse{status, "", "", {}};
    };
  };
  const std::vector<net::AdminRoute> custom{{"/x", net::RouteMethods::read, answer(201)},
                                            {"/x", net::RouteMethods::any, answer(202)}};
  CHECK(run(net::route_request(custom, {"HEAD", "/x", "", ""})).status == 201);
  CHECK(run(net::route_request(custom, {"POST", "/x", "", ""})).status == 202);
  CHECK(run(net::route_request(custom, {"POST", "/y", "", ""})).status == 404);
}
