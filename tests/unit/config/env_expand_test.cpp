#include <doctest.h>

#include <string>

#include "config/env_expand.hpp"
#include "fake_env.hpp"

using flywatch::config::detail::expand_env;
using flywatch::config::test::fake_env;

namespace {

struct Case {
  const char* input;
  const char* output;  ///< nullptr: must fail
  const char* error;   ///< expected error when output is nullptr
};

const Case kCases[] = {
    {"plain", "plain", nullptr},
    {"", "", nullptr},
    {"${FW_HOST}", "api.example.test", nullptr},
    {"https://${FW_HOST}:${FW_PORT}/", "https://api.example.test:8443/", nullptr},
    {"${FW_UNSET:-dflt}", "dflt", nullptr},
    {"${FW_EMPTY:-dflt}", "dflt", nullptr},
    {"${FW_HOST:-dflt}", "api.example.test", nullptr},
    {"${FW_UNSET:-}", "", nullptr},
    {"${FW_EMPTY}", "", nullptr},
    {"${FW_UNSET:-a b:c}", "a b:c", nullptr},
    {"$$", "$", nullptr},
    {"$${FW_HOST}", "${FW_HOST}", nullptr},
    {"$$$$", "$$", nullptr},
    {"cost $5", "cost $5", nullptr},
    {"^ok$", "^ok$", nullptr},
    {"$", "$", nullptr},
    {"${FW_UNSET}", nullptr, "environment variable FW_UNSET is not set"},
    {"a${FW_HOST", nullptr, "unterminated ${ (write $$ for a literal $)"},
    {"${}", nullptr, "bad variable reference ${...}: expected ${NAME} or ${NAME:-default}"},
    {"${9A}", nullptr, "bad variable reference ${9A...}: expected ${NAME} or ${NAME:-default}"},
    {"${A-B}", nullptr, "bad variable reference ${A...}: expected ${NAME} or ${NAME:-default}"},
    {"${FW_TOKEN:x}", nullptr,
     "bad variable reference ${FW_TOKEN...}: expected ${NAME} or ${NAME:-default}"},
};

}  // namespace

TEST_CASE("expand_env table") {
  for (const Case& c : kCases) {
    CAPTURE(c.input);
    std::string error;
    const auto out = expand_env(c.input, fake_env(), error);
    if (c.output) {
      REQUIRE(out.has_value());
      CHECK(*out == c.output);
    } else {
      CHECK_FALSE(out.has_value());
      CHECK(error == c.error);
    }
  }
}

TEST_CASE("expanded values are not expanded again") {
  // A variable whose value looks like a reference is inserted literally.
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "OUTER") return std::string("${INNER}");
    return std::nullopt;
  };
  std::string error;
  const auto out = expand_env("x${OUTER}y", env, error);
  REQUIRE(out.has_value());
  CHECK(*out == "x${INNER}y");
}

TEST_CASE("an unset variable's error never contains another variable's value") {
  std::string error;
  CHECK_FALSE(expand_env("${FW_TOKEN}${FW_UNSET}", fake_env(), error).has_value());
  CHECK(error == "environment variable FW_UNSET is not set");
}
