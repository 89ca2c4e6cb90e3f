#include "net/admin_server.hpp"

#include <chrono>
#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace flywatch::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto idle_timeout = std::chrono::seconds(30);
constexpr std::size_t max_connections = 64;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

struct AdminServer::State : std::enable_shared_from_this<AdminServer::State> {
  State(asio::io_context& io, AdminHandler h) : acceptor(io), handler(std::move(h)) {}
  tcp::acceptor acceptor;
  AdminHandler handler;
  std::list<std::weak_ptr<beast::tcp_stream>> connections;
  bool stopped = false;

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || stopped) co_return;
        // e.g. EMFILE: keep serving the connections we have, and don't spin the loop retrying.
        asio::steady_timer backoff(acceptor.get_executor(), std::chrono::milliseconds(100));
        co_await backoff.async_wait(use_tuple);
        continue;
      }
      connections.remove_if([](const auto& w) { return w.expired(); });
      if (connections.size() >= max_connections) {
        // Scrapers and operators need a handful; past that, a client is leaking connections
        // and must not take the descriptors probes need.
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      connections.push_back(stream);
      asio::co_spawn(acceptor.get_executor(), serve(stream), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<beast::tcp_stream> stream) {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(64 * 1024);
      stream->expires_after(idle_timeout);
      auto [ec, n] = co_await http::async_read(*stream, buffer, parser, use_tuple);
      if (ec) break;
      auto& req = parser.get();
      AdminRequest areq;
      areq.method = std::string(req.method_string());
      const std::string_view target = req.target();
      const auto q = target.find('?');
      areq.path = std::string(target.substr(0, q));
      if (q != std::string_view::npos) areq.query = std::string(target.substr(q + 1));

      AdminResponse aresp;
      try {
        aresp = handler(areq);
      } catch (const std::exception& e) {
        aresp = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
      }
      http::response<http::string_body> res{static_cast<http::status>(aresp.status), req.version()};
      res.set(http::field::server, "flywatch");
      res.set(http::field::content_type, aresp.content_type);
      res.set(http::field::cache_control, "no-store");
      res.keep_alive(req.keep_alive());
      if (req.method() != http::verb::head) res.body() = std::move(aresp.body);
      res.prepare_payload();
      stream->expires_after(idle_timeout);
      auto [wec, wn] = co_await http::async_write(*stream, res, use_tuple);
      if (wec || !res.keep_alive() || stopped) break;
    }
    beast::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream->close();
  }
};

AdminServer::AdminServer(asio::io_context& io, AdminHandler handler)
    : state_(std::make_shared<State>(io, std::move(handler))) {}

AdminServer::~AdminServer() { stop(); }

boost::system::error_code AdminServer::listen(const std::string& host, std::uint16_t port,
                                              std::string& step) {
  boost::system::error_code ec;
  tcp::resolver resolver(state_->acceptor.get_executor());
  step = "resolve";
  auto results = resolver.resolve(host, std::to_string(port),
                                  tcp::resolver::numeric_service | tcp::resolver::passive, ec);
  if (ec) return ec;
  if (results.empty()) return asio::error::host_not_found;
  const tcp::endpoint endpoint = results.begin()->endpoint();
  auto& acc = state_->acceptor;
  step = "open";
  acc.open(endpoint.protocol(), ec);
  if (ec) return ec;
  acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (endpoint.address().is_v6()) acc.set_option(asio::ip::v6_only(true), ec);
  step = "bind";
  acc.bind(endpoint, ec);
  if (ec) {
    acc.close();
    return ec;
  }
  step = "listen";
  acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acc.close();
    return ec;
  }
  asio::co_spawn(acc.get_executor(), state_->accept_loop(), asio::detached);
  return {};
}

std::uint16_t AdminServer::port() const {
  boost::system::error_code ec;
  auto ep = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void AdminServer::stop() {
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  for (auto& w : state_->connections) {
    if (auto s = w.lock()) s->socket().close(ec);
  }
  state_->connections.clear();
}

}  // namespace flywatch::net
