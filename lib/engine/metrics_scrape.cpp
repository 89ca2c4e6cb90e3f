#include "engine/metrics_scrape.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace flywatch::engine {

namespace asio = boost::asio;

asio::awaitable<std::string> render_metrics_in_steps(const metrics::Metrics& metrics,
                                                     std::size_t lines_per_step) {
  const auto executor = co_await asio::this_coro::executor;
  metrics::MetricsRender render = metrics.start_render();
  // post() queues this coroutine behind whatever is ready now: probes, timers, other scrapes.
  while (!render.step(lines_per_step)) co_await asio::post(executor, asio::use_awaitable);
  co_return render.take();
}

}  // namespace flywatch::engine
