#include "net/connection_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <openssl/ssl.h>

#include "net/probe_dial.hpp"

namespace flywatch::net {

namespace {

// How often put() looks for idle connections past their age: rarely, since a take checks the
// age anyway; the sweep only bounds how long a key nobody probes any more keeps its socket.
constexpr std::chrono::seconds sweep_every{30};

}  // namespace

PooledConnection::PooledConnection() = default;
PooledConnection::~PooledConnection() {
  // The TLS stream refers to conn->socket: it goes first (member order does that too).
  tls.reset();
  if (conn) {
    boost::system::error_code ignored;
    conn->socket.close(ignored);
  }
}
PooledConnection::PooledConnection(PooledConnection&&) noexcept = default;
PooledConnection& PooledConnection::operator=(PooledConnection&&) noexcept = default;

bool idle_and_open(boost::asio::ip::tcp::socket& socket) {
  if (!socket.is_open()) return false;
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  // Nothing to read: alive and idle. 0: EOF. > 0: bytes nobody asked for (a close_notify, a
  // stray response). < 0 otherwise: a reset or another error.
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

std::unique_ptr<PooledConnection> ConnectionPool::take(const std::string& key,
                                                       Clock::time_point now) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  std::unique_ptr<PooledConnection> c = std::move(it->second);
  idle_.erase(it);
  if (!c->conn || c->conn->timed_out || !c->kept.usable_at(now)) return nullptr;
  if (c->tls && SSL_pending(c->tls->native_handle()) > 0) return nullptr;
  if (!idle_and_open(c->conn->socket)) return nullptr;
  return c;
}

void ConnectionPool::put(const std::string& key, std::unique_ptr<PooledConnection> c,
                         Clock::time_point now) {
  if (now >= next_sweep_) sweep(now);
  idle_[key] = std::move(c);
}

void ConnectionPool::retain(const std::set<std::string, std::less<>>& owners) {
  std::erase_if(idle_, [&](const auto& kv) { return !owners.contains(kv.second->owner); });
}

void ConnectionPool::sweep(Clock::time_point now) {
  next_sweep_ = now + sweep_every;
  std::erase_if(idle_, [&](const auto& kv) { return !kv.second->kept.usable_at(now); });
}

}  // namespace flywatch::net
