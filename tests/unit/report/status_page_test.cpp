// The status page from a status document: each section's rows, exactly; hostile text rendered
// inert; the head (viewport, refresh, no external asset) and the CSP's style hash.
#include <doctest.h>

#include <chrono>
#include <string>
#include <string_view>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <boost/json.hpp>

#include "report/status_page.hpp"

namespace fr = flywatch::report;

namespace {

// 2025-11-27T16:41:07.299Z
const auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764261667299));

std::string page_of(std::string_view json) {
  return fr::render_status_page(boost::json::parse(json).as_object(), {"1.2.3", now, 10});
}

// The text between the first `from` at or after `start` and the next `to`.
std::string between(const std::string& s, std::string_view from, std::string_view to) {
  const auto a = s.find(from);
  REQUIRE(a != std::string::npos);
  const auto b = s.find(to, a + from.size());
  REQUIRE(b != std::string::npos);
  return s.substr(a + from.size(), b - a - from.size());
}

constexpr std::string_view hostile = R"("<script>alert(1)</script>\"'&é\u0000")";
constexpr std::string_view hostile_html =
    "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;\xc3\xa9\xef\xbf\xbd";

const std::string fleet_doc = R"({
 "targets":[{"name":"be","url":"https://be.example/health?REDACTED","state":"down",
   "since":"2025-11-27T16:40:02.000Z","probed_through_app":false,
   "last":{"success":false,"reason":"status","error":"status 503 not in [200]","status_code":503,
           "duration_seconds":0.0123,"at":"2025-11-27T16:41:05.299Z"}},
  {"name":"fresh","url":"tcp://db:5432","state":"unknown","since":null,"last":null}],
 "journeys":[{"name":"auth","state":"down","since":"2025-11-27T16:39:07.299Z","app":"medio",
   "skipped":null,"last":{"success":false,"reason":"cookie","error":"no Secure","status_code":null,
   "duration_seconds":1.5,"failed_step":"login","steps":[],"machine":"m1",
   "at":"2025-11-27T16:41:00.299Z"}}],
 "apps":[{"name":"medio","target":"be","when_asleep":"skip","asleep":false,
   "release":{"version":7,"image":"img","release_command_failed":null},
   "api":{"last_success":"2025-11-27T16:41:06.000Z","last_error_code":"","last_error":"",
          "consecutive_failures":0},
   "machines":[{"id":"148ed193b95e89","region":"iad","fly_state":"started","state":"healthy",
     "reason":"","since":"2025-11-27T15:41:07.299Z","cold_start":null,"probe":"passing",
     "last_probe":{"success":true,"reason":"none","error":"","status_code":200,
                   "duration_seconds":0.011,"at":"2025-11-27T16:41:06.299Z"}},
    {"id":"e2860c4ad47598","region":"ams","fly_state":"starting","state":"starting","reason":"",
     "since":"2025-11-27T16:41:04.299Z","cold_start":{"kind":"cold",
     "start":"2025-11-27T16:41:04.299Z","slow":false},"probe":"not probed","last_probe":null}]}],
 "cold_starts":[{"app":"medio","machine":"148ed193b95e89","region":"iad","kind":"cold",
   "outcome":"healthy","slow":true,"start":"2025-11-27T16:30:07.299Z",
   "end":"2025-11-27T16:30:10.806Z","boot_seconds":1.5,"ready_seconds":2.007,
   "total_seconds":3.507}],
 "alerts":[{"name":"TargetDown","severity":"critical","labels":{"alertname":"TargetDown",
   "severity":"critical","target":"be"},"summary":"Target be is down",
   "since":"2025-11-27T16:40:02.000Z","state":"firing","notified":true},
  {"name":"MachineUnhealthy","severity":"warning","labels":{"alertname":"MachineUnhealthy",
   "severity":"warning","app":"medio"},"summary":"A machine is unhealthy",
   "since":"2025-11-27T16:40:03.000Z","state":"inhibited","notified":false,
   "inhibited_by":{"alertname":"AppNoHealthyMachines","app":"medio"}},
  {"name":"ColdStartSlow","severity":"warning","labels":{"alertname":"ColdStartSlow",
   "severity":"warning","app":"medio"},"summary":"Slow",
   "since":"2025-11-27T16:40:04.000Z","state":"held","notified":false}]})";

}  // namespace

