#include "core/html_assets.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <unordered_set>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <gumbo.h>

#include "core/ascii.hpp"

namespace flywatch::core {

namespace {

namespace urls = boost::urls;

constexpr std::string_view ascii_whitespace = " \t\n\f\r";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s, std::string_view chars) {
  const auto first = s.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(chars) - first + 1);
}

// --- The HTML side: which elements name an asset. ---

// The HTML standard's "JavaScript MIME type essence match": a <script type> that is none of
// these (nor empty nor "module") is a data block, which the browser never fetches.
constexpr std::array<std::string_view, 16> javascript_mime_types = {
    "application/ecmascript", "application/javascript", "application/x-ecmascript",
    "application/x-javascript", "text/ecmascript", "text/javascript", "text/javascript1.0",
    "text/javascript1.1", "text/javascript1.2", "text/javascript1.3", "text/javascript1.4",
    "text/javascript1.5", "text/jscript", "text/livescript", "text/x-ecmascript",
    "text/x-javascript"};

const char* attribute(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a ? a->value : nullptr;
}

bool is_fetched_script(const GumboElement& e) {
  const char* type = attribute(e, "type");
  if (!type) return true;
  const std::string_view t = trim(type, ascii_whitespace);
  if (t.empty() || ascii_iequals(t, "module")) return true;
  return std::any_of(javascript_mime_types.begin(), javascript_mime_types.end(),
                     [&](std::string_view js) { return ascii_iequals(t, js); });
}

bool rel_names_asset(std::string_view rel) {
  while (!rel.empty()) {
    const auto start = rel.find_first_not_of(ascii_whitespace);
    if (start == std::string_view::npos) break;
    rel.remove_prefix(start);
    const std::string_view token = rel.substr(0, rel.find_first_of(ascii_whitespace));
    if (ascii_iequals(token, "stylesheet") || ascii_iequals(token, "modulepreload")) return true;
    rel.remove_prefix(token.size());
  }
  return false;
}

// The raw attribute values that matter, in document order. They point into the parse tree.
struct Found {
  const char* base_href = nullptr;
  // How many references come before the <base>: a browser fetches each asset as its element
  // is inserted, so those resolve against the page itself.
  std::size_t before_base = 0;
  std::vector<std::string_view> references;
};

// A preorder walk with an explicit stack: a hostile page may nest thousands of levels deep.
Found collect(const GumboNode* root) {
  Found found;
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    // GUMBO_NODE_TEMPLATE is a <template>: its contents are inert until a script clones them.
    if (node->type != GUMBO_NODE_ELEMENT) continue;
    const GumboElement& e = node->v.element;
    // SVG and MathML have their own <script>, <a>..., but HTML inside <foreignObject> counts.
    if (e.tag_namespace == GUMBO_NAMESPACE_HTML) {
      // gumbo parses <noscript> as if scripts were off; a browser running them ignores it.
      if (e.tag == GUMBO_TAG_NOSCRIPT) continue;
      const char* ref = nullptr;
      if (e.tag == GUMBO_TAG_BASE && !found.base_href) {
        found.base_href = attribute(e, "href");
        found.before_base = found.references.size();
      } else if (e.tag == GUMBO_TAG_SCRIPT && is_fetched_script(e)) {
        ref = attribute(e, "src");
      } else if (e.tag == GUMBO_TAG_LINK) {
        const char* rel = attribute(e, "rel");
        if (rel && rel_names_asset(rel)) ref = attribute(e, "href");
      }
      if (ref) found.references.emplace_back(ref);
    }
    for (unsigned i = e.children.length; i > 0; --i) {
      stack.push_back(static_cast<const GumboNode*>(e.children.data[i - 1]));
    }
  }
  return found;
}

// gumbo 0.10.1 leaks some of what it allocates (the strings of a DOCTYPE token met inside
// <noscript> in <head>, which it ignores without freeing), so every parse keeps a set of its
// live allocations and frees what gumbo left behind.
using LiveAllocations = std::unordered_set<void*>;

void* gumbo_malloc(void* live, std::size_t size) {
  void* p = std::malloc(size);
  if (p) static_cast<LiveAllocations*>(live)->insert(p);
  return p;
}
void gumbo_free(void* live, void* p) {
  if (p) static_cast<LiveAllocations*>(live)->erase(p);
  std::free(p);
}

