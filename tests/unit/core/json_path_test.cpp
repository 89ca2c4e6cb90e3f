#include "core/json_path.hpp"

#include <doctest.h>

#include <boost/json.hpp>

namespace fc = flywatch::core;
namespace json = boost::json;

TEST_CASE("find_json_path: members by name, array elements by decimal index") {
  const json::value doc = json::parse(
      R"({"user":{"id":42,"tags":["a","b"]},"items":[{"id":"x1"},{"id":"x2"}],"":{"e":1},"3":"three"})");
  REQUIRE(fc::find_json_path(doc, "user.id") != nullptr);
  CHECK(*fc::find_json_path(doc, "user.id") == json::value(42));
  CHECK(*fc::find_json_path(doc, "items.1.id") == json::value("x2"));
  CHECK(*fc::find_json_path(doc, "user.tags.0") == json::value("a"));
  CHECK(fc::find_json_path(doc, "user")->is_object());
  CHECK(*fc::find_json_path(doc, "3") == json::value("three"));  // a member named "3", not an index
  CHECK(*fc::find_json_path(doc, ".e") == json::value(1));        // a member named ""

  CHECK(fc::find_json_path(doc, "user.name") == nullptr);
  CHECK(fc::find_json_path(doc, "items.2.id") == nullptr);   // past the end
  CHECK(fc::find_json_path(doc, "items.-1.id") == nullptr);  // no sign
  CHECK(fc::find_json_path(doc, "items.+0.id") == nullptr);
  CHECK(fc::find_json_path(doc, "items. 0.id") == nullptr);
  CHECK(fc::find_json_path(doc, "items.0x1") == nullptr);
  CHECK(fc::find_json_path(doc, "items..id") == nullptr);
  CHECK(fc::find_json_path(doc, "user.id.more") == nullptr);  // through a scalar
  CHECK(fc::find_json_path(doc, "items.99999999999999999999999") == nullptr);  // index overflows
  CHECK(fc::find_json_path(json::value(5), "a") == nullptr);
}

TEST_CASE("is_json_path: no empty segments") {
  CHECK(fc::is_json_path("user"));
  CHECK(fc::is_json_path("items.0.id"));
  for (const char* bad : {"", ".", "user.", ".user", "user..id"}) {
    CAPTURE(bad);
    CHECK_FALSE(fc::is_json_path(bad));
  }
}
