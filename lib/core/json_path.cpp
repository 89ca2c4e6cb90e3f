#include "core/json_path.hpp"

#include <charconv>
#include <cstddef>

#include <boost/json.hpp>

namespace flywatch::core {

const boost::json::value* find_json_path(const boost::json::value& root, std::string_view path) {
  const boost::json::value* v = &root;
  while (true) {
    const std::size_t dot = path.find('.');
    const std::string_view segment = path.substr(0, dot);
    if (const auto* obj = v->if_object()) {
      v = obj->if_contains(segment);
    } else if (const auto* arr = v->if_array()) {
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
      if (segment.empty() || ec != std::errc{} || end != segment.data() + segment.size()) {
        return nullptr;
      }
      v = arr->if_contains(index);
    } else {
      return nullptr;
    }
    if (!v || dot == std::string_view::npos) return v;
    path.remove_prefix(dot + 1);
  }
}

bool is_json_path(std::string_view path) {
  return !path.empty() && !path.starts_with('.') && !path.ends_with('.') &&
         path.find("..") == std::string_view::npos;
}

}  // namespace flywatch::core
