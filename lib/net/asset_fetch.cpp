#include "net/asset_fetch.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/html_assets.hpp"
#include "net/http_probe.hpp"
#include "net/worker_pool.hpp"

namespace flywatch::net {

namespace {

namespace asio = boost::asio;

}  // namespace

// GCC 12 reports a false -Wmismatched-new-delete on coroutine frames under ASan (Asio's
// awaitable_frame_base pairs its own operator new and delete; GCC mismatches them).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

boost::asio::awaitable<void> fetch_page_assets(ProbeDialer& dialer, const ProbeSpec& spec,
                                               ProbeClock::time_point start,
                                               core::ProbeResult& page) {
  if (!page.transport_ok() || page.http_status < 200 || page.http_status > 299) co_return;
  const auto type = std::find_if(page.headers.begin(), page.headers.end(),
                                 [](const auto& h) { return h.first == "content-type"; });
  if (type == page.headers.end() || !core::is_html_content_type(type->second)) co_return;
  page.page_was_html = true;

  const core::PageLocation where{spec.endpoint.scheme, spec.endpoint.host, spec.endpoint.port,
                                 spec.endpoint.target};
  const std::size_t max_assets = spec.max_assets;
  const core::PageAssets found = co_await asio::co_spawn(
      worker_pool(),
      // gumbo can take a few hundred ms on a hostile page, within find_page_assets' cap.
      [&page, &where, max_assets]() -> asio::awaitable<core::PageAssets> {
        co_return core::find_page_assets(page.body, where, max_assets);
      },
      asio::use_awaitable);
  ProbeSpec asset = spec;
  asset.method = "GET";
  asset.body.clear();
  asset.fetch_assets = false;
  asset.max_body_bytes = spec.max_asset_bytes;
  // Each asset's request is built for it (the page's prepared one is not its), on a connection
  // of its own: the page's kept connection (connection: reuse) stays the page's.
  asset.request.clear();
  asset.connection = core::ConnectionMode::fresh;
  asset.connection_key.clear();
  asset.connection_owner.clear();
  for (const std::string& target : found.targets) {
    asset.endpoint.target = target;
    core::ProbeResult got;
    co_await probe_http(dialer, asset, start, got);
    page.assets.push_back({target, got.http_status, got.transport_failure});
    // Past the deadline every further fetch would time out at once: say so once and stop.
    if (got.transport_failure == core::FailureReason::timeout) break;
  }
}

#pragma GCC diagnostic pop

}  // namespace flywatch::net
