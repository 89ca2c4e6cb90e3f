#include "app_cors.hpp"

namespace flywatch::flysim {

namespace {
// Whether the policy answers this request with CORS headers at all.
bool applies(const AppRequest& req, const std::string& allowed_origin, const AppFaults& faults) {
  if (req.origin.empty()) return false;
  return faults.cors_wildcard || (!allowed_origin.empty() && req.origin == allowed_origin);
}
}  // namespace

void add_cors_headers(const AppRequest& req, const std::string& allowed_origin,
                      const AppFaults& faults, AppAnswer& answer) {
  if (!applies(req, allowed_origin, faults)) return;
  answer.headers.emplace_back("Access-Control-Allow-Origin",
                              faults.cors_wildcard ? "*" : req.origin);
  if (!faults.cors_no_credentials)
    answer.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  // A reflected origin makes the answer depend on it, which caches must know; `*` does not.
  if (!faults.cors_wildcard) answer.headers.emplace_back("Vary", "Origin");
}

std::optional<AppAnswer> cors_preflight(const AppRequest& req, const std::string& allowed_origin,
                                        const AppFaults& faults) {
  if (req.method != "OPTIONS") return std::nullopt;
  // Express's cors ends every OPTIONS with 204, whether or not the origin is allowed: the
  // browser, not the server, refuses what lacks the headers.
  AppAnswer a{204, "", "", {}};
  add_cors_headers(req, allowed_origin, faults, a);
  if (applies(req, allowed_origin, faults)) {
    a.headers.emplace_back("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE");
    a.headers.emplace_back("Access-Control-Allow-Headers",
                           req.request_headers.empty() ? "Content-Type" : req.request_headers);
  }
  return a;
}

}  // namespace flywatch::flysim
