#pragma once
/// expect.assets' I/O: the same-origin scripts and stylesheets an HTML answer names
/// (core::find_page_assets decides which), fetched one after another under the page probe's
/// deadline.

#include <boost/asio/awaitable.hpp>

#include "core/probe_result.hpp"
#include "net/probe_dial.hpp"

namespace flywatch::net {

/// When `page` is a complete 2xx answer whose content-type is HTML: sets page.page_was_html
/// and GETs each asset (spec's endpoint, headers and TLS; max_asset_bytes per body) on a fresh
/// connection, recording each in page.assets, before `start + spec.timeout`. Otherwise
/// leaves `page` unchanged. The page is parsed on a worker thread, never on the event loop.
boost::asio::awaitable<void> fetch_page_assets(ProbeDialer& dialer, const ProbeSpec& spec,
                                               ProbeClock::time_point start,
                                               core::ProbeResult& page);

}  // namespace flywatch::net
