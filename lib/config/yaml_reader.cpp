#include "config/yaml_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "config/env_expand.hpp"
#include "config/syntax.hpp"
#include "core/duration.hpp"

namespace flywatch::config::detail {

namespace {

constexpr std::size_t kMaxBodyLimit = std::size_t{1024} * 1024 * 1024;

std::string join(std::initializer_list<std::string_view> items) {
  std::string out;
  for (std::string_view s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

Pos pos_of(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return Pos{};
  return Pos{m.line + 1, m.column + 1};
}

Pos pos_of(const YAML::Node& node, const YAML::Node& fallback) {
  if (!node.IsDefined() || node.IsNull() || node.Mark().is_null()) return pos_of(fallback);
  return pos_of(node);
}

std::string_view describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "nothing";
  }
}

int read_file(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  out.clear();
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return err;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return 0;
}

Fields::Fields(const Reader& reader, const YAML::Node& map, Pos where, std::string_view name,
               std::string_view context, std::initializer_list<std::string_view> allowed) {
  init(reader, map, where, name, context, &allowed);
}

Fields::Fields(const Reader& reader, const YAML::Node& map, Pos where, std::string_view name,
               std::string_view context) {
  init(reader, map, where, name, context, nullptr);
}

void Fields::init(const Reader& reader, const YAML::Node& map, Pos where, std::string_view name,
                  std::string_view context,
                  const std::initializer_list<std::string_view>* allowed) {
  reader.require_map(map, where, name);
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key_node = it->first;
    if (!key_node.IsScalar()) {
      reader.fail(pos_of(key_node, map),
                  "keys must be plain strings, got " + std::string(describe(key_node)));
    }
    const std::string key = key_node.Scalar();
    for (const Field& f : fields_) {
      if (f.key == key) {
        reader.fail(pos_of(key_node), "duplicate key " + in_quotes(key) + " " +
                                          std::string(context) + " (first at line " +
                                          std::to_string(f.key_pos().line) + ")");
      }
    }
    bool known = allowed == nullptr;
    if (allowed) {
      for (std::string_view a : *allowed) known = known || a == key;
    }
    if (!known) {
      reader.fail(pos_of(key_node), "unknown key " + in_quotes(key) + " " + std::string(context) +
                                        " (allowed: " + join(*allowed) + ")");
    }
    fields_.push_back(Field{key, key_node, it->second});
  }
}

const Field* Fields::get(std::string_view key) const {
  for (const Field& f : fields_) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

Reader::Reader(std::string path, EnvLookup getenv)
    : path_(std::move(path)), getenv_(std::move(getenv)) {
  dir_ = std::filesystem::path(path_).parent_path().string();
}

void Reader::fail(Pos pos, const std::string& message) const {
  throw ConfigError(path_, pos.line, pos.column, message);
}

void Reader::require_map(const YAML::Node& node, Pos pos, std::string_view name) const {
  if (!node.IsMap()) {
    fail(pos, std::string(name) + ": expected a mapping, got " + std::string(describe(node)));
  }
}

void Reader::require_sequence(const YAML::Node& node, Pos pos, std::string_view name) const {
  if (!node.IsSequence()) {
    fail(pos, std::string(name) + ": expected a list, got " + std::string(describe(node)));
  }
}

std::string Reader::string(const YAML::Node& node, Pos pos, std::string_view name) const {
  if (!node.IsScalar()) {
    fail(pos, std::string(name) + ": expected a value, got " + std::string(describe(node)));
  }
  std::string error;
  auto expanded = expand_env(node.Scalar(), getenv_, error);
  if (!expanded) fail(pos, std::string(name) + ": " + error);
  return std::move(*expanded);
}

std::string Reader::string(const Field& f, std::string_view name) const {
  return string(f.value, f.value_pos(), name);
}

long long Reader::integer(const YAML::Node& node, Pos pos, std::string_view name, long long min,
                          long long max) const {
  const std::string text = string(node, pos, name);
  long long v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ptr != end || ec == std::errc::invalid_argument) {
    fail(pos, std::string(name) + ": expected an integer, got " + in_quotes(text));
  }
  if (ec == std::errc::result_out_of_range || v < min || v > max) {
    fail(pos, std::string(name) + ": " + text + " is out of range (" + std::to_string(min) +
                  " to " + std::to_string(max) + ")");
  }
  return v;
}

int Reader::positive_int(const Field& f, std::string_view name) const {
  return static_cast<int>(integer(f.value, f.value_pos(), name, 1, 1'000'000));
}

bool Reader::boolean(const Field& f, std::string_view name) const {
  const std::string text = string(f, name);
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  fail(f.value_pos(), std::string(name) + ": expected true or false, got " + in_quotes(text));
}

Millis Reader::duration(const Field& f, std::string_view name) const {
  const std::string text = string(f, name);
  const auto d = core::parse_duration(text);
  if (!d) {
    fail(f.value_pos(), std::string(name) + ": bad duration " + in_quotes(text) +
                            " (expected e.g. 250ms, 15s, 5m, 1h, 14d)");
  }
  if (d->count() <= 0) fail(f.value_pos(), std::string(name) + ": must be greater than zero");
  return *d;
}

Millis Reader::duration(const Field& f, std::string_view name, Millis min, Millis max) const {
  if (min.count() > 0) {
    const Millis d = duration(f, name);
    if (d < min) {
      fail(f.value_pos(), std::string(name) + ": must be at least " + core::format_duration(min));
    }
    if (d > max) {
      fail(f.value_pos(), std::string(name) + ": must be at most " + core::format_duration(max));
    }
    return d;
  }
  const std::string text = string(f, name);
  const auto d = core::parse_duration(text);
  if (!d) {
    fail(f.value_pos(), std::string(name) + ": bad duration " + in_quotes(text) +
                            " (expected e.g. 0s, 250ms, 15s, 5m, 1h, 14d)");
  }
  if (*d > max) {
    fail(f.value_pos(), std::string(name) + ": must be at most " + core::format_duration(max));
  }
  return *d;
}

double Reader::number(const Field& f, std::string_view name) const {
  const std::string text = string(f, name);
  const bool plain = !text.empty() && text.find_first_not_of("0123456789.") == std::string::npos &&
                     text.front() != '.' && text.back() != '.';
  double v = 0;
  const char* end = text.data() + text.size();
  if (plain) {
    const auto [ptr, ec] = std::from_chars(text.data(), end, v, std::chars_format::fixed);
    if (ptr == end && ec == std::errc{}) return v;
  }
  fail(f.value_pos(), std::string(name) + ": expected a number, got " + in_quotes(text));
}

std::size_t Reader::size(const Field& f, std::string_view name) const {
  const std::string text = string(f, name);
  const auto s = parse_size(text, kMaxBodyLimit);
  if (!s) {
    fail(f.value_pos(), std::string(name) + ": bad size " + in_quotes(text) +
                            " (expected e.g. 65536B, 512KiB, 1MiB; at most 1024MiB)");
  }
  if (*s == 0) fail(f.value_pos(), std::string(name) + ": must be greater than zero");
  return *s;
}

std::string Reader::path(const Field& f, std::string_view name) const {
  const std::string text = string(f, name);
  if (text.empty()) fail(f.value_pos(), std::string(name) + ": empty path");
  const std::filesystem::path p(text);
  if (p.is_absolute() || dir_.empty()) return text;
  return (std::filesystem::path(dir_) / p).string();
}

std::string Reader::read_secret_file(const Field& f, std::string_view name) const {
  const std::string file = path(f, name);
  std::string content;
  if (const int err = read_file(file, content); err != 0) {
    fail(f.value_pos(),
         std::string(name) + ": cannot read " + in_quotes(file) + ": " + std::strerror(err));
  }
  if (content.ends_with("\r\n"))
    content.resize(content.size() - 2);
  else if (content.ends_with('\n'))
    content.pop_back();
  return content;
}

std::optional<std::string> Reader::value_or_file(const Fields& fields, std::string_view key) const {
  const std::string file_key = std::string(key) + "_file";
  const Field* direct = fields.get(key);
  const Field* from_file = fields.get(file_key);
  if (direct && from_file) {
    const Field* later = direct->key_pos().line > from_file->key_pos().line ||
                                 (direct->key_pos().line == from_file->key_pos().line &&
                                  direct->key_pos().column > from_file->key_pos().column)
                             ? direct
                             : from_file;
    fail(later->key_pos(), "both " + std::string(key) + " and " + file_key + " given; use one");
  }
  if (direct) return string(*direct, key);
  if (from_file) return read_secret_file(*from_file, file_key);
  return std::nullopt;
}

}  // namespace flywatch::config::detail
