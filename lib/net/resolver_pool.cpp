#include "net/resolver_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace flywatch::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

/// One merged lookup: its callers' handlers and the latest of their deadlines.
struct ResolverPool::Pending {
  std::vector<Handler> handlers;
  std::atomic<Clock::rep> deadline{0};
};

/// What the workers share with the pool; outlives the pool while a worker still runs.
struct ResolverPool::Shared {
  struct Job {
    std::string key;
    std::string host;
    std::string port;
    std::shared_ptr<Pending> pending;
  };
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> jobs;
  bool stopped = false;
  Lookup lookup;
  // Set by the pool; called under `mutex` so that nothing is posted after the pool is gone.
  std::function<void(const std::string&, const boost::system::error_code&, Results)> deliver;

  void work() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [&] { return stopped || !jobs.empty(); });
      if (stopped) return;
      Job job = std::move(jobs.front());
      jobs.pop_front();
      boost::system::error_code ec;
      Results results;
      if (Clock::now().time_since_epoch().count() >= job.pending->deadline.load()) {
        ec = asio::error::operation_aborted;  // every caller has given up already
      } else {
        lock.unlock();
        results = lookup(job.host, job.port, ec);
        lock.lock();
        if (stopped) return;
      }
      deliver(job.key, ec, std::move(results));
    }
  }
};

ResolverPool::ResolverPool(asio::any_io_executor ex, std::size_t threads, Lookup lookup)
    : ex_(std::move(ex)), shared_(std::make_shared<Shared>()) {
  shared_->lookup = lookup ? std::move(lookup)
                           : [](const std::string& host, const std::string& port,
                                boost::system::error_code& ec) {
                               // Only the synchronous resolve is used; one context per thread.
                               thread_local asio::io_context io;
                               tcp::resolver resolver(io);
                               return resolver.resolve(host, port, tcp::resolver::numeric_service, ec);
                             };
  shared_->deliver = [this](const std::string& key, const boost::system::error_code& ec,
                            Results results) {
    // The pool may be gone by the time the loop runs this; the token tells.
    asio::post(ex_, [this, alive = std::weak_ptr<int>(alive_), key, ec,
                     results = std::move(results)]() mutable {
      if (!alive.expired()) complete(key, ec, std::move(results));
    });
  };
  for (std::size_t i = 0; i < threads; ++i) {
    // Detached: each holds `shared_` and ends when stopped, even after the pool is destroyed.
    std::thread([shared = shared_] { shared->work(); }).detach();
  }
}

ResolverPool::~ResolverPool() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopped = true;
    shared_->jobs.clear();
    shared_->deliver = nullptr;
  }
  shared_->wake.notify_all();
}

void ResolverPool::async_resolve(const std::string& host, const std::string& port,
                                 Clock::time_point deadline, Handler handler) {
  std::string key = host + '\n' + port;
  const auto d = deadline.time_since_epoch().count();
  auto it = pending_.find(key);
  if (it != pending_.end()) {
    auto& p = *it->second;
    p.handlers.push_back(std::move(handler));
    if (d > p.deadline.load()) p.deadline.store(d);
    return;
  }
  auto p = std::make_shared<Pending>();
  p->handlers.push_back(std::move(handler));
  p->deadline.store(d);
  pending_.emplace(key, p);
  {
    std::lock_guard lock(shared_->mutex);
    shared_->jobs.push_back({std::move(key), host, port, std::move(p)});
  }
  shared_->wake.notify_one();
}

void ResolverPool::complete(const std::string& key, const boost::system::error_code& ec,
                            Results results) {
  auto it = pending_.find(key);
  if (it == pending_.end()) return;
  auto pending = std::move(it->second);
  pending_.erase(it);
  for (auto& h : pending->handlers) h(ec, results);
}

}  // namespace flywatch::net