TEST_CASE("status page: each section's rows, exactly") {
  const std::string page = page_of(fleet_doc);
  const std::string targets = between(page, "<section id=\"targets\">", "</section>");
  CHECK(between(targets, "<tbody>\n", "</tbody>") ==
        "<tr><td class=\"name\">be<div class=\"sub url\">https://be.example/health?REDACTED</div>"
        "</td><td class=\"state\"><span class=\"badge bad\">down</span><div class=\"sub\">since "
        "<time datetime=\"2025-11-27T16:40:02.000Z\" title=\"2025-11-27T16:40:02.000Z\">1m 05s ago"
        "</time></div></td><td class=\"detail\"><span class=\"badge bad\">failing</span> <span "
        "class=\"reason\">status: status 503 not in [200]</span></td><td class=\"latency\">12 ms"
        "</td><td class=\"checked\"><time datetime=\"2025-11-27T16:41:05.299Z\" title=\""
        "2025-11-27T16:41:05.299Z\">2s ago</time></td></tr>\n"
        "<tr><td class=\"name\">fresh<div class=\"sub url\">tcp://db:5432</div></td><td class="
        "\"state\"><span class=\"badge warn\">unknown</span></td><td class=\"detail\">not probed "
        "yet</td><td class=\"latency\">\xe2\x80\x94</td><td class=\"checked\">\xe2\x80\x94</td>"
        "</tr>\n");
  const std::string journeys = between(page, "<section id=\"journeys\">", "</section>");
  CHECK(between(journeys, "<tbody>\n", "</tbody>") ==
        "<tr><td class=\"name\">auth<div class=\"sub\">through medio</div></td><td class=\"state\">"
        "<span class=\"badge bad\">down</span><div class=\"sub\">since <time datetime=\""
        "2025-11-27T16:39:07.299Z\" title=\"2025-11-27T16:39:07.299Z\">2m 00s ago</time></div>"
        "</td><td class=\"step\">login</td><td class=\"detail\"><span class=\"badge bad\">failing"
        "</span> <span class=\"reason\">cookie: no Secure</span></td><td class=\"latency\">"
        "1.50 s</td><td class=\"checked\"><time datetime=\"2025-11-27T16:41:00.299Z\" title=\""
        "2025-11-27T16:41:00.299Z\">7s ago</time></td></tr>\n");
  const std::string apps = between(page, "<section id=\"apps\">", "</section>");
  CHECK(between(apps, "<h3>", "</div>\n") ==
        "medio</h3>\n<p class=\"sub\"><span class=\"badge ok\">awake</span> when asleep: skip "
        "\xc2\xb7 target be \xc2\xb7 release v7</p>\n"
        "<div class=\"scroll\"><table><thead><tr><th>Machine</th><th>State</th><th>Region</th>"
        "<th>Health</th><th>Since</th></tr></thead><tbody>\n"
        "<tr><td class=\"id\">148ed193b95e89</td><td class=\"state\"><span class=\"badge ok\">"
        "healthy</span></td><td class=\"region\">iad</td><td class=\"health\"><span class=\""
        "badge ok\">passing</span> 11 ms</td><td class=\"since\"><time datetime=\""
        "2025-11-27T15:41:07.299Z\" title=\"2025-11-27T15:41:07.299Z\">1h 00m ago</time></td>"
        "</tr>\n"
        "<tr><td class=\"id\">e2860c4ad47598</td><td class=\"state\"><span class=\"badge warn\">"
        "starting</span><div class=\"sub\">cold start since <time datetime=\""
        "2025-11-27T16:41:04.299Z\" title=\"2025-11-27T16:41:04.299Z\">3s ago</time></div></td>"
        "<td class=\"region\">ams</td><td class=\"health\"><span class=\"badge idle\">not probed"
        "</span></td><td class=\"since\"><time datetime=\"2025-11-27T16:41:04.299Z\" title=\""
        "2025-11-27T16:41:04.299Z\">3s ago</time></td></tr>\n"
        "</tbody></table>");
  const std::string cold = between(page, "<section id=\"cold-starts\">", "</section>");
  CHECK(between(cold, "<tbody>\n", "</tbody>") ==
        "<tr><td class=\"app\">medio</td><td class=\"id\">148ed193b95e89</td><td class=\"region\">"
        "iad</td><td class=\"kind\">cold</td><td class=\"boot\">1.50 s</td><td class=\"ready\">"
        "2.01 s</td><td class=\"total\">3.51 s</td><td class=\"outcome\"><span class=\"badge ok\">"
        "healthy</span> <span class=\"badge warn\">slow</span></td><td class=\"since\"><time "
        "datetime=\"2025-11-27T16:30:07.299Z\" title=\"2025-11-27T16:30:07.299Z\">11m 00s ago"
        "</time></td></tr>\n");
  const std::string alerts = between(page, "<section id=\"alerts\">", "</section>");
  CHECK(between(alerts, "<tbody>\n", "</tbody>") ==
        "<tr><td class=\"name\">TargetDown</td><td class=\"severity\"><span class=\"badge bad\">"
        "critical</span></td><td class=\"labels\"><span class=\"chip\">target=be</span></td>"
        "<td class=\"detail\">Target be is down</td><td class=\"since\"><time datetime=\""
        "2025-11-27T16:40:02.000Z\" title=\"2025-11-27T16:40:02.000Z\">1m 05s ago</time></td>"
        "</tr>\n"
        "<tr><td class=\"name\">MachineUnhealthy</td><td class=\"severity\"><span class=\"badge "
        "warn\">warning</span></td><td class=\"labels\"><span class=\"chip\">app=medio</span>"
        "</td><td class=\"detail\">A machine is unhealthy <span class=\"badge idle\">inhibited"
        "</span> <span class=\"sub\">by AppNoHealthyMachines</span></td><td class=\"since\">"
        "<time datetime=\"2025-11-27T16:40:03.000Z\" title=\"2025-11-27T16:40:03.000Z\">1m 04s "
        "ago</time></td></tr>\n"
        "<tr><td class=\"name\">ColdStartSlow</td><td class=\"severity\"><span class=\"badge "
        "warn\">warning</span></td><td class=\"labels\"><span class=\"chip\">app=medio</span>"
        "</td><td class=\"detail\">Slow <span class=\"badge warn\">held back</span></td><td "
        "class=\"since\"><time datetime=\"2025-11-27T16:40:04.000Z\" title=\""
        "2025-11-27T16:40:04.000Z\">1m 03s ago</time></td></tr>\n");
  CHECK(between(page, "<p class=\"summary\">", "</p>") ==
        "<span class=\"badge ok\">0 up</span> <span class=\"badge bad\">1 down</span> "
        "<span class=\"badge bad\">2 alerts firing</span> <span class=\"badge idle\">1 inhibited"
        "</span>");
}

