#include "core/html_assets.hpp"

#include <doctest.h>

#include <boost/json.hpp>

#include "core/endpoint.hpp"
#include "testdata_files.hpp"

// Failed checks print the targets. A specialisation of a doctest template: only this test
// file compares vectors of strings.
template <>
struct doctest::StringMaker<std::vector<std::string>> {
  static doctest::String convert(const std::vector<std::string>& v) {
    std::string out = "[";
    for (const auto& s : v) out += (out.size() > 1 ? ", \"" : "\"") + s + "\"";
    return (out + "]").c_str();
  }
};

namespace fc = flywatch::core;
namespace json = boost::json;

namespace {

fc::PageLocation page(std::string_view url) {
  std::string error;
  const auto e = fc::parse_endpoint_url(url, fc::UrlSchemes::http, error);
  REQUIRE_MESSAGE(e.has_value(), error);
  return fc::PageLocation{e->scheme, e->host, e->port, e->target};
}

using Targets = std::vector<std::string>;

Targets find(std::string_view html, std::string_view url = "https://app.example.com/") {
  return fc::find_page_assets(html, page(url), 100).targets;
}

}  // namespace

TEST_CASE("find_page_assets: pages in tests/testdata/html/cases.json") {
  const json::value cases = json::parse(flywatch::test::read_testdata_file("html/cases.json"));
  CHECK(cases.as_array().size() >= 9);
  for (const auto& item : cases.as_array()) {
    const json::object& c = item.as_object();
    CAPTURE(c.at("name").as_string());
    const std::string html =
        flywatch::test::read_testdata_file("html/" + json::value_to<std::string>(c.at("file")));
    const fc::PageAssets got =
        fc::find_page_assets(html, page(json::value_to<std::string>(c.at("page"))), 100);
    CHECK(got.targets == json::value_to<Targets>(c.at("targets")));
    CHECK(got.cross_origin == c.at("cross_origin").to_number<std::size_t>());
    CHECK(got.skipped == 0);
    CHECK_FALSE(got.truncated);
  }
}

TEST_CASE("find_page_assets: max_assets keeps the first, counts the rest once each") {
  const std::string html = flywatch::test::read_testdata_file("html/vite_index.html");
  const fc::PageLocation at = page("https://medio-react-app.fly.dev/");
  fc::PageAssets got = fc::find_page_assets(html, at, 2);
  CHECK(got.targets == Targets{"/assets/index-3f9a1c.js", "/assets/vendor-9b2e4d.js"});
  CHECK(got.skipped == 1);
  got = fc::find_page_assets(html, at, 3);
  CHECK(got.targets.size() == 3);
  CHECK(got.skipped == 0);
  got = fc::find_page_assets(html, at, 0);
  CHECK(got.targets.empty());
  CHECK(got.skipped == 3);

  const std::string repeats = "<script src=/a.js></script><script src=/b.js></script>"
                              "<script src=/a.js></script><script src=/c.js></script>"
                              "<link rel=stylesheet href=/b.js><script src=/c.js></script>";
  got = fc::find_page_assets(repeats, page("https://app.example.com/"), 1);
  CHECK(got.targets == Targets{"/a.js"});
  CHECK(got.skipped == 2);  // /b.js and /c.js, not the repeats
}

TEST_CASE("find_page_assets: duplicates, queries and fragments") {
  CHECK(find("<script src=/app.js?v=2#main></script><script src=/app.js?v=3></script>"
             "<script src='/app.js?v=2'></script><script src=/app.js#x></script>"
             "<script src=/app.js></script><script src=/empty-query.js?></script>") ==
        Targets{"/app.js?v=2", "/app.js?v=3", "/app.js", "/empty-query.js?"});
  // The same asset written three ways is one target.
  CHECK(find("<script src=/x.js></script><script src=https://app.example.com/x.js></script>"
             "<script src=./x.js></script>") == Targets{"/x.js"});
  // A fragment-only reference names the page itself; RFC 3986 keeps the page's query.
  CHECK(find("<script src=#top></script>", "https://app.example.com/p?q=1") == Targets{"/p?q=1"});
  CHECK(find("<link rel=stylesheet href=https://app.example.com>") == Targets{"/"});
  // Dot segments go, also those that would climb above the root, also percent-encoded.
  CHECK(find("<script src=/a/../b/./c.js></script><script src=../../up.js></script>"
             "<script src=/%2e%2e/enc.js></script><script src=/a/%2E./enc2.js></script>"
             "<script src=/..></script>", "https://app.example.com/d/p") ==
        Targets{"/b/c.js", "/up.js", "/enc.js", "/enc2.js", "/"});
  // Cross-origin references are counted once per URL.
  const auto got = fc::find_page_assets(
      "<script src=https://cdn.example.com/a.js></script>"
      "<script src=https://cdn.example.com/a.js#x></script>"
      "<script src=https://cdn.example.com/b.js></script>",
      page("https://app.example.com/"), 10);
  CHECK(got.targets.empty());
  CHECK(got.cross_origin == 2);
}

