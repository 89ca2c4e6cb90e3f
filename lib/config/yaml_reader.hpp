#pragma once
/// Typed, position-aware access to a parsed YAML document: every error becomes a ConfigError at
/// the offending key or value. Internal to lib/config (the only place yaml-cpp appears).

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace flywatch::config::detail {

/// A 1-based line and column in the config file.
struct Pos {
  int line = 1;
  int column = 1;
};

/// The position of `node`, or of `fallback` when `node` has none (a missing value's mark
/// points at whatever follows it, often on the next line).
Pos pos_of(const YAML::Node& node);
Pos pos_of(const YAML::Node& node, const YAML::Node& fallback);

/// One `key: value` pair of a mapping.
struct Field {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
  /// Where errors about the value point: the value, or the key when the value is missing.
  Pos value_pos() const { return pos_of(value, key_node); }
  Pos key_pos() const { return pos_of(key_node); }
};

class Reader;

/// The fields of one mapping, checked on construction: the node is a mapping, its keys are
/// scalars, none repeats (yaml-cpp keeps duplicates silently) and every key is in `allowed`.
class Fields {
 public:
  /// `name` is the mapping's key path for messages ("server", "expect"); `context` is how
  /// unknown keys are placed ("in target", "at top level").
  Fields(const Reader& reader, const YAML::Node& map, Pos where, std::string_view name,
         std::string_view context, std::initializer_list<std::string_view> allowed);
  /// A mapping whose keys are free-form (header names, JSON paths): only the checks for a
  /// mapping, scalar keys and duplicates.
  Fields(const Reader& reader, const YAML::Node& map, Pos where, std::string_view name,
         std::string_view context);
  /// The field named `key`, or nullptr when absent.
  const Field* get(std::string_view key) const;
  const std::vector<Field>& all() const { return fields_; }

 private:
  void init(const Reader& reader, const YAML::Node& map, Pos where, std::string_view name,
            std::string_view context, const std::initializer_list<std::string_view>* allowed);

  std::vector<Field> fields_;
};

/// Error reporting and scalar conversions for one config file.
class Reader {
 public:
  Reader(std::string path, EnvLookup getenv);

  [[noreturn]] void fail(Pos pos, const std::string& message) const;

  /// Throws unless `node` is a mapping / sequence; `name` is its key path.
  void require_map(const YAML::Node& node, Pos pos, std::string_view name) const;
  void require_sequence(const YAML::Node& node, Pos pos, std::string_view name) const;

  /// A scalar, `${VAR}`-expanded. `name` labels messages.
  std::string string(const YAML::Node& node, Pos pos, std::string_view name) const;
  std::string string(const Field& f, std::string_view name) const;
  /// An integer in [min, max].
  long long integer(const YAML::Node& node, Pos pos, std::string_view name, long long min,
                    long long max) const;
  int positive_int(const Field& f, std::string_view name) const;
  bool boolean(const Field& f, std::string_view name) const;
  /// A duration greater than zero.
  Millis duration(const Field& f, std::string_view name) const;
  /// A duration in [min, max]; `min` may be zero (then `0s` is allowed).
  Millis duration(const Field& f, std::string_view name, Millis min, Millis max) const;
  /// A plain decimal number (`30`, `12.5`; no sign, exponent or unit).
  double number(const Field& f, std::string_view name) const;
  /// A size with unit B, KiB or MiB, greater than zero and at most 1024MiB.
  std::size_t size(const Field& f, std::string_view name) const;

  /// A path value resolved against the config file's directory.
  std::string path(const Field& f, std::string_view name) const;
  /// Reads the file named by a `*_file` field; strips one trailing newline.
  std::string read_secret_file(const Field& f, std::string_view name) const;
  /// Reads `value` or `value_file` (at most one may be given); nullopt when neither is.
  std::optional<std::string> value_or_file(const Fields& fields, std::string_view key) const;

  const std::string& file() const { return path_; }

 private:
  std::string path_;
  std::string dir_;
  EnvLookup getenv_;
};

/// Parses `text`, which must hold exactly one YAML document, and returns its root. Syntax
/// errors, an empty file and extra documents throw ConfigError.
YAML::Node load_document(const Reader& reader, const std::string& text);

/// Reads the whole file at `path` into `out`. Returns 0, or the errno of the failure.
int read_file(const std::string& path, std::string& out);

/// "a list", "a mapping", "a scalar" or "nothing", for type errors.
std::string_view describe(const YAML::Node& node);

}  // namespace flywatch::config::detail