TEST_CASE("status page: a hostile name, id, region, reason and label are rendered inert") {
  std::string doc = R"({"targets":[{"name":H,"url":H,"state":H,"since":H,
    "last":{"success":false,"reason":H,"error":H,"duration_seconds":0.1,"at":H}}],
   "journeys":[{"name":H,"state":"down","app":H,"skipped":H}],
   "apps":[{"name":H,"target":H,"when_asleep":H,"asleep":true,
     "api":{"last_error_code":H,"last_error":H},"release":{"version":H,
       "release_command_failed":{"machine":H,"exit_code":H,"oom_killed":true}},
     "machines":[{"id":H,"region":H,"fly_state":H,"state":H,"reason":H,"since":H,
       "cold_start":{"kind":H,"start":H,"slow":true},"probe":"failing",
       "last_probe":{"success":false,"reason":H,"error":H}}]}],
   "cold_starts":[{"app":H,"machine":H,"region":H,"kind":H,"outcome":H,"start":H}],
   "alerts":[{"name":H,"severity":H,"labels":{"target":H},"summary":H,"since":H,
     "state":"inhibited","notified":false,"inhibited_by":{"alertname":H}}]})";
  for (auto at = doc.find(":H"); at != std::string::npos; at = doc.find(":H", at)) {
    doc.replace(at + 1, 1, hostile);
  }
  const std::string page = page_of(doc);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("</script") == std::string::npos);
  CHECK(page.find("alert(1)</") == std::string::npos);
  CHECK(page.find(std::string_view("\0", 1)) == std::string::npos);
  // Every place shows the escaped text: the target's name cell, exactly.
  CHECK(page.find("<td class=\"name\">" + std::string(hostile_html) + "<div class=\"sub url\">") !=
        std::string::npos);
  CHECK(page.find("<td class=\"id\">" + std::string(hostile_html) + "</td>") != std::string::npos);
  CHECK(page.find("<td class=\"region\">" + std::string(hostile_html) + "</td>") !=
        std::string::npos);
  CHECK(page.find("<span class=\"chip\">target=" + std::string(hostile_html) + "</span>") !=
        std::string::npos);
  CHECK(page.find("<span class=\"sub\">by " + std::string(hostile_html) + "</span>") !=
        std::string::npos);
  // A hostile state picks no class of its own.
  CHECK(page.find("<span class=\"badge idle\">" + std::string(hostile_html) + "</span>") !=
        std::string::npos);
  // Each hostile value appears escaped, as many times as it was given or more (labels, titles).
  std::size_t shown = 0;
  for (auto at = page.find(hostile_html); at != std::string::npos; at = page.find(hostile_html, at + 1)) {
    ++shown;
  }
  CHECK(shown >= 30);
}

