// The Authorization header rule of reference §1.1, as fly-go builds it for the Machines API
// (tokens.Parse, StripAuthorizationScheme, FlapsHeader): schemes stripped in any case, the token
// split on commas, macaroons sent under FlyV1 and OAuth/legacy tokens under Bearer only when
// there is no macaroon.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/fly_token.hpp"

#include "core/ascii.hpp"

namespace flywatch::core {

namespace {

// Go's strings.TrimSpace for the ASCII white space a token file can hold.
std::string_view trim(std::string_view s) {
  constexpr std::string_view k_space = " \t\r\n\v\f";
  const auto first = s.find_first_not_of(k_space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(k_space) - first + 1);
}

// fly-go StripAuthorizationScheme: the word before the first space is dropped while it is
// "Bearer" or "FlyV1" in any case ("FlyV1 Bearer x" loses both).
std::string_view strip_scheme(std::string_view token) {
  for (;;) {
    token = trim(token);
    const auto space = token.find(' ');
    if (space == std::string_view::npos) return token;
    const std::string_view word = trim(token.substr(0, space));
    if (!ascii_iequals(word, "Bearer") && !ascii_iequals(word, "FlyV1")) return token;
    token = token.substr(space + 1);
  }
}

// fly-go's macaroon test: the part before the first '_' names a macaroon format. Others (fo1_
// OAuth tokens, legacy personal tokens) are user tokens.
bool is_macaroon(std::string_view piece) {
  constexpr std::array<std::string_view, 3> k_macaroon = {"fm1r", "fm1a", "fm2"};
  const std::string_view prefix = piece.substr(0, piece.find('_'));  // the whole piece without '_'
  for (const auto m : k_macaroon) {
    if (prefix == m) return true;
  }
  return false;
}

std::string join(const std::vector<std::string_view>& pieces) {
  std::string out;
  for (const auto p : pieces) {
    if (!out.empty()) out += ',';
    out += p;
  }
  return out;
}

}  // namespace

std::string fly_authorization_header(std::string_view token) {
  const std::string_view bare = strip_scheme(token);
  // fly-go would send a lone scheme word as a token ("Bearer FlyV1"); it is a broken token file.
  if (ascii_iequals(bare, "Bearer") || ascii_iequals(bare, "FlyV1")) return {};
  std::vector<std::string_view> macaroons;
  std::vector<std::string_view> user_tokens;
  std::size_t i = 0;
  while (i <= bare.size()) {
    const auto comma = bare.find(',', i);
    const auto end = comma == std::string_view::npos ? bare.size() : comma;
    const std::string_view piece = trim(bare.substr(i, end - i));
    // fly-go keeps empty pieces ("a,,b"); sending an empty token helps no one, so they go.
    if (!piece.empty()) (is_macaroon(piece) ? macaroons : user_tokens).push_back(piece);
    if (comma == std::string_view::npos) break;
    i = comma + 1;
  }
  // Macaroons win: Fly's API refuses them under Bearer, and user tokens beside them are not sent.
  if (!macaroons.empty()) return "FlyV1 " + join(macaroons);
  if (!user_tokens.empty()) return "Bearer " + join(user_tokens);
  return {};
}

}  // namespace flywatch::core
