#include "net/admin_routes.hpp"

#include <memory>
#include <utility>

#include <boost/asio/use_awaitable.hpp>

namespace flywatch::net {

namespace asio = boost::asio;

namespace {

constexpr const char* text_plain = "text/plain; charset=utf-8";

bool is_read(const std::string& method) { return method == "GET" || method == "HEAD"; }

}  // namespace

asio::awaitable<AdminResponse> handle_metrics(const AdminSources& s, AdminRequest) {
  // The body is awaited into a local first: GCC 12 destroys a co_await result inside a braced
  // initializer twice.
  std::string body = co_await s.metrics_text();
  co_return AdminResponse{200, "text/plain; version=0.0.4; charset=utf-8", std::move(body), {}};
}

AdminResponse handle_healthz(const AdminSources&, const AdminRequest&) {
  return {200, text_plain, "ok\n", {}};
}

AdminResponse handle_readyz(const AdminSources& s, const AdminRequest&) {
  return s.ready() ? AdminResponse{200, text_plain, "ready\n", {}}
                   : AdminResponse{503, text_plain, "not ready\n", {}};
}

asio::awaitable<AdminResponse> handle_status(const AdminSources& s, AdminRequest) {
  std::string body = co_await s.status_json();  // a local first, as in handle_metrics
  body += '\n';
  co_return AdminResponse{200, "application/json", std::move(body), {}};
}

AdminResponse handle_reload(const AdminSources& s, const AdminRequest& r) {
  // A reload changes what the daemon does: never on a GET a crawler or a prefetch could send.
  if (r.method != "POST") return {405, text_plain, "use POST to reload\n", {{"Allow", "POST"}}};
  std::string error;
  return s.reload(error) ? AdminResponse{200, text_plain, "reloaded\n", {}}
                         : AdminResponse{500, text_plain, error + "\n", {}};
}

asio::awaitable<AdminResponse> handle_status_page(const AdminSources& s, AdminRequest) {
  HtmlPage page = co_await s.status_page();
  co_return AdminResponse{200, "text/html; charset=utf-8", std::move(page.html),
                          {{"Cache-Control", "no-store"},
                           {"Content-Security-Policy", std::move(page.content_security_policy)},
                           {"X-Content-Type-Options", "nosniff"},
                           {"Referrer-Policy", "no-referrer"}}};
}

AdminResponse handle_not_found(const AdminRequest&) { return {404, text_plain, "not found\n", {}}; }

namespace {

using Handle = AdminResponse (*)(const AdminSources&, const AdminRequest&);

asio::awaitable<AdminResponse> answer_now(const AdminSources& s, Handle h, AdminRequest r) {
  co_return h(s, r);
}

}  // namespace

std::vector<AdminRoute> admin_routes(const AdminSources& sources) {
  const auto bind = [&sources](Handle h) -> AsyncAdminHandler {
    return [&sources, h](AdminRequest r) { return answer_now(sources, h, std::move(r)); };
  };
  return {
      {"/metrics", RouteMethods::read,
       [&sources](AdminRequest r) { return handle_metrics(sources, std::move(r)); }},
      {"/healthz", RouteMethods::read, bind(handle_healthz)},
      {"/readyz", RouteMethods::read, bind(handle_readyz)},
      {"/api/v1/status", RouteMethods::read,
       [&sources](AdminRequest r) { return handle_status(sources, std::move(r)); }},
      {"/-/reload", RouteMethods::any, bind(handle_reload)},
      {"/", RouteMethods::read,
       [&sources](AdminRequest r) { return handle_status_page(sources, std::move(r)); }},
  };
}

asio::awaitable<AdminResponse> route_request(std::span<const AdminRoute> routes, AdminRequest r) {
  for (const auto& route : routes) {
    if (route.path != r.path) continue;
    if (route.methods == RouteMethods::read && !is_read(r.method)) continue;
    co_return co_await route.handler(std::move(r));
  }
  co_return handle_not_found(r);
}

namespace {

struct Bound {
  AdminSources sources;
  std::vector<AdminRoute> routes;
};

// Holds `bound` for as long as the answer takes, whatever becomes of the handler meanwhile.
asio::awaitable<AdminResponse> route_bound(std::shared_ptr<const Bound> bound, AdminRequest r) {
  co_return co_await route_request(bound->routes, std::move(r));
}

}  // namespace

AsyncAdminHandler make_admin_handler(AdminSources sources) {
  // The table binds the sources by reference: both live together behind one shared_ptr, which
  // the (copyable) handler holds.
  auto bound = std::make_shared<Bound>();
  bound->sources = std::move(sources);
  bound->routes = admin_routes(bound->sources);
  return [bound](AdminRequest r) { return route_bound(bound, std::move(r)); };
}

}  // namespace flywatch::net
