#pragma once
/// flywatch's admin routes, each a free handler (request → response), in one route table: the
/// request_handler of Asio's HTTP server example. AdminServer (admin_server.hpp) only speaks
/// HTTP; what is answered is decided here, from what the daemon supplies (AdminSources).
///
///   GET|HEAD /metrics         200 Prometheus text
///   GET|HEAD /healthz         200 "ok"
///   GET|HEAD /readyz          200 "ready", or 503 "not ready" until startup is done
///   GET|HEAD /api/v1/status   200 the status document (JSON)
///   POST /-/reload            200 "reloaded", or 500 with the error; other methods 405
///   GET|HEAD /                200 the status page (HTML, not cached, under its own CSP)
///   anything else             404 "not found" (a known path with another method too)

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "net/admin_server.hpp"

namespace flywatch::net {

/// An HTML page and the Content-Security-Policy it is to be served under.
struct HtmlPage {
  std::string html;
  std::string content_security_policy;
};

/// What the admin handlers read and do; supplied by the daemon, called on its event loop.
struct AdminSources {
  /// The Prometheus exposition, freshly rendered; it may suspend between steps of the render
  /// so the loop keeps running (engine/metrics_scrape.hpp).
  std::function<boost::asio::awaitable<std::string>()> metrics_text;
  /// The /api/v1/status document, no final newline; it may suspend like metrics_text.
  std::function<boost::asio::awaitable<std::string>()> status_json;
  /// The status page, freshly rendered; it may suspend like metrics_text.
  std::function<boost::asio::awaitable<HtmlPage>()> status_page;
  std::function<bool()> ready;                ///< whether startup is done
  /// Reloads the config; false with `error` set when the new config was refused.
  std::function<bool(std::string& error)> reload;
};

/// The methods a route answers; for any other the route table goes on looking (and so answers
/// 404 unless another route takes it).
enum class RouteMethods {
  read,  ///< GET and HEAD (AdminServer leaves out the body of a HEAD answer)
  any,   ///< every method: the handler decides
};

struct AdminRoute {
  std::string_view path;  ///< matched exactly, without the query string
  RouteMethods methods;
  AsyncAdminHandler handler;
};

boost::asio::awaitable<AdminResponse> handle_metrics(const AdminSources& s, AdminRequest r);
AdminResponse handle_healthz(const AdminSources& s, const AdminRequest& r);
AdminResponse handle_readyz(const AdminSources& s, const AdminRequest& r);
boost::asio::awaitable<AdminResponse> handle_status(const AdminSources& s, AdminRequest r);
/// POST reloads; any other method is answered 405 "use POST to reload" with `Allow: POST`.
AdminResponse handle_reload(const AdminSources& s, const AdminRequest& r);
/// The status page with `Cache-Control: no-store` (it is always now), its CSP,
/// `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`.
boost::asio::awaitable<AdminResponse> handle_status_page(const AdminSources& s, AdminRequest r);
AdminResponse handle_not_found(const AdminRequest& r);

/// The route table of the admin endpoint (the list at the top of this file), its handlers bound
/// to `sources`, which must outlive it.
std::vector<AdminRoute> admin_routes(const AdminSources& sources);

/// Answers `r` with the first route whose path and methods match, else handle_not_found.
/// `routes` must outlive the answer.
boost::asio::awaitable<AdminResponse> route_request(std::span<const AdminRoute> routes,
                                                    AdminRequest r);

/// An AdminServer handler that owns `sources` and routes through admin_routes().
AsyncAdminHandler make_admin_handler(AdminSources sources);

}  // namespace flywatch::net
