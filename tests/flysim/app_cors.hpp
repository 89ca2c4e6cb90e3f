#pragma once
/// Medio's backend CORS policy: one front-end origin, with credentials, as its Express `cors`
/// middleware is configured (reference medio-flyio-research.md §5), plus the misconfigurations
/// of the cors_wildcard and cors_no_credentials faults. Pure functions.

#include <optional>
#include <string>

#include "app_faults.hpp"
#include "app_http.hpp"

namespace flywatch::flysim {

/// The preflight answer to an OPTIONS request (any path): 204, no body, with the CORS headers
/// of add_cors_headers plus `Access-Control-Allow-Methods: GET,HEAD,PUT,PATCH,POST,DELETE` and
/// `Access-Control-Allow-Headers` (the request's Access-Control-Request-Headers, else
/// "Content-Type") when those apply. Nullopt for any other method.
std::optional<AppAnswer> cors_preflight(const AppRequest& req, const std::string& allowed_origin,
                                        const AppFaults& faults);

/// Adds the CORS headers to `answer`: for a request whose Origin is exactly `allowed_origin`
/// (non-empty), `Access-Control-Allow-Origin: <origin>`, `Access-Control-Allow-Credentials:
/// true` and `Vary: Origin`. Other origins and requests without Origin get none. Under
/// cors_wildcard every request with an Origin gets `Access-Control-Allow-Origin: *` (and no
/// Vary); under cors_no_credentials the Allow-Credentials header is left out.
void add_cors_headers(const AppRequest& req, const std::string& allowed_origin,
                      const AppFaults& faults, AppAnswer& answer);

}  // namespace flywatch::flysim
