// The status page's parts: durations, ages, state colours, lenient JSON reads, the builder.
#include <doctest.h>

#include <chrono>
#include <string>

#include <boost/json.hpp>

#include "report/page_parts.hpp"

using namespace flywatch::report::detail;
using namespace std::chrono_literals;

TEST_CASE("format_seconds: ms below a second, seconds below a minute, then minutes") {
  CHECK(format_seconds(0.0) == "0 ms");
  CHECK(format_seconds(0.0123) == "12 ms");
  CHECK(format_seconds(0.9994) == "999 ms");
  CHECK(format_seconds(0.9996) == "1.00 s");
  CHECK(format_seconds(1.5) == "1.50 s");
  CHECK(format_seconds(3.507) == "3.51 s");
  CHECK(format_seconds(59.99) == "59.99 s");
  CHECK(format_seconds(59.996) == "1m 00s");
  CHECK(format_seconds(125.4) == "2m 05s");
  CHECK(format_seconds(1e300) == "1e+300 s");
  CHECK(format_seconds(std::nullopt) == "\xe2\x80\x94");
  CHECK(format_seconds(-1.0) == "\xe2\x80\x94");
}

TEST_CASE("format_age: seconds, minutes, hours, days") {
  CHECK(format_age(-5s) == "0s");
  CHECK(format_age(999ms) == "0s");
  CHECK(format_age(42s) == "42s");
  CHECK(format_age(185s) == "3m 05s");
  CHECK(format_age(2h + 7min + 30s) == "2h 07m");
  CHECK(format_age(std::chrono::hours(24 * 3 + 4) + 59min) == "3d 04h");
}

TEST_CASE("tone_of: four colours, whatever the word") {
  for (const char* w : {"up", "healthy", "passing", "awake"}) CHECK(tone_of(w) == "ok");
  for (const char* w : {"down", "unhealthy", "failed", "failing", "critical", "abandoned", "error"}) {
    CHECK(tone_of(w) == "bad");
  }
  for (const char* w : {"starting", "started", "pending", "unknown", "slow", "warning"}) {
    CHECK(tone_of(w) == "warn");
  }
  for (const char* w : {"stopped", "suspended", "asleep", "none", "not probed", "info", "",
                        "\" onclick=\"x", "<script>"}) {
    CHECK(tone_of(w) == "idle");
  }
}

TEST_CASE("lenient reads: missing or mistyped members are empty, never an exception") {
  const auto o = boost::json::parse(
      R"({"s":"text","i":-3,"u":18446744073709551615,"d":0.25,"b":true,"n":null,"a":[1],"o":{}})")
                     .as_object();
  CHECK(text_at(o, "s") == "text");
  CHECK(text_at(o, "i") == "-3");
  CHECK(text_at(o, "u") == "18446744073709551615");
  CHECK(text_at(o, "d") == "0.25");
  CHECK(text_at(o, "b") == "true");
  CHECK(text_at(o, "n") == "");
  CHECK(text_at(o, "a") == "");
  CHECK(text_at(o, "o") == "");
  CHECK(text_at(o, "missing") == "");
  CHECK(number_at(o, "d") == 0.25);
  CHECK(number_at(o, "i") == -3.0);
  CHECK_FALSE(number_at(o, "s").has_value());
  CHECK(flag_at(o, "b"));
  CHECK_FALSE(flag_at(o, "s"));
  CHECK(list_at(o, "a").size() == 1);
  CHECK(list_at(o, "o").empty());
  CHECK(object_at(o, "o") != nullptr);
  CHECK(object_at(o, "a") == nullptr);
  CHECK(failure_text(boost::json::parse(R"({"success":true,"reason":"none"})").as_object()) == "");
  CHECK(failure_text(boost::json::parse(R"({"success":false,"reason":"status","error":"got 503"})")
                         .as_object()) == "status: got 503");
  CHECK(failure_text(boost::json::parse(R"({"success":false,"reason":"timeout"})").as_object()) ==
        "timeout");
}

TEST_CASE("Html: ages, badges, cells and tables") {
  const auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764261667299));
  const boost::json::value at("2025-11-27T16:40:02.000Z");
  const boost::json::value garbage("yesterday <b>");
  const boost::json::value number(5);
  const boost::json::value future("9999-12-31T23:59:59Z");
  Html h;
  h.age(&at, now).raw("|").age(&garbage, now).raw("|").age(&number, now).raw("|").age(nullptr, now);
  CHECK(h.str() ==
        "<time datetime=\"2025-11-27T16:40:02.000Z\" title=\"2025-11-27T16:40:02.000Z\">1m 05s "
        "ago</time>|yesterday &lt;b&gt;|\xe2\x80\x94|\xe2\x80\x94");
  Html f;
  f.age(&future, now);  // in the future: 0s, and no overflow on the way
  CHECK(f.str() ==
        "<time datetime=\"9999-12-31T23:59:59Z\" title=\"9999-12-31T23:59:59Z\">0s ago</time>");
  Html b;
  b.badge("up").badge("<x>").chip("a=\"b\"").cell("id", "m<1>");
  CHECK(b.str() ==
        "<span class=\"badge ok\">up</span><span class=\"badge idle\">&lt;x&gt;</span>"
        "<span class=\"chip\">a=&quot;b&quot;</span><td class=\"id\">m&lt;1&gt;</td>");
  Html t;
  t.open_table("A|B").close_table();
  CHECK(t.str() ==
        "<div class=\"scroll\"><table><thead><tr><th>A</th><th>B</th></tr></thead><tbody>\n"
        "</tbody></table></div>\n");
  Html o;
  o.outcome(boost::json::parse(R"({"success":true,"status_code":200})").as_object()).raw("|");
  o.outcome(boost::json::parse(R"({"success":true,"status_code":null})").as_object()).raw("|");
  o.outcome(boost::json::parse(R"({"success":false,"reason":"body","error":"<b>"})").as_object());
  CHECK(o.str() ==
        "<span class=\"badge ok\">passing</span> 200|<span class=\"badge ok\">passing</span>|"
        "<span class=\"badge bad\">failing</span> <span class=\"reason\">body: &lt;b&gt;</span>");
}
