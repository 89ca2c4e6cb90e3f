#include "engine/json_text.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

namespace flywatch::engine {

namespace {

void write(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out += ':';
        write(member, out);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& element : v.get_array()) {
        if (!first) out += ',';
        first = false;
        write(element, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::double_: {
      const double d = v.get_double();
      if (!std::isfinite(d)) {
        out += "null";  // JSON has no NaN or infinity
        return;
      }
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, r.ptr);
      return;
    }
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& v) {
  std::string out;
  write(v, out);
  return out;
}

}  // namespace flywatch::engine
