#include "core/endpoint.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/ascii.hpp"

namespace flywatch::core {

namespace {

std::optional<std::uint16_t> parse_port(std::string_view s) {
  if (s.empty()) return std::nullopt;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
    if (v > 65535) return std::nullopt;
  }
  return static_cast<std::uint16_t>(v);
}

std::optional<Endpoint> parse_http_url(std::string_view s, std::string& error) {
  const auto parsed = boost::urls::parse_uri(s);
  // Boost.URL 1.81 reads "https://h:8443health" as port 8443 and the path "health"
  // (boostorg/url#680); after an authority RFC 3986 has a path start with "/".
  const auto rootless = [](boost::urls::url_view u) {
    return u.has_authority() && !u.encoded_path().empty() && !u.encoded_path().starts_with('/');
  };
  if (!parsed || rootless(*parsed)) {
    error = "not a valid absolute URL";
    return std::nullopt;
  }
  const boost::urls::url_view u = *parsed;
  Endpoint out;
  out.scheme = ascii_lower(u.scheme());
  if (out.scheme != "http" && out.scheme != "https") {
    error = "scheme must be http or https";
    return std::nullopt;
  }
  if (!u.has_authority() || u.encoded_host().empty()) {
    error = "a host is required";
    return std::nullopt;
  }
  if (u.has_userinfo()) {
    error = "credentials in the URL are not allowed (use headers or bearer_token)";
    return std::nullopt;
  }
  if (u.has_fragment()) {
    error = "a fragment (#...) is not allowed";
    return std::nullopt;
  }
  switch (u.host_type()) {
    case boost::urls::host_type::ipv6:
      out.host = u.host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::name:
      if (u.encoded_host().find('%') != boost::core::string_view::npos) {
        error = "percent-encoded host names are not supported";
        return std::nullopt;
      }
      out.host = std::string(u.encoded_host());
      break;
    default:
      error = "unsupported host";
      return std::nullopt;
  }
  if (u.has_port()) {
    const auto port = parse_port(u.port());
    if (!port || *port == 0) {
      error = "port must be a number from 1 to 65535";
      return std::nullopt;
    }
    out.port = *port;
  } else {
    out.port = out.scheme == "https" ? 443 : 80;
  }
  out.target = std::string(u.encoded_path());
  if (out.target.empty()) out.target = "/";
  if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
  return out;
}

}  // namespace

std::optional<Endpoint> parse_endpoint_url(std::string_view url, UrlSchemes schemes,
                                           std::string& error) {
  const std::size_t sep = url.find("://");
  const std::string scheme = sep == std::string_view::npos ? "" : ascii_lower(url.substr(0, sep));
  const bool raw = scheme == "tcp" || scheme == "tls";
  if (schemes == UrlSchemes::http || !raw) {
    auto parsed = parse_http_url(url, error);
    if (!parsed && schemes == UrlSchemes::http_and_raw && error == "scheme must be http or https") {
      error = "scheme must be http, https, tcp or tls";
    }
    return parsed;
  }
  // tcp:// and tls:// name an endpoint, not a resource: a host and an explicit port, nothing
  // else. The rest of such a URL is checked as an http:// URL (same host rules, same messages).
  auto parsed = parse_http_url("http" + std::string(url.substr(sep)), error);
  if (!parsed) return parsed;
  const auto u = boost::urls::parse_uri(url);
  if (!u || !u->has_port()) {
    error = "a " + scheme + ":// URL needs a port (" + scheme + "://host:port)";
    return std::nullopt;
  }
  if (!(u->encoded_path().empty() || u->encoded_path() == "/") || u->has_query()) {
    error = "a " + scheme + ":// URL has no path or query (" + scheme + "://host:port)";
    return std::nullopt;
  }
  parsed->scheme = scheme;
  parsed->target.clear();
  return parsed;
}

}  // namespace flywatch::core
