#pragma once
/// Pure validators for the textual values in a config file: names, HTTP tokens, sizes,
/// and listen addresses (URLs: core::parse_endpoint_url). No YAML here.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flywatch::config::detail {

/// `s` in double quotes, for messages about names and keys (never for secrets).
inline std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

/// Target names become metric label values and log keys: [A-Za-z0-9_.-]+.
bool is_valid_name(std::string_view s);

/// An HTTP token (RFC 9110 §5.6.2): one or more tchar.
bool is_http_token(std::string_view s);

/// A request method: an HTTP token without lower-case letters.
bool is_method(std::string_view s);

/// True when `s` contains a control character other than horizontal tab (so it cannot be sent
/// as a header value).
bool has_control_char(std::string_view s);

/// Parses a size: digits followed by B, KiB or MiB (`512KiB`, `1MiB`). nullopt on anything
/// else or on overflow of `limit`.
std::optional<std::size_t> parse_size(std::string_view s, std::size_t limit);

/// Parses a decimal port, 0–65535, digits only.
std::optional<std::uint16_t> parse_port(std::string_view s);

struct ListenAddress {
  std::string host;  ///< IPv6 without brackets
  std::uint16_t port = 0;
};

/// Parses `host:port` where host is an IPv4 literal, `[IPv6]` or `localhost`. Port 0 (any free
/// port) is allowed. On failure returns nullopt and sets `error`.
std::optional<ListenAddress> parse_listen(std::string_view s, std::string& error);

}  // namespace flywatch::config::detail