TEST_CASE("find_page_assets: same origin means scheme, host and port, default ports normalised") {
  struct Case {
    const char* page;
    const char* src;
    bool same;
  };
  const Case cases[] = {
      {"https://h.example/x", "https://h.example:443/a.js", true},
      {"https://h.example:443/x", "https://h.example/a.js", true},
      {"https://h.example:443/x", "/a.js", true},
      {"https://h.example/x", "https://h.example:/a.js", true},  // empty port: the default
      {"https://h.example/x", "https://H.EXAMPLE/a.js", true},
      {"https://h.example/x", "https://h.example:0443/a.js", true},
      {"https://h.example/x", "https://h.example:99999/a.js", false},
      {"http://h.example:80/", "http://h.example/a.js", true},
      {"http://h.example/", "http://h.example:8080/a.js", false},
      {"https://h.example/", "http://h.example:443/a.js", false},
      {"https://h.example/", "http://h.example/a.js", false},
      {"https://h.example:8443/", "/a.js", true},
      {"https://h.example:8443/", "https://h.example/a.js", false},
      {"https://h.example/", "https://www.h.example/a.js", false},
      {"https://h.example/", "https://h.example.evil.test/a.js", false},
      {"https://h.example/", "https://user@h.example/a.js", true},  // userinfo is not origin
      {"http://[::1]:8080/", "/a.js", true},
      {"http://[::1]:8080/", "http://[0:0::1]:8080/a.js", true},
      {"http://[::1]:8080/", "http://[::2]:8080/a.js", false},
      {"http://127.0.0.1/", "http://127.0.0.1:80/a.js", true},
      {"https://h.example/", "ftp://h.example/a.js", false},
      {"https://h.example/", "mailto:ops@h.example", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.page);
    CAPTURE(c.src);
    const auto got = fc::find_page_assets("<script src=\"" + std::string(c.src) + "\"></script>",
                                          page(c.page), 10);
    CHECK(got.targets == (c.same ? Targets{"/a.js"} : Targets{}));
    CHECK(got.cross_origin == (c.same ? 0u : 1u));
  }
}

// Found by tests/fuzz/fuzz_html_assets: Boost.URL 1.81 reads "http://h:8080x.js" as port 8080
// and the path "x.js" (boostorg/url#680), which RFC 3986 and browsers refuse (after an
// authority a path starts with "/"); flywatch fetched "x.js", a request target without "/".
TEST_CASE("find_page_assets: a port followed by anything but /, ? or # is unparsable") {
  for (const char* src : {"http://127.0.0.1:8080before-base.js", "http://127.0.0.1:8080:a.js",
                          "http://127.0.0.1:a.js", "//127.0.0.1:8080x/a.js"}) {
    CAPTURE(src);
    const auto got = fc::find_page_assets("<script src=\"" + std::string(src) + "\"></script>",
                                          page("http://127.0.0.1:8080/app/"), 10);
    CHECK(got.targets == Targets{});
    CHECK(got.cross_origin == 0u);
  }
  CHECK(find("<script src=\"http://127.0.0.1:8080?v=1\"></script>", "http://127.0.0.1:8080/") ==
        Targets{"/?v=1"});
}

// Found by tests/fuzz/fuzz_html_assets: gumbo 0.10.1 never frees a DOCTYPE token met inside
// <noscript> in <head>: a 64 KiB page of them leaked 16,380 small blocks, ~500 KiB of heap, per
// probe. Only a leak checker sees this; the unit tests run under LeakSanitizer in tools/test.
TEST_CASE("find_page_assets: DOCTYPEs inside <noscript> in <head> leave nothing allocated") {
  std::string html = "<!doctype html><head><noscript>";
  for (int i = 0; i < 100; ++i) html += "<!DOCTYPE html PUBLIC \"-//W3C//DTD X//EN\" \"x.dtd\">";
  html += "</noscript><script src=/a.js></script></head><noscript><!DOCTYPE";
  CHECK(find(html) == Targets{"/a.js"});
}

TEST_CASE("find_page_assets: <base href>") {
  // A <base> without href does not count; the first with one does.
  CHECK(find("<base target=_blank><base href=/b/><base href=/c/><script src=x.js></script>") ==
        Targets{"/b/x.js"});
  // A base inside <template> is inert.
  CHECK(find("<template><base href=/t/></template><script src=x.js></script>") ==
        Targets{"/x.js"});
  // An unparsable base is ignored: references resolve against the page.
  CHECK(find("<base href='http://[oops/'><script src=x.js></script>",
             "https://app.example.com/d/p") == Targets{"/d/x.js"});
  // A base on another origin sends relative references there.
  const auto got = fc::find_page_assets(
      "<base href=https://cdn.example.com/lib/><script src=x.js></script>"
      "<script src=/own.js></script><script src=https://app.example.com/abs.js></script>",
      page("https://app.example.com/"), 10);
  CHECK(got.targets == Targets{"/abs.js"});
  CHECK(got.cross_origin == 2);
}

