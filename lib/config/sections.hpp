#pragma once
/// Parsers for the sections of a config file, each filling its part of Config. Internal.

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace flywatch::config::detail {

/// `targets:` (a list, possibly empty or null) with `defaults` applied.
std::vector<Target> parse_targets(const Reader& reader, const Field& field,
                                  const Defaults& defaults);

}  // namespace flywatch::config::detail
