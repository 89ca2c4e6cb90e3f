#pragma once
/// The whole answer of Medio's app on one machine: the backend's health endpoint, its auth API
/// and CORS policy, or the front end, by the app's settings from the fleet file. Pure apart from
/// the app's shared state (users, sessions), which the auth API changes.

#include <cstdint>
#include <string>

#include "app_http.hpp"
#include "fleet.hpp"
#include "sim_machine.hpp"

namespace flywatch::flysim {

/// What the app on machine `m` of `app` (its app up) answers to `req` at `now_ms`:
/// - a `site` app: the front end of m's release version (app_site.hpp), but the health answer
///   (503) while m is unhealthy (database down or the unhealthy fault);
/// - an `auth` app: OPTIONS on any path → the CORS preflight (app_cors.hpp); paths under
///   /api/auth → the auth API (app_auth.hpp), or the health answer (503) while m is unhealthy;
///   other paths → the health answer; CORS headers for `cors_origin` on every answer;
/// - any other app: the health answer (app_answer in edge_route.hpp) whatever the request.
AppAnswer medio_answer(const AppRequest& req, const SimMachine& m, const std::string& app,
                       const AppSettings& settings, AppState& state, std::int64_t now_ms);

}  // namespace flywatch::flysim
