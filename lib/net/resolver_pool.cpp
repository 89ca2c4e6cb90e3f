#include "net/resolver_pool.hpp"

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

namespace flywatch::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

ResolverPool::ResolverPool(std::size_t threads, Lookup lookup)
    : lookup_(std::move(lookup)), pool_(threads) {
  if (!lookup_) {
    lookup_ = [this](const std::string& host, const std::string& port,
                     boost::system::error_code& ec) {
      // A resolver object per lookup: the synchronous call on a pool thread is the point.
      tcp::resolver resolver(pool_.get_executor());
      return resolver.resolve(host, port, tcp::resolver::numeric_service, ec);
    };
  }
}

ResolverPool::~ResolverPool() {
  pool_.stop();
  pool_.join();
}

void ResolverPool::async_resolve(std::string host, std::string port, asio::any_io_executor ex,
                                 Handler handler) {
  // Tracked work keeps the caller's io_context running until the result is delivered.
  auto work = asio::prefer(std::move(ex), asio::execution::outstanding_work.tracked);
  asio::post(pool_, [this, host = std::move(host), port = std::move(port), ex = std::move(work),
                     handler = std::move(handler)]() mutable {
    boost::system::error_code ec;
    Results results = lookup_(host, port, ec);
    asio::post(ex, [handler = std::move(handler), ec, results = std::move(results)]() mutable {
      handler(ec, std::move(results));
    });
  });
}

}  // namespace flywatch::net
