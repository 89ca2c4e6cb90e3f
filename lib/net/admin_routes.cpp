#include "net/admin_routes.hpp"

#include <memory>
#include <utility>

namespace flywatch::net {

namespace {

constexpr const char* text_plain = "text/plain; charset=utf-8";

bool is_read(const std::string& method) { return method == "GET" || method == "HEAD"; }

}  // namespace

AdminResponse handle_metrics(const AdminSources& s, const AdminRequest&) {
  return {200, "text/plain; version=0.0.4; charset=utf-8", s.metrics_text(), {}};
}

AdminResponse handle_healthz(const AdminSources&, const AdminRequest&) {
  return {200, text_plain, "ok\n", {}};
}

AdminResponse handle_readyz(const AdminSources& s, const AdminRequest&) {
  return s.ready() ? AdminResponse{200, text_plain, "ready\n", {}}
                   : AdminResponse{503, text_plain, "not ready\n", {}};
}

AdminResponse handle_status(const AdminSources& s, const AdminRequest&) {
  return {200, "application/json", s.status_json() + "\n", {}};
}

AdminResponse handle_reload(const AdminSources& s, const AdminRequest& r) {
  // A reload changes what the daemon does: never on a GET a crawler or a prefetch could send.
  if (r.method != "POST") return {405, text_plain, "use POST to reload\n", {{"Allow", "POST"}}};
  std::string error;
  return s.reload(error) ? AdminResponse{200, text_plain, "reloaded\n", {}}
                         : AdminResponse{500, text_plain, error + "\n", {}};
}

AdminResponse handle_status_page(const AdminSources& s, const AdminRequest&) {
  HtmlPage page = s.status_page();
  return {200, "text/html; charset=utf-8", std::move(page.html),
          {{"Cache-Control", "no-store"},
           {"Content-Security-Policy", std::move(page.content_security_policy)},
           {"X-Content-Type-Options", "nosniff"},
           {"Referrer-Policy", "no-referrer"}}};
}

AdminResponse handle_not_found(const AdminRequest&) { return {404, text_plain, "not found\n", {}}; }

std::vector<AdminRoute> admin_routes(const AdminSources& sources) {
  using Handle = AdminResponse (*)(const AdminSources&, const AdminRequest&);
  const auto bind = [&sources](Handle h) -> AdminHandler {
    return [&sources, h](const AdminRequest& r) { return h(sources, r); };
  };
  return {
      {"/metrics", RouteMethods::read, bind(handle_metrics)},
      {"/healthz", RouteMethods::read, bind(handle_healthz)},
      {"/readyz", RouteMethods::read, bind(handle_readyz)},
      {"/api/v1/status", RouteMethods::read, bind(handle_status)},
      {"/-/reload", RouteMethods::any, bind(handle_reload)},
      {"/", RouteMethods::read, bind(handle_status_page)},
  };
}

AdminResponse route_request(std::span<const AdminRoute> routes, const AdminRequest& r) {
  for (const auto& route : routes) {
    if (route.path != r.path) continue;
    if (route.methods == RouteMethods::read && !is_read(r.method)) continue;
    return route.handler(r);
  }
  return handle_not_found(r);
}

AdminHandler make_admin_handler(AdminSources sources) {
  // The table binds the sources by reference: both live together behind one shared_ptr, which
  // the (copyable) handler holds.
  struct Bound {
    AdminSources sources;
    std::vector<AdminRoute> routes;
  };
  auto bound = std::make_shared<Bound>();
  bound->sources = std::move(sources);
  bound->routes = admin_routes(bound->sources);
  return [bound](const AdminRequest& r) { return route_request(bound->routes, r); };
}

}  // namespace flywatch::net
