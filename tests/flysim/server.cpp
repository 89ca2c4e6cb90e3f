#include "server.hpp"

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace flywatch::flysim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Wait polls the model this often: fine enough for tests' timing tolerances.
constexpr auto wait_poll = std::chrono::milliseconds(10);

asio::awaitable<void> serve(tcp::socket socket, Router& router) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    stream.expires_after(std::chrono::seconds(120));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) break;
    auto& req = parser.get();
    Request r{std::string(req.method_string()), std::string(req.target()),
              std::string(req[http::field::authorization]), req.body()};
    Reply reply = router.handle(r, now_epoch_ms());
    if (reply.wait) {
      stream.expires_never();
      asio::steady_timer timer(stream.get_executor());
      for (;;) {
        const auto now = now_epoch_ms();
        if (auto done = router.poll_wait(reply, now)) {
          reply = *done;
          break;
        }
        if (now >= reply.wait_deadline_ms) {
          reply = Router::wait_timeout(reply);
          break;
        }
        timer.expires_after(wait_poll);
        co_await timer.async_wait(use_tuple);
      }
    }
    http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
    res.set(http::field::server, "flysim");
    res.set(http::field::content_type, reply.content_type);
    res.set("fly-request-id", "flysim-" + std::to_string(now_epoch_ms()));
    res.keep_alive(req.keep_alive());
    res.body() = std::move(reply.body);
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(30));
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Router& router) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), router), asio::detached);
  }
}
}  // namespace

std::int64_t now_epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Server::Server(asio::io_context& io, Router& router, const std::string& host, std::uint16_t port)
    : acceptor_(io, tcp::endpoint(asio::ip::make_address(host), port)), router_(router) {}

std::uint16_t Server::port() const { return acceptor_.local_endpoint().port(); }

void Server::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(acceptor_, router_), asio::detached);
}

}  // namespace flywatch::flysim