// One gumbo parse tree, freed on destruction, leaks included.
class ParsedHtml {
 public:
  explicit ParsedHtml(std::string_view html) {
    options_.allocator = gumbo_malloc;
    options_.deallocator = gumbo_free;
    options_.userdata = &live_;
    // Each recorded parse error copies the whole open-element stack, which makes deep nesting
    // cost quadratic memory and time; nothing here reads the errors.
    options_.max_errors = 0;
    output_ = gumbo_parse_with_options(&options_, html.empty() ? "" : html.data(), html.size());
  }
  ~ParsedHtml() {
    flatten();
    gumbo_destroy_output(&options_, output_);
    for (void* p : live_) std::free(p);
  }
  ParsedHtml(const ParsedHtml&) = delete;
  ParsedHtml& operator=(const ParsedHtml&) = delete;

  const GumboNode* root() const { return output_->root; }

 private:
  // gumbo frees a tree recursively, one stack frame per level. Hanging every node directly
  // under the document first keeps that recursion one level deep however deep the page nests.
  void flatten() {
    GumboVector& top = output_->document->v.document.children;
    std::vector<GumboNode*> all;
    std::vector<GumboNode*> stack;
    for (unsigned i = 0; i < top.length; ++i) stack.push_back(static_cast<GumboNode*>(top.data[i]));
    while (!stack.empty()) {
      GumboNode* node = stack.back();
      stack.pop_back();
      all.push_back(node);
      if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) continue;
      const GumboVector& children = node->v.element.children;
      for (unsigned i = 0; i < children.length; ++i) {
        stack.push_back(static_cast<GumboNode*>(children.data[i]));
      }
    }
    // Through the options' allocator, which gumbo frees the array with.
    const std::size_t bytes = std::max<std::size_t>(all.size(), 1) * sizeof(void*);
    auto* data = static_cast<void**>(gumbo_malloc(&live_, bytes));
    if (!data) return;  // then gumbo's own recursion frees it
    for (GumboNode* node : all) {
      if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE) {
        node->v.element.children.length = 0;  // the array itself is still freed with the node
      }
    }
    std::copy(all.begin(), all.end(), data);
    gumbo_free(&live_, top.data);
    top.data = data;
    top.length = static_cast<unsigned>(all.size());
    top.capacity = top.length;
  }

  LiveAllocations live_;
  GumboOptions options_ = kGumboDefaultOptions;
  GumboOutput* output_ = nullptr;
};

// --- The URL side: resolving and comparing origins. ---

// The URL Standard's clean-up of an attribute value: leading and trailing C0 controls and
// spaces go, tabs and newlines anywhere go.
std::string clean_reference(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
  std::string out;
  for (char c : s) {
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  }
  return out;
}

// Browsers percent-encode what RFC 3986 forbids (spaces, non-ASCII bytes, "<>^`{|}"...), which
// Boost.URL would reject, so do that first. A backslash (browsers read it as "/") and a stray
// "%" are left, and make the reference unparsable.
std::string encode_forbidden(std::string_view s) {
  constexpr std::string_view kept = "-._~:/?#[]@!$&'()*+,;=%\\";
  constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    const bool alnum = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
    if (alnum || kept.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 0xF];
    }
  }
  return out;
}

// The scheme a reference starts with, lower-case; "" for a relative reference.
std::string scheme_of(std::string_view ref) {
  const auto colon = ref.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  for (std::size_t i = 0; i < colon; ++i) {
    const char c = ref[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && !(i > 0 && other)) return "";
  }
  return lower(ref.substr(0, colon));
}

bool is_dot_dot(std::string_view segment) {
  return segment == ".." || ascii_iequals(segment, ".%2e") || ascii_iequals(segment, "%2e.") ||
         ascii_iequals(segment, "%2e%2e");
}

// Boost.URL 1.81 keeps the ".." segments that climb above the root (boostorg/url#808), where
// RFC 3986 §5.2.4 and browsers drop them: "/../a.js" is "/a.js".
std::string_view drop_dot_dots_above_root(std::string_view path) {
  while (path.starts_with('/')) {
    const std::size_t end = std::min(path.find('/', 1), path.size());
    if (!is_dot_dot(path.substr(1, end - 1))) break;
    path.remove_prefix(end);
  }
  return path;
}

// Boost.URL 1.81 reads "http://h:80x/a" as port "80" and path "x/a", and "http://h:8:0" as
// port "8:0" (boostorg/url#680); RFC 3986 and browsers refuse both: a port is digits, and after
// an authority a path is empty or starts with "/".
bool rfc3986_authority(urls::url_view u) {
  if (!u.has_authority()) return true;
  const std::string_view port = u.port();
  if (port.find_first_not_of("0123456789") != std::string_view::npos) return false;
  const std::string_view path = u.encoded_path();
  return path.empty() || path.starts_with('/');
}

