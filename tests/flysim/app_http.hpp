#pragma once
/// What the app on a simulated machine sees of one HTTP request, and what it answers: the
/// vocabulary of the app's pure request→answer functions (app_auth, app_cors, app_site,
/// medio_app), which the edge translates from and to Beast messages.

#include <string>
#include <utility>
#include <vector>

namespace flywatch::flysim {

/// The parts of a request Medio's apps look at.
struct AppRequest {
  std::string method = "GET";    ///< "GET", "POST", "OPTIONS", …
  std::string path = "/";        ///< the target without its query
  std::string body;
  std::string origin;            ///< the Origin header ("" when absent)
  std::string cookie;            ///< the Cookie header ("" when absent)
  std::string request_headers;   ///< Access-Control-Request-Headers ("" when absent)
};

/// An HTTP answer: status, content type ("" = none, e.g. for a 204), body and extra headers.
struct AppAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< in order; names may repeat
};

/// The content type of the apps' JSON answers, as Express writes it.
inline constexpr const char* json_type = "application/json; charset=utf-8";

}  // namespace flywatch::flysim