TEST_CASE("find_page_assets: only the first max_html_bytes are parsed") {
  const std::string head = "<script src=/first.js></script>";
  const std::string tail = "<script src=/late.js></script>";
  const std::string filler(fc::default_max_html_bytes, 'x');
  const std::string html = head + filler + tail;

  fc::PageAssets got = fc::find_page_assets(html, page("https://app.example.com/"), 10);
  CHECK(got.targets == Targets{"/first.js"});
  CHECK(got.truncated);
  got = fc::find_page_assets(html, page("https://app.example.com/"), 10, html.size());
  CHECK(got.targets == Targets{"/first.js", "/late.js"});
  CHECK_FALSE(got.truncated);

  // Cut inside a tag: a tag that ends with the input is dropped, as at the end of any body.
  const std::string two = head + tail;
  got = fc::find_page_assets(two, page("https://app.example.com/"), 10, head.size() + 15);
  CHECK(got.targets == Targets{"/first.js"});
  CHECK(got.truncated);
  got = fc::find_page_assets(two, page("https://app.example.com/"), 10, 0);
  CHECK(got.targets.empty());
  CHECK(got.truncated);
}

TEST_CASE("find_page_assets: hostile bodies stay cheap") {
  const fc::PageLocation at = page("https://app.example.com/");
  // Quadratic inputs for gumbo: unparsed past the default bound they would take minutes.
  std::string nested = "<script src=/first.js></script>";
  while (nested.size() < 1024 * 1024) nested += "<ul>";
  fc::PageAssets got = fc::find_page_assets(nested, at, 10);
  CHECK(got.targets == Targets{"/first.js"});
  CHECK(got.truncated);

  std::string attributes = "<script src=/first.js></script><script";
  for (int i = 0; attributes.size() < 1024 * 1024; ++i) attributes += " a" + std::to_string(i);
  got = fc::find_page_assets(attributes + " src=/last.js></script>", at, 10);
  CHECK(got.targets == Targets{"/first.js"});
  CHECK(got.truncated);

  // 2 MiB of open <span> nest 350,000 levels deep: cheap for gumbo, and the tree must be
  // walked and freed without a stack frame per level.
  std::string deep;
  while (deep.size() < 2 * 1024 * 1024) deep += "<span>";
  deep += "<script src=/deep.js></script>";
  got = fc::find_page_assets(deep, at, 10, deep.size());
  CHECK(got.targets == Targets{"/deep.js"});
  CHECK_FALSE(got.truncated);

  // NUL bytes and invalid UTF-8 are parse errors, not the end of the page.
  using namespace std::string_literals;
  CHECK(find("\0\xff\xfe<script src=/a.js></script>\xc3(\0<script src=/b.js></script>"s) ==
        Targets{"/a.js", "/b.js"});
  CHECK(find("").empty());
  CHECK(find("<script src=/a.js").empty());
}

TEST_CASE("find_page_assets: a page without an http(s) origin finds nothing") {
  const std::string html =
      "<script src=/a.js></script><script src=https://h.example/b.js></script>";
  CHECK(fc::find_page_assets(html, fc::PageLocation{"ftp", "h.example", 21, "/"}, 10)
            .targets.empty());
  CHECK(fc::find_page_assets(html, fc::PageLocation{"https", "", 443, "/"}, 10).targets.empty());
  // A target without its leading "/" is read as if it had one.
  CHECK(fc::find_page_assets("<script src=b.js></script>",
                             fc::PageLocation{"https", "h.example", 443, "dir/page"}, 10)
            .targets == Targets{"/dir/b.js"});
}

TEST_CASE("is_html_content_type") {
  for (const char* yes : {"text/html", "text/html; charset=utf-8", "TEXT/HTML;charset=UTF-8",
                          " text/html ", "text/html\t;q=1", "application/xhtml+xml",
                          "Application/XHTML+XML; charset=utf-8"}) {
    CAPTURE(yes);
    CHECK(fc::is_html_content_type(yes));
  }
  for (const char* no : {"", "text/plain", "text/htmlx", "text/html2", "xtext/html",
                         "application/json", "text/xml", "application/xhtml", "text /html",
                         "text/html, text/plain", ";text/html"}) {
    CAPTURE(no);
    CHECK_FALSE(fc::is_html_content_type(no));
  }
}
