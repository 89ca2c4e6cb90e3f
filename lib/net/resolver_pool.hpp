#pragma once
/// Name resolution for probes on a small pool of threads.
///
/// getaddrinfo blocks and cannot be interrupted. Asio's own async_resolve runs it on one
/// background thread per io_context, so lookups queue behind each other: with thousands of
/// targets, one slow DNS answer would make every other probe's resolve phase time out. A fixed
/// pool (not a thread per target) runs several lookups at once and posts each result back to
/// the prober's executor.

#include <cstddef>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/error_code.hpp>

namespace flywatch::net {

class ResolverPool {
 public:
  using Results = boost::asio::ip::tcp::resolver::results_type;
  using Handler = std::function<void(const boost::system::error_code&, Results)>;
  /// The blocking lookup run on a pool thread; getaddrinfo through Asio in production.
  using Lookup = std::function<Results(const std::string& host, const std::string& port,
                                       boost::system::error_code& ec)>;

  explicit ResolverPool(std::size_t threads, Lookup lookup = {});
  /// Waits for lookups in progress (getaddrinfo cannot be cancelled); their handlers are posted
  /// to their executors, which may already be stopped.
  ~ResolverPool();
  ResolverPool(const ResolverPool&) = delete;
  ResolverPool& operator=(const ResolverPool&) = delete;

  /// Resolves host:port (numeric port) on a pool thread; `handler` runs on `ex`.
  void async_resolve(std::string host, std::string port, boost::asio::any_io_executor ex,
                     Handler handler);

 private:
  Lookup lookup_;
  boost::asio::thread_pool pool_;
};

}  // namespace flywatch::net