TEST_CASE("status page: only inhibited alerts make no red badge") {
  const std::string page = page_of(R"({"targets":[],"alerts":[{"name":"ColdStartSlow",
    "severity":"warning","labels":{},"summary":"s","since":"2025-11-27T16:40:04.000Z",
    "state":"inhibited","notified":false,"inhibited_by":{"alertname":"AppNoHealthyMachines"}}]})");
  CHECK(between(page, "<p class=\"summary\">", "</p>") ==
        "<span class=\"badge ok\">0 up</span> <span class=\"badge idle\">0 down</span> "
        "<span class=\"badge idle\">0 alerts firing</span> <span class=\"badge idle\">1 inhibited"
        "</span>");
}

TEST_CASE("status page: head, refresh, no external asset, empty sections") {
  const std::string page = fr::render_status_page(boost::json::object{}, {"1.2.3", now, 15});
  CHECK(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                         "<meta http-equiv=\"refresh\" content=\"15\">\n<title>flywatch status"
                         "</title>\n<style>"));
  CHECK(page.find("<p class=\"meta\">version 1.2.3 \xc2\xb7 2025-11-27T16:41:07.299Z \xc2\xb7 "
                  "refreshes every 15 s</p>") != std::string::npos);
  for (const char* section : {"alerts", "targets", "journeys", "apps", "cold-starts"}) {
    CAPTURE(section);
    CHECK(page.find("<section id=\"" + std::string(section) + "\">") != std::string::npos);
  }
  CHECK(page.find("<p class=\"empty\">No alert is firing.</p>") != std::string::npos);
  CHECK(page.find("<p class=\"empty\">No targets.</p>") != std::string::npos);
  CHECK(page.find("<p class=\"empty\">No journeys.</p>") != std::string::npos);
  CHECK(page.find("<p class=\"empty\">No Fly apps.</p>") != std::string::npos);
  // Nothing is fetched: no script, no link, no image, no font, no URL to go to but our own paths.
  for (const char* banned : {"<script", "<link", "<img", "src=", "url(", "@import", "@font-face",
                             "http:", "https:", "//"}) {
    CAPTURE(banned);
    CHECK(page.find(banned) == std::string::npos);
  }
  // Malformed members are skipped, not thrown on.
  CHECK_NOTHROW(page_of(R"({"targets":[1,"x",{"name":5,"last":"no"}],"apps":{"x":1},
                            "alerts":[{"labels":[1]}],"cold_starts":[null]})"));
}

TEST_CASE("status page: the CSP allows exactly the page's own style, by its SHA-256") {
  const std::string page = page_of(fleet_doc);
  const std::string style = between(page, "<style>", "</style>");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(style.data()), style.size(), digest);
  unsigned char b64[64] = {};
  const int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
  const std::string hash(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
  CHECK(fr::status_page_csp() ==
        "default-src 'none'; style-src 'sha256-" + hash +
            "'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  // The page carries no inline style attribute, which the hash would not allow.
  CHECK(page.find(" style=") == std::string::npos);
}
