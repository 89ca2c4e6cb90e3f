#pragma once
/// Parsers for the sections of a config file, each filling its part of Config. Internal.

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace flywatch::config::detail {

/// `targets:` (a list, possibly empty or null) with `defaults` applied.
std::vector<Target> parse_targets(const Reader& reader, const Field& field,
                                  const Defaults& defaults);

/// A header name given as a mapping key: fails unless it is an HTTP token; returns it.
std::string header_name(const Reader& r, const Field& f, std::string_view section);

/// A `tls:` mapping (ca_file must be readable now).
TlsConfig parse_tls(const Reader& r, const Field& field);

}  // namespace flywatch::config::detail
