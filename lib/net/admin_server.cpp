#include "net/admin_server.hpp"

#include <array>
#include <chrono>
#include <unordered_map>

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
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/admin_tls.hpp"

namespace flywatch::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {
constexpr std::size_t header_limit = 16 * 1024;
constexpr std::size_t body_limit = 64 * 1024;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using core::ConnectionPhase;
using Clock = std::chrono::steady_clock;
}  // namespace

struct AdminServer::State : std::enable_shared_from_this<AdminServer::State> {
  State(asio::io_context& io, AsyncAdminHandler h, core::ConnectionLimits limits)
      : acceptor(io), handler(std::move(h)), slots(limits) {}
  tcp::acceptor acceptor;
  AsyncAdminHandler handler;
  AdminAuthenticator authenticate;  ///< empty: every request goes to the handler
  core::ConnectionSlots slots;
  std::shared_ptr<ssl::context> tls;  ///< set: every connection is TLS
  std::unordered_map<core::ConnectionSlots::Id, std::weak_ptr<beast::tcp_stream>> connections;
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
      // Clients that hold connections without finishing a request must not lock scrapers
      // and health checks out: at the cap the one idle longest makes room for the newcomer.
      const auto admission = slots.admit(Clock::now());
      if (admission.shed) close_connection(*admission.shed);
      if (!admission.admitted) {
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      if (tls) {
        auto stream = std::make_shared<TlsStream>(std::move(socket), *tls);
        // The map holds the TCP layer, sharing ownership with the TLS stream around it.
        connections.emplace(admission.id,
                            std::shared_ptr<beast::tcp_stream>(stream, &stream->next_layer()));
        asio::co_spawn(acceptor.get_executor(), serve_tls(stream, admission.id), asio::detached);
      } else {
        auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
        connections.emplace(admission.id, stream);
        asio::co_spawn(acceptor.get_executor(), serve(stream, admission.id), asio::detached);
      }
    }
  }

  void close_connection(core::ConnectionSlots::Id id) {
    const auto it = connections.find(id);
    if (it == connections.end()) return;
    // Its pending read or write completes with operation_aborted and serve() ends.
    if (auto s = it->second.lock()) s->close();
    connections.erase(it);
  }

  /// Moves `id` to `phase` from now and arms the stream with that phase's deadline; false when
  /// the connection was shed meanwhile (serve() then stops).
  bool enter(beast::tcp_stream& stream, core::ConnectionSlots::Id id, ConnectionPhase phase) {
    if (stopped || !slots.enter(id, phase, Clock::now())) return false;
    stream.expires_at(*slots.deadline(id));
    return true;
  }

  /// The handshake happens in phase `head`, under the deadline of the first request's head:
  /// a client that never finishes it is dropped like one that never finishes a request.
  asio::awaitable<void> serve_tls(std::shared_ptr<TlsStream> stream, core::ConnectionSlots::Id id) {
    auto self = shared_from_this();
    auto& tcp_layer = stream->next_layer();
    if (const auto d = slots.deadline(id)) tcp_layer.expires_at(*d);
    auto [ec] = co_await stream->async_handshake(ssl::stream_base::server, use_tuple);
    if (ec) {
      finish(tcp_layer, id);
      co_return;
    }
    co_await serve(stream, id);
  }

  void finish(beast::tcp_stream& tcp_layer, core::ConnectionSlots::Id id) {
    beast::error_code ignored;
    tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcp_layer.close();
    slots.release(id);
    connections.erase(id);
  }

  template <class Stream>
  asio::awaitable<void> serve(std::shared_ptr<Stream> stream_ptr, core::ConnectionSlots::Id id) {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    // `stream` reads and writes (TLS or not); `lowest` holds the socket and its deadline.
    Stream* stream = stream_ptr.get();
    beast::tcp_stream& lowest = beast::get_lowest_layer(*stream);
    // A new connection is in phase `head` since its admission: it has head_timeout in all.
    if (const auto d = slots.deadline(id)) lowest.expires_at(*d);
    bool first = true;
    for (;;) {
      if (!first && buffer.size() == 0) {
        // Keep-alive: idle until the next request's first byte, then the head's own deadline.
        if (!enter(lowest, id, ConnectionPhase::idle)) break;
        auto [ec, n] = co_await stream->async_read_some(buffer.prepare(4096), use_tuple);
        if (ec) break;
        buffer.commit(n);
        if (!enter(lowest, id, ConnectionPhase::head)) break;
      } else if (!first && !enter(lowest, id, ConnectionPhase::head)) {
        break;  // a pipelined request: its head is already arriving
      }
      first = false;
      http::request_parser<http::string_body> parser;
      parser.header_limit(header_limit);
      parser.body_limit(body_limit);
      auto [hec, hn] = co_await http::async_read_header(*stream, buffer, parser, use_tuple);
      if (hec == http::error::header_limit) {
        co_await refuse(*stream, lowest, id, http::status::request_header_fields_too_large);
        break;
      }
      if (hec == http::error::body_limit) {  // a Content-Length over the limit, seen in the head
        co_await refuse(*stream, lowest, id, http::status::payload_too_large);
        break;
      }
      if (hec) break;
      if (!parser.is_done()) {
        if (!enter(lowest, id, ConnectionPhase::body)) break;
        auto [bec, bn] = co_await http::async_read(*stream, buffer, parser, use_tuple);
        if (bec == http::error::body_limit) {
          co_await refuse(*stream, lowest, id, http::status::payload_too_large);
          break;
        }
        if (bec) break;
      }
      if (!enter(lowest, id, ConnectionPhase::responding)) break;
      auto& req = parser.get();
      AdminRequest areq;
      areq.method = std::string(req.method_string());
      const std::string_view target = req.target();
      const auto q = target.find('?');
      areq.path = std::string(target.substr(0, q));
      if (q != std::string_view::npos) areq.query = std::string(target.substr(q + 1));
      areq.authorization = std::string(req[http::field::authorization]);

      AdminResponse aresp;
      try {
        const bool allowed = !authenticate || co_await authenticate(areq.authorization);
        if (allowed) {
          aresp = co_await handler(std::move(areq));
        } else {
          aresp = unauthorized_response();
        }
      } catch (const std::exception& e) {
        aresp = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n", {}};
      }
      http::response<http::string_body> res{static_cast<http::status>(aresp.status), req.version()};
      res.set(http::field::server, "flywatch");
      res.set(http::field::content_type, aresp.content_type);
      res.set(http::field::cache_control, "no-store");
      for (const auto& [name, value] : aresp.headers) res.set(name, value);
      res.keep_alive(req.keep_alive());
      if (req.method() != http::verb::head) res.body() = std::move(aresp.body);
      res.prepare_payload();
      // The handler may have run long (a large /metrics): the write gets the full deadline.
      if (!enter(lowest, id, ConnectionPhase::responding)) break;
      auto [wec, wn] = co_await http::async_write(*stream, res, use_tuple);
      if (wec || !res.keep_alive() || stopped) break;
    }
    finish(lowest, id);
  }

  /// Answers `status` with Connection: close, then discards what the client still sends for
  /// at most linger_timeout: closing with unread data would reset the connection and could
  /// destroy the answer before the client reads it.
  template <class Stream>
  asio::awaitable<void> refuse(Stream& stream, beast::tcp_stream& lowest,
                               core::ConnectionSlots::Id id, http::status status) {
    if (!enter(lowest, id, ConnectionPhase::responding)) co_return;
    http::response<http::string_body> res{status, 11};
    res.set(http::field::server, "flywatch");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::string(http::obsolete_reason(status)) + "\n";
    res.keep_alive(false);
    res.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !enter(lowest, id, ConnectionPhase::lingering)) co_return;
    beast::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 16 * 1024> sink;
    for (;;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
      if (ec) co_return;
    }
  }
};

