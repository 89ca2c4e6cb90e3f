#pragma once
/// The WebhookOutbox on a thread of its own (DESIGN §7: every append and ack is fsynced, and
/// fsync must never hold up the event loop that runs probes). Calls are queued to the worker
/// thread and run there one at a time; the calling coroutine resumes on its own executor with
/// the result. Without a thread (tests) calls run inline on the caller's thread.

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "alert/outbox.hpp"

namespace flywatch::alert {

class OutboxWorker {
 public:
  /// Takes the outbox. With `own_thread` every call runs on one dedicated thread; otherwise
  /// inline.
  OutboxWorker(std::unique_ptr<WebhookOutbox> outbox, bool own_thread);
  /// Finishes the calls already queued, then joins the thread.
  ~OutboxWorker();
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  /// Runs `f(outbox)` on the worker and completes `token` (by default: the awaiting coroutine)
  /// with its (non-void) result, on the token's associated executor (bind a plain callback to
  /// the io_context with bind_executor). `f` is copied: capture by value.
  template <class F, class Token = const boost::asio::use_awaitable_t<>&>
  auto run(F f, Token&& token = boost::asio::use_awaitable) {
    using R = std::invoke_result_t<F&, WebhookOutbox&>;
    static_assert(!std::is_void_v<R>, "return a value, e.g. the error_code");
    // A plain initiating function, not a coroutine: GCC 12 miscompiles closures that are
    // temporaries or parameters in coroutine frames (their strings are freed at a wrong address).
    return boost::asio::async_initiate<Token, void(R)>(
        [this](auto handler, std::function<R(WebhookOutbox&)> fn) {
          auto home = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                          boost::asio::execution::outstanding_work.tracked);
          auto job = [this, fn = std::move(fn), handler = std::move(handler),
                      home = std::move(home)]() mutable {
            R result = fn(*outbox_);
            boost::asio::post(home, [handler = std::move(handler),
                                     result = std::move(result)]() mutable {
              std::move(handler)(std::move(result));
            });
          };
          if (pool_) {
            boost::asio::post(*pool_, std::move(job));
          } else {
            job();
          }
        },
        token, std::function<R(WebhookOutbox&)>(std::move(f)));
  }

  /// Direct access, only while no call can be running (startup, tests).
  WebhookOutbox& outbox() { return *outbox_; }

 private:
  std::unique_ptr<WebhookOutbox> outbox_;
  std::optional<boost::asio::thread_pool> pool_;
};

}  // namespace flywatch::alert
