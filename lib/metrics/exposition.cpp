#include "metrics/exposition.hpp"

#include <charconv>
#include <cmath>

namespace flywatch::metrics {

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

void ExpositionWriter::append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  }
}

std::vector<std::string> ExpositionWriter::le_texts(const std::vector<double>& bounds) {
  std::vector<std::string> texts;
  texts.reserve(bounds.size() + 1);
  for (double b : bounds) {
    std::string s;
    append_number(s, b);
    texts.push_back(std::move(s));
  }
  texts.emplace_back("+Inf");
  return texts;
}

void ExpositionWriter::header(std::string_view name, std::string_view help, std::string_view type) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;  // help texts are ours and contain no backslash or newline
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void ExpositionWriter::sample(std::string_view name, std::string_view labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    out_ += labels;
    out_ += '}';
  }
  out_ += ' ';
  append_number(out_, value);
  out_ += '\n';
}

}  // namespace flywatch::metrics
