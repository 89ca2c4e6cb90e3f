// html_escape: exact output for markup, quotes, ampersands, controls and UTF-8, valid or not.
#include <doctest.h>

#include <string>
#include <string_view>

#include "report/html.hpp"

using flywatch::report::append_html_escaped;
using flywatch::report::html_escape;

TEST_CASE("html_escape: markup characters become entities") {
  CHECK(html_escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;");
  CHECK(html_escape("a & b") == "a &amp; b");
  CHECK(html_escape("&amp;") == "&amp;amp;");  // already escaped text is escaped again
  CHECK(html_escape("\"double\" 'single'") == "&quot;double&quot; &#39;single&#39;");
  CHECK(html_escape("x\" onmouseover=\"alert(1)") == "x&quot; onmouseover=&quot;alert(1)");
  CHECK(html_escape("<img src=x onerror='alert(1)'>") ==
        "&lt;img src=x onerror=&#39;alert(1)&#39;&gt;");
  CHECK(html_escape("plain text, 200 OK: /health?x=1") == "plain text, 200 OK: /health?x=1");
  CHECK(html_escape("") == "");
}

TEST_CASE("html_escape: valid UTF-8 is kept") {
  CHECK(html_escape("r\xc3\xa9gion \xe2\x82\xac \xf0\x9f\x9a\x80 \xe6\x9d\xb1\xe4\xba\xac") ==
        "r\xc3\xa9gion \xe2\x82\xac \xf0\x9f\x9a\x80 \xe6\x9d\xb1\xe4\xba\xac");
}

TEST_CASE("html_escape: invalid UTF-8 becomes U+FFFD, one per byte") {
  // A lone continuation byte, a truncated sequence, an overlong '<' (which must not become one),
  // a surrogate, a byte that never appears in UTF-8.
  CHECK(html_escape("a\x80z") == "a\xef\xbf\xbdz");
  CHECK(html_escape("\xc3") == "\xef\xbf\xbd");
  CHECK(html_escape("\xc0\xbcscript\xc0\xbe") ==
        "\xef\xbf\xbd\xef\xbf\xbdscript\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(html_escape("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(html_escape("\xff<") == "\xef\xbf\xbd&lt;");
}

TEST_CASE("html_escape: control characters other than tab, LF and CR become U+FFFD") {
  CHECK(html_escape(std::string_view("a\0b", 3)) == "a\xef\xbf\xbd" "b");
  CHECK(html_escape("\x01\x1b[31m\x7f") == "\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd");
  CHECK(html_escape("tab\tline\ncr\r") == "tab\tline\ncr\r");
}

TEST_CASE("append_html_escaped appends") {
  std::string out = "<b>";
  append_html_escaped(out, "<i>");
  CHECK(out == "<b>&lt;i&gt;");
}
