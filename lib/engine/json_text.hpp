#pragma once
/// JSON text for people as well as programs: Boost.JSON writes every double in exponent form
/// (0.25 → "2.5E-1", 15 → "1.5E1"); this writes the shortest plain form ("0.25", "15").

#include <string>

#include <boost/json/value.hpp>

namespace flywatch::engine {

/// Serializes `v` compactly; doubles use std::to_chars' shortest round-trip form, strings and
/// everything else are exactly as boost::json::serialize writes them.
std::string to_json_text(const boost::json::value& v);

}  // namespace flywatch::engine
