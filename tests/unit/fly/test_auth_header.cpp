#include <doctest.h>

#include <string>

#include "fly/machine_json.hpp"

namespace flywatch::fly {
namespace {

TEST_CASE("authorization_header follows the Fly token rule") {
  struct Row {
    const char* token;
    const char* header;
  };
  const Row rows[] = {
      {"fm2_lJPECAAAAAAAAbm", "FlyV1 fm2_lJPECAAAAAAAAbm"},
      {"fm1r_abc", "FlyV1 fm1r_abc"},
      {"fm1a_abc", "FlyV1 fm1a_abc"},
      {"FlyV1 fm2_abc,fm2_def", "FlyV1 fm2_abc,fm2_def"},
      {"Bearer abcdef0123", "Bearer abcdef0123"},
      {"abcdef0123", "Bearer abcdef0123"},
      // A token file's trailing newline (and CRLF, and stray blanks) must not reach the header.
      {"fm2_abc\n", "FlyV1 fm2_abc"},
      {"  abcdef\r\n", "Bearer abcdef"},
      {"\tFlyV1 fm2_abc \n", "FlyV1 fm2_abc"},
      // Only the exact prefixes count: neither "fm3_" nor a scheme without its space.
      {"fm3_abc", "Bearer fm3_abc"},
      {"FlyV1fm2_abc", "Bearer FlyV1fm2_abc"},
      {"fm2abc", "Bearer fm2abc"},
      {"", ""},
      {" \n\t", ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.token);
    CHECK(authorization_header(row.token) == row.header);
  }
}


}  // namespace
}  // namespace flywatch::fly