// `cleaned` (see clean_reference) resolved against `base`. Its fragment, which never reaches the
// server, is cut first; that also spares a "#" that RFC 3986 does not allow inside a fragment.
std::optional<urls::url> resolve_reference(urls::url_view base, std::string_view cleaned) {
  const std::string reference = encode_forbidden(cleaned.substr(0, cleaned.find('#')));
  const auto ref = urls::parse_uri_reference(reference);
  if (!ref || !rfc3986_authority(*ref)) return std::nullopt;
  urls::url out;
  if (!urls::resolve(base, *ref, out)) return std::nullopt;
  return out;
}

struct Origin {
  std::string scheme;
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const Origin&) const = default;
};

// The origin of an http(s) URL with a host; nullopt for anything else.
std::optional<Origin> origin_of(urls::url_view u) {
  Origin o;
  o.scheme = lower(u.scheme());
  if ((o.scheme != "http" && o.scheme != "https") || !u.has_authority()) return std::nullopt;
  switch (u.host_type()) {
    case urls::host_type::ipv6:
      o.host = u.host_ipv6_address().to_string();
      break;
    case urls::host_type::ipv4:
    case urls::host_type::name:
      o.host = lower(u.encoded_host());
      break;
    default:
      return std::nullopt;
  }
  if (o.host.empty()) return std::nullopt;
  o.port = o.scheme == "https" ? 443 : 80;
  if (const std::string_view port = u.port(); !port.empty()) {  // "h:" has the default port
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), o.port);
    if (ec != std::errc() || end != port.data() + port.size()) return std::nullopt;
  }
  return o;
}

std::string target_of(urls::url_view u) {
  std::string target(drop_dot_dots_above_root(u.encoded_path()));
  if (target.empty()) target = "/";
  if (u.has_query()) target += "?" + std::string(u.encoded_query());
  return target;
}

std::optional<urls::url> page_url(const PageLocation& page) {
  std::string s = lower(page.scheme) + "://";
  s += page.host.find(':') != std::string::npos ? "[" + page.host + "]" : page.host;
  s += ":" + std::to_string(page.port);
  const std::string_view target = std::string_view(page.target).substr(0, page.target.find('#'));
  if (!target.starts_with('/')) s += '/';
  s += encode_forbidden(target);
  const auto parsed = urls::parse_uri(s);
  if (!parsed) return std::nullopt;
  return urls::url(*parsed);
}

}  // namespace

PageAssets find_page_assets(std::string_view html, const PageLocation& page,
                            std::size_t max_assets, std::size_t max_html_bytes) {
  PageAssets out;
  out.truncated = html.size() > max_html_bytes;
  const auto page_location = page_url(page);
  const auto page_origin = page_location ? origin_of(*page_location) : std::nullopt;
  if (!page_origin) return out;  // nothing can be same-origin with a page that has no origin

  const ParsedHtml parsed(html.substr(0, max_html_bytes));
  const Found found = collect(parsed.root());

  // The first <base href> sets the base of the references after it; an unparsable one is
  // ignored, as browsers do.
  urls::url base = *page_location;
  if (found.base_href) {
    if (auto b = resolve_reference(*page_location, clean_reference(found.base_href))) {
      base = std::move(*b);
    }
  }

  std::unordered_set<std::string> seen;
  std::unordered_set<std::string> foreign;
  for (std::size_t i = 0; i < found.references.size(); ++i) {
    const std::string cleaned = clean_reference(found.references[i]);
    if (cleaned.empty()) continue;
    const std::string scheme = scheme_of(cleaned);
    if (scheme == "data" || scheme == "javascript" || scheme == "blob") continue;
    const bool after_base = found.base_href && i >= found.before_base;
    const auto resolved = resolve_reference(after_base ? base : *page_location, cleaned);
    if (!resolved) continue;
    if (origin_of(*resolved) != page_origin) {
      if (foreign.insert(std::string(resolved->buffer())).second) ++out.cross_origin;
      continue;
    }
    std::string target = target_of(*resolved);
    if (!seen.insert(target).second) continue;
    if (out.targets.size() < max_assets) {
      out.targets.push_back(std::move(target));
    } else {
      ++out.skipped;
    }
  }
  return out;
}

bool is_html_content_type(std::string_view content_type) {
  const std::string_view essence = trim(content_type.substr(0, content_type.find(';')), " \t");
  return ascii_iequals(essence, "text/html") || ascii_iequals(essence, "application/xhtml+xml");
}

}  // namespace flywatch::core
