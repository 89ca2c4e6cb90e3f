#pragma once
/// The same-origin assets an HTML page names (DESIGN §12, expect.assets): which scripts,
/// stylesheets and module preloads a browser would fetch to render it, as request targets on
/// the page's own origin. The HTML is parsed by gumbo (an HTML5 tokenizer and tree builder),
/// the references are resolved by Boost.URL (RFC 3986). Pure.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flywatch::core {

/// The page an HTML body came from, for resolving its references.
struct PageLocation {
  std::string scheme;      ///< "http" or "https"
  std::string host;        ///< lower-case; an IPv6 address without brackets
  std::uint16_t port = 0;  ///< explicit or default
  std::string target;      ///< path and query of the page, e.g. "/" or "/app/index.html?x=1"
};

/// What find_page_assets() found.
struct PageAssets {
  /// Origin-relative targets (path and query, no fragment), in document order, distinct.
  std::vector<std::string> targets;
  std::size_t cross_origin = 0;  ///< distinct references to another origin (or a non-http scheme)
  std::size_t skipped = 0;       ///< distinct same-origin targets past `max_assets`
  /// The body was longer than `max_html_bytes`: assets named after that point were not seen.
  bool truncated = false;
};

/// How much of a body find_page_assets() parses by default. gumbo 0.10 has no limit on tree
/// depth or attributes per tag, and its scope checks scan the open-element stack and its
/// duplicate-attribute check scans the tag's attributes, so hostile input (thousands of nested
/// <ul>, or one tag with thousands of attributes) costs time quadratic in its size: measured
/// ~0.1 s for 32 KiB, ~0.4 s for 64 KiB, ~5 s for 256 KiB. 64 KiB holds any single-page app's
/// index.html and the <head> of a server-rendered page, where bundlers put their assets.
inline constexpr std::size_t default_max_html_bytes = 64 * 1024;

/// The assets a page needs to render: every <script src> (no type, "module" or a JavaScript
/// MIME type; a data block such as type="application/json" is never fetched) and every
/// <link rel=stylesheet href> or <link rel=modulepreload href> (rel is a case-insensitive token
/// list, e.g. "Stylesheet preload"). Elements inside <template> or <noscript> (a browser that
/// runs scripts fetches neither) or in SVG or MathML do not count. A reference resolves
/// (RFC 3986) against the first <base href> when it comes after it, else against the page, as a
/// browser fetches each asset when the parser inserts its element. Kept only when same-origin
/// (scheme, host and port equal, default ports normalised), as origin-relative targets (path
/// and query, fragment dropped), in document order, without duplicates, at most `max_assets`
/// (the rest are counted in `skipped`). Ignores data:, javascript:, blob:, empty and unparsable
/// references (unparsable: rejected by RFC 3986 even after percent-encoding what browsers
/// encode, e.g. a backslash or a stray "%"); counts cross-origin ones in `cross_origin`. Parses
/// only the first `max_html_bytes` of `html` (see default_max_html_bytes). A page without an
/// http(s) origin finds nothing.
PageAssets find_page_assets(std::string_view html, const PageLocation& page,
                            std::size_t max_assets,
                            std::size_t max_html_bytes = default_max_html_bytes);

/// True when a response's content-type header value is HTML (text/html,
/// application/xhtml+xml; parameters, surrounding white space and case ignored).
bool is_html_content_type(std::string_view content_type);

}  // namespace flywatch::core
