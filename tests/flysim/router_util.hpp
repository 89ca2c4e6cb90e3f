#pragma once
/// Helpers router.cpp and router_control.cpp share.

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace flywatch::flysim {

/// The non-empty segments of a URL path: "/v1/apps/a/" → {"v1", "apps", "a"}.
std::vector<std::string> split_path(const std::string& path);

/// `o[key]` when it is an integer, else `def`.
std::int64_t int_or(const boost::json::object& o, const char* key, std::int64_t def);

}  // namespace flywatch::flysim
