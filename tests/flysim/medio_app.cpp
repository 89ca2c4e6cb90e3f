#include "medio_app.hpp"

#include "app_auth.hpp"
#include "app_cors.hpp"
#include "app_site.hpp"
#include "edge_route.hpp"

namespace flywatch::flysim {

AppAnswer medio_answer(const AppRequest& req, const SimMachine& m, const std::string& app,
                       const AppSettings& settings, AppState& state, std::int64_t now_ms) {
  if (settings.site)
    return m.healthy() ? site_answer(req, m.release_version(), state.faults)
                       : app_answer(m, app, now_ms);
  if (!settings.auth) return app_answer(m, app, now_ms);
  // The CORS middleware comes first in Express, so it ends preflights before any route and
  // decorates every answer, errors included.
  if (auto preflight = cors_preflight(req, settings.cors_origin, state.faults)) return *preflight;
  AppAnswer a = !is_auth_path(req.path) || !m.healthy()
                    ? app_answer(m, app, now_ms)
                    : auth_answer(req, state.auth, state.faults, now_ms);
  add_cors_headers(req, settings.cors_origin, state.faults, a);
  return a;
}

}  // namespace flywatch::flysim
