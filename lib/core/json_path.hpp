#pragma once
/// Dotted paths into a parsed JSON document ("database", "user.id", "items.0.id"), as written
/// in `expect.body_json` and in a journey step's `extract: {x: "body_json:PATH"}`.

#include <string_view>

#include <boost/json/value.hpp>

namespace flywatch::core {

/// The value at `path` in `root`, or nullptr when there is none. Segments are separated by
/// '.'; a segment names an object member (exactly, "" included) or, on an array, is a decimal
/// index (no sign, no spaces). The returned pointer lives as long as `root`.
const boost::json::value* find_json_path(const boost::json::value& root, std::string_view path);

/// True when `path` is fit to be written in a config: not empty, no empty segment (no leading,
/// trailing or doubled '.'), which would be a typo rather than a member named "".
bool is_json_path(std::string_view path);

}  // namespace flywatch::core