AdminResponse unauthorized_response() {
  AdminResponse r{401, "text/plain; charset=utf-8", "Unauthorized\n", {}};
  r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"flywatch\"");
  return r;
}

void AdminServer::set_authenticator(AdminAuthenticator authenticate) {
  state_->authenticate = std::move(authenticate);
}

AdminServer::AdminServer(asio::io_context& io, AsyncAdminHandler handler,
                         core::ConnectionLimits limits)
    : state_(std::make_shared<State>(io, std::move(handler), limits)) {}

namespace {
asio::awaitable<AdminResponse> answer_now(std::shared_ptr<const AdminHandler> h, AdminRequest r) {
  co_return (*h)(r);
}
}  // namespace

AdminServer::AdminServer(asio::io_context& io, AdminHandler handler, core::ConnectionLimits limits)
    : AdminServer(io,
                  [h = std::make_shared<const AdminHandler>(std::move(handler))](AdminRequest r) {
                    return answer_now(h, std::move(r));
                  },
                  limits) {}

AdminServer::~AdminServer() { stop(); }

std::optional<std::string> AdminServer::use_tls(const core::WebTlsConfig& tls) {
  std::string error;
  auto ctx = make_admin_tls_context(tls, error);
  if (!ctx) return error;
  state_->tls = std::move(ctx);
  return std::nullopt;
}

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
  for (auto& [id, w] : state_->connections) {
    if (auto s = w.lock()) s->socket().close(ec);
  }
  state_->connections.clear();
  state_->slots.clear();
}

}  // namespace flywatch::net
