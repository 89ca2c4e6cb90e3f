// The Authorization header rule of reference §1.1 (mirrors fly-go tokens.Parse/normalized).
#include <array>
#include <string>
#include <string_view>

#include "fly/machine_json.hpp"

namespace flywatch::fly {

std::string authorization_header(std::string_view token) {
  constexpr std::string_view k_space = " \t\r\n\v\f";
  const auto first = token.find_first_not_of(k_space);
  if (first == std::string_view::npos) return {};
  token = token.substr(first, token.find_last_not_of(k_space) - first + 1);

  if (token.starts_with("FlyV1 ") || token.starts_with("Bearer ")) return std::string(token);
  // Macaroons sent as Bearer are refused by some Fly endpoints (reference §1.1, 401 report).
  constexpr std::array<std::string_view, 3> k_macaroon = {"fm1r_", "fm1a_", "fm2_"};
  for (const auto prefix : k_macaroon) {
    if (token.starts_with(prefix)) return "FlyV1 " + std::string(token);
  }
  return "Bearer " + std::string(token);
}

}  // namespace flywatch::fly
