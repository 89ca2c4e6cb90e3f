#pragma once
/// The app-level fault switches of POST /_sim/apps/{app}/fault: misconfigurations a deploy can
/// ship (an insecure session cookie, a wrong CORS policy, a missing JS chunk, a missing secret)
/// that a health check does not see but a user journey does. Several can be on at once.

#include <string>
#include <vector>

namespace flywatch::flysim {

struct AppFaults {
  bool cookie_insecure = false;      ///< the session cookie lacks Secure
  bool cors_wildcard = false;        ///< Access-Control-Allow-Origin: * to any Origin
  bool cors_no_credentials = false;  ///< no Access-Control-Allow-Credentials
  bool missing_chunk = false;        ///< the index's JS chunk answers 404
  bool login_500 = false;            ///< login answers 500 {"error":"JWT_SECRET is not set"}
};

/// Turns on the fault named `kind`, or clears them all for "none". False (and no change) for
/// any other name.
bool switch_fault(AppFaults& faults, const std::string& kind);

/// The names of the faults that are on, in declaration order.
std::vector<std::string> fault_names(const AppFaults& faults);

}  // namespace flywatch::flysim
