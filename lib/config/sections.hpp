#pragma once
/// Parsers for the sections of a config file, each filling its part of Config. Internal.

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace flywatch::config::detail {

/// `targets:` (a list, possibly empty or null) with `defaults` applied.
std::vector<Target> parse_targets(const Reader& reader, const Field& field,
                                  const Defaults& defaults);

/// The entries of the list `node` (at `pos`; `list` names it in a not-a-list error): each must
/// be a mapping (else "<entries>: each entry must be a mapping, got …") and is parsed by
/// `parse(entry, where)`; an entry whose name (`name_of`) repeats an earlier one's fails at its
/// `name` with "<duplicate> "<name>" (first at line N)" (entries carry `line`). The one loop of
/// targets, journeys, their steps and gate phases.
template <class Parse, class NameOf>
auto parse_unique_entries(const Reader& r, const YAML::Node& node, Pos pos, const std::string& list,
                          std::string_view entries, std::string_view duplicate, Parse parse,
                          NameOf name_of) {
  std::vector<decltype(parse(node, pos))> out;
  r.require_sequence(node, pos, list);
  for (const YAML::Node& item : node) {
    const Pos where = pos_of(item, node);
    if (!item.IsMap()) {
      r.fail(where, std::string(entries) + ": each entry must be a mapping, got " +
                        std::string(describe(item)));
    }
    auto entry = parse(item, where);
    for (const auto& other : out) {
      if (name_of(other) == name_of(entry)) {
        r.fail(pos_of(item["name"], item), std::string(duplicate) + " \"" + name_of(entry) +
                                               "\" (first at line " + std::to_string(other.line) +
                                               ")");
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

/// `journeys:` (a list, possibly empty or null) with `defaults` applied. Their `app` is not
/// checked here (the fly section may come later).
std::vector<Journey> parse_journeys(const Reader& reader, const Field& field,
                                    const Defaults& defaults);

/// What a `gate:` may name.
struct GateNames {
  const std::vector<Target>& targets;
  const std::vector<Journey>& journeys;
  const std::optional<FlyConfig>& fly;
};

/// `gate:`, whose phases name entries of `names`.
GateConfig parse_gate_section(const Reader& reader, const Field& field, const GateNames& names);

/// `expect:` of a target or a journey step whose URL has `scheme`; keys of another kind are
/// refused.
core::Expectation parse_expect(const Reader& r, const Field& field, std::string_view scheme);

/// Refuses each of `keys` present in `fields` (named `prefix` + key): they make no sense for a
/// `scheme` target.
void refuse(const Reader& r, const Fields& fields, std::string_view prefix,
            std::initializer_list<std::string_view> keys, std::string_view scheme);

/// `source` compiled, or a failure at `pos`: "<name>: invalid regular expression: …".
core::Pattern compile_pattern(const Reader& r, const std::string& source, Pos pos,
                              std::string_view name);

/// A header name given as a mapping key: fails unless it is an HTTP token; returns it.
std::string header_name(const Reader& r, const Field& f, std::string_view section);

/// A `headers:` mapping of request headers, in order: names must be HTTP tokens, values free of
/// control characters. Values may hold credentials, so no message repeats them.
std::vector<std::pair<std::string, std::string>> parse_header_map(const Reader& r, const Field& f,
                                                                  std::string_view section);

/// The URL `url` (the value of `f`) parsed by core::parse_endpoint_url, or a failure at the
/// value: "<label>: <error>". A URL with credentials is told to put them in `credentials_in`
/// (e.g. "headers"). The one URL check of targets, sinks and the Fly API.
core::Endpoint parse_url(const Reader& r, const Field& f, const std::string& url,
                         std::string_view label, core::UrlSchemes schemes,
                         std::string_view credentials_in);

/// A `tls:` mapping (ca_file must be readable now).
TlsConfig parse_tls(const Reader& r, const Field& field);

/// `shard: {index, count}`: both required, 1 <= count <= core::max_shard_count and
/// 0 <= index < count.
core::Shard parse_shard_section(const Reader& r, const Field& field);

}  // namespace flywatch::config::detail
