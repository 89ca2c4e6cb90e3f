#include "app_faults.hpp"

namespace flywatch::flysim {

namespace {
// One table for both directions, so a new fault cannot be switchable but unlisted.
struct Named {
  const char* name;
  bool AppFaults::*flag;
};
constexpr Named table[] = {
    {"cookie_insecure", &AppFaults::cookie_insecure},
    {"cors_wildcard", &AppFaults::cors_wildcard},
    {"cors_no_credentials", &AppFaults::cors_no_credentials},
    {"missing_chunk", &AppFaults::missing_chunk},
    {"login_500", &AppFaults::login_500},
};
}  // namespace

bool switch_fault(AppFaults& faults, const std::string& kind) {
  if (kind == "none") {
    faults = AppFaults{};
    return true;
  }
  for (const auto& n : table) {
    if (kind == n.name) {
      faults.*n.flag = true;
      return true;
    }
  }
  return false;
}

std::vector<std::string> fault_names(const AppFaults& faults) {
  std::vector<std::string> names;
  for (const auto& n : table)
    if (faults.*n.flag) names.emplace_back(n.name);
  return names;
}

}  // namespace flywatch::flysim
