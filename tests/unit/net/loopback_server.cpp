#include "loopback_server.hpp"

#include <algorithm>
#include <cctype>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <doctest.h>

namespace flywatch::testing {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr auto as_values = asio::as_tuple(asio::use_awaitable);
}

ServerConn::ServerConn(tcp::socket socket, ssl::context* tls) : socket_(std::move(socket)) {
  if (tls != nullptr) tls_.emplace(socket_, *tls);
}

asio::awaitable<bool> ServerConn::handshake() {
  if (!tls_) co_return true;
  auto [ec] = co_await tls_->async_handshake(ssl::stream_base::server, as_values);
  tls_up_ = !ec;
  co_return tls_up_;
}

asio::awaitable<std::optional<std::string>> ServerConn::read_request() {
  std::string data;
  auto buffer = asio::dynamic_buffer(data);
  error_code ec;
  std::size_t head = 0;
  if (tls_up_) {
    std::tie(ec, head) = co_await asio::async_read_until(*tls_, buffer, "\r\n\r\n", as_values);
  } else {
    std::tie(ec, head) = co_await asio::async_read_until(socket_, buffer, "\r\n\r\n", as_values);
  }
  if (ec) co_return std::nullopt;
  std::string lower = data.substr(0, head);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::size_t length = 0;
  if (auto pos = lower.find("\r\ncontent-length:"); pos != std::string::npos) {
    length = std::stoul(lower.substr(pos + 17));
  }
  if (data.size() < head + length) {
    const std::size_t missing = head + length - data.size();
    std::size_t n = 0;
    if (tls_up_) {
      std::tie(ec, n) = co_await asio::async_read(*tls_, buffer, asio::transfer_exactly(missing),
                                                  as_values);
    } else {
      std::tie(ec, n) = co_await asio::async_read(socket_, buffer,
                                                  asio::transfer_exactly(missing), as_values);
    }
    if (ec) co_return std::nullopt;
  }
  co_return data;
}

asio::awaitable<std::optional<std::string>> ServerConn::read_line() {
  std::string data;
  auto [ec, n] = co_await asio::async_read_until(socket_, asio::dynamic_buffer(data), "\n", as_values);
  if (ec) co_return std::nullopt;
  data.resize(n);
  co_return data;
}

asio::awaitable<bool> ServerConn::write(std::string_view bytes) {
  error_code ec;
  std::size_t n = 0;
  if (tls_up_) {
    std::tie(ec, n) = co_await asio::async_write(*tls_, asio::buffer(bytes), as_values);
  } else {
    std::tie(ec, n) = co_await asio::async_write(socket_, asio::buffer(bytes), as_values);
  }
  co_return !ec;
}

asio::awaitable<void> ServerConn::close_gracefully() {
  if (tls_up_) co_await tls_->async_shutdown(as_values);
  close();
}

void ServerConn::reset() {
  error_code ignored;
  socket_.set_option(asio::socket_base::linger(true, 0), ignored);
  socket_.close(ignored);
}

void ServerConn::close() {
  error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<void> ServerConn::sleep(std::chrono::milliseconds d) {
  asio::steady_timer timer(socket_.get_executor(), d);
  co_await timer.async_wait(as_values);
}

struct LoopbackServer::State {
  State(asio::io_context& ioc, Handler h, ssl::context* t)
      : acceptor(ioc), handler(std::move(h)), tls(t) {}
  tcp::acceptor acceptor;
  Handler handler;
  ssl::context* tls;
  int accepted = 0;
};

namespace {

asio::awaitable<void> serve(std::shared_ptr<LoopbackServer::State> state, tcp::socket socket);

}  // namespace

LoopbackServer::LoopbackServer(asio::io_context& ioc, const std::string& address,
                               Handler handler, ssl::context* tls)
    : state_(std::make_shared<State>(ioc, std::move(handler), tls)) {
  const tcp::endpoint ep(asio::ip::make_address(address), 0);
  state_->acceptor.open(ep.protocol());
  state_->acceptor.bind(ep);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  asio::co_spawn(
      ioc,
      [state = state_]() -> asio::awaitable<void> {
        for (;;) {
          auto [ec, socket] = co_await state->acceptor.async_accept(as_values);
          if (ec) co_return;
          ++state->accepted;
          asio::co_spawn(state->acceptor.get_executor(), serve(state, std::move(socket)),
                         asio::detached);
        }
      },
      asio::detached);
}

LoopbackServer::~LoopbackServer() {
  error_code ignored;
  state_->acceptor.close(ignored);
}

int LoopbackServer::accepted() const { return state_->accepted; }

namespace {

asio::awaitable<void> serve(std::shared_ptr<LoopbackServer::State> state, tcp::socket socket) {
  ServerConn conn(std::move(socket), state->tls);
  co_await state->handler(conn);
}

}  // namespace

std::unique_ptr<ssl::context> server_context(const TestLeaf& leaf) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->use_certificate_chain_file(leaf.cert_file);
  ctx->use_private_key_file(leaf.key_file, ssl::context::pem);
  return ctx;
}

std::string http_response(int status, std::string_view reason, std::string_view content_type,
                          std::string_view body) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "X-Test: yes\r\nConnection: close\r\n\r\n";
  out += body;
  return out;
}

Handler answer(std::string response, std::chrono::milliseconds delay,
               std::shared_ptr<std::string> seen) {
  return [response = std::move(response), delay,
          seen = std::move(seen)](ServerConn& conn) -> asio::awaitable<void> {
    if (!co_await conn.handshake()) co_return;
    auto request = co_await conn.read_request();
    if (!request) co_return;
    if (seen) *seen = *request;
    if (delay.count() > 0) co_await conn.sleep(delay);
    if (co_await conn.write(response)) co_await conn.close_gracefully();
  };
}

std::vector<core::ProbeResult> run_probes(asio::io_context& ioc, net::Prober& prober,
                                          const std::vector<net::ProbeSpec>& specs) {
  std::vector<std::optional<core::ProbeResult>> results(specs.size());
  std::size_t done = 0;
  std::chrono::milliseconds longest{0};
  for (std::size_t i = 0; i < specs.size(); ++i) {
    longest = std::max(longest, specs[i].timeout);
    asio::co_spawn(ioc, prober.probe(specs[i]),
                   [&results, &done, i](std::exception_ptr e, core::ProbeResult r) {
                     CHECK_MESSAGE(!e, "probe() threw");
                     results[i] = std::move(r);
                     ++done;
                   });
  }
  const auto limit = std::chrono::steady_clock::now() + longest + std::chrono::seconds(10);
  while (done < specs.size() && std::chrono::steady_clock::now() < limit) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(std::chrono::milliseconds(100));
  }
  REQUIRE_MESSAGE(done == specs.size(), "a probe did not complete: hung coroutine");
  std::vector<core::ProbeResult> out;
  out.reserve(results.size());
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

core::ProbeResult run_probe(asio::io_context& ioc, net::Prober& prober,
                            const net::ProbeSpec& spec) {
  return std::move(run_probes(ioc, prober, {spec}).front());
}

std::uint16_t closed_port() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

}  // namespace flywatch::testing
