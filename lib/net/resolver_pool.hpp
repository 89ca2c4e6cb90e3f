#pragma once
/// Name resolution for probes on a small pool of threads.
///
/// getaddrinfo blocks and cannot be interrupted. Asio's own async_resolve runs it on one
/// background thread per io_context, so lookups queue behind each other: with thousands of
/// targets, one slow DNS answer would make every other probe's resolve phase time out. This pool
/// runs several lookups at once, merges lookups of the same name that are already in flight, and
/// skips queued lookups whose every caller has given up (their deadline passed), so a dead name
/// server cannot build an ever-growing backlog.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace flywatch::net {

class ResolverPool {
 public:
  using Results = boost::asio::ip::tcp::resolver::results_type;
  using Handler = std::function<void(const boost::system::error_code&, Results)>;
  /// The blocking lookup run on a pool thread; getaddrinfo through Asio in production.
  using Lookup = std::function<Results(const std::string& host, const std::string& port,
                                       boost::system::error_code& ec)>;

  /// Starts `threads` worker threads that post results to `ex` (the prober's event loop).
  ResolverPool(boost::asio::any_io_executor ex, std::size_t threads, Lookup lookup = {});
  /// Returns at once: a worker blocked in getaddrinfo finishes on its own and posts nothing
  /// (a DNS outage must not delay shutdown). Handlers not yet run are dropped.
  ~ResolverPool();
  ResolverPool(const ResolverPool&) = delete;
  ResolverPool& operator=(const ResolverPool&) = delete;

  /// Resolves host:port (numeric port). `handler` runs on the pool's executor with the result,
  /// or with operation_aborted when the lookup was skipped because `deadline` (and that of every
  /// merged caller) had passed before a thread was free. Call from the executor's thread only.
  void async_resolve(const std::string& host, const std::string& port,
                     std::chrono::steady_clock::time_point deadline, Handler handler);

  /// Lookups merged into one in flight, for tests and diagnostics.
  std::size_t in_flight() const { return pending_.size(); }

 private:
  struct Shared;
  struct Pending;
  void complete(const std::string& key, const boost::system::error_code& ec, Results results);

  boost::asio::any_io_executor ex_;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::map<std::string, std::shared_ptr<Pending>> pending_;  // touched on ex_'s thread only
};

}  // namespace flywatch::net
