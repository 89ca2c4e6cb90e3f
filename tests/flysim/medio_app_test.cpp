// Medio's apps through the real flysim binary's edges: the backend's auth API (register, login,
// me) with its session cookie and CORS policy, shared by the app's machines and down with its
// database; the front end (index.html, hashed assets, SPA fallback); the app fault switches;
// and the per-path request counts of GET /_sim/stats.
#include <doctest.h>

#include <cstdlib>
#include <boost/regex.hpp>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "sim_process.hpp"

using flywatch::flysim::testing::Headers;
using flywatch::flysim::testing::HttpReply;
using flywatch::flysim::testing::SimProcess;
using flywatch::flysim::testing::TempDir;

namespace {
const std::string token = "medio-token";
const std::string front = "https://front.example";
const std::string b1 = "b0000000000001";  // backend, both started
const std::string b2 = "b0000000000002";

const char* fleet_text = R"({"apps":[
  {"name":"backend","auth":{"cors_origin":"https://front.example"},"machines":[
    {"id":"b0000000000001","region":"iad","state":"started","checks":["servicecheck-00-http-8080"]},
    {"id":"b0000000000002","region":"iad","state":"started"}]},
  {"name":"front","site":true,"release_version":7,"machines":[
    {"id":"f0000000000001","region":"iad","state":"started"}]},
  {"name":"plain","machines":[{"id":"c0000000000001","region":"iad","state":"started"}]}
]})";

struct Sim {
  TempDir dir;
  SimProcess sim;
  Sim() : sim(bin(), dir.write("fleet.json", fleet_text), token) {}
  static std::string bin() {
    const char* b = std::getenv("FLYSIM_BIN");
    REQUIRE(b != nullptr);
    return b;
  }
  std::uint16_t edge(const std::string& app) const {
    const auto r = sim.request("GET", "/_sim/edges");
    REQUIRE(r.status == 200);
    return static_cast<std::uint16_t>(boost::json::parse(r.body).as_object().at(app).as_int64());
  }
  HttpReply call(const std::string& app, const std::string& method, const std::string& target,
                 const std::string& body = "", const Headers& headers = {}) const {
    return sim.request_port(edge(app), method, target, "", body, headers);
  }
  int fault(const std::string& app, const std::string& kind) const {
    return sim.request("POST", "/_sim/apps/" + app + "/fault", "", R"({"kind":")" + kind + R"("})")
        .status;
  }
};

std::string creds(const std::string& email, const std::string& password) {
  return R"({"email":")" + email + R"(","password":")" + password + R"("})";
}

std::string user_json(int id, const std::string& email) {
  return R"({"user":{"id":)" + std::to_string(id) + R"(,"email":")" + email + R"("}})";
}

// The session token from a login's Set-Cookie, after checking the header's exact shape.
std::string session_of(const HttpReply& r, bool secure = true) {
  const std::string cookie = r.header("set-cookie");
  const boost::regex shape(std::string("medio_session=([0-9a-f]{64}); Path=/; HttpOnly") +
                         (secure ? "; Secure" : "") + "; SameSite=Strict; Max-Age=86400");
  boost::smatch m;
  REQUIRE_MESSAGE(boost::regex_match(cookie, m, shape), cookie);
  return m[1];
}

Headers cookie(const std::string& session) { return {{"Cookie", "medio_session=" + session}}; }
Headers origin(const std::string& o) { return {{"Origin", o}}; }
}  // namespace

TEST_CASE("auth: register, login and me through the edge, shared by the app's machines") {
  Sim s;
  auto r = s.call("backend", "POST", "/api/auth/register", creds("ada@example.com", "pw-1"));
  CHECK(r.status == 201);
  CHECK(r.header("content-type") == "application/json; charset=utf-8");
  CHECK(r.body == user_json(1, "ada@example.com"));
  CHECK(r.header("set-cookie").empty());  // registering does not log in
  r = s.call("backend", "POST", "/api/auth/register", creds("ada@example.com", "other"));
  CHECK(r.status == 409);
  CHECK(boost::json::parse(r.body).as_object().contains("error"));
  r = s.call("backend", "POST", "/api/auth/register", creds("bob@example.com", "pw-2"));
  CHECK(r.body == user_json(2, "bob@example.com"));

  r = s.call("backend", "POST", "/api/auth/login", creds("ada@example.com", "pw-2"));
  CHECK(r.status == 401);
  CHECK(r.header("set-cookie").empty());
  CHECK(s.call("backend", "POST", "/api/auth/login", creds("eve@example.com", "pw-1")).status == 401);
  r = s.call("backend", "POST", "/api/auth/login", creds("ada@example.com", "pw-1"));
  REQUIRE(r.status == 200);
  CHECK(r.body == user_json(1, "ada@example.com"));
  const std::string session = session_of(r);

  r = s.call("backend", "GET", "/api/auth/me", "", cookie(session));
  CHECK(r.status == 200);
  CHECK(r.body == user_json(1, "ada@example.com"));
  // Either machine knows the session: it lives in the app's database.
  for (const auto& id : {b1, b2}) {
    CAPTURE(id);
    r = s.call("backend", "GET", "/api/auth/me", "",
               {{"fly-force-instance-id", id}, {"Cookie", "theme=dark; medio_session=" + session}});
    CHECK(r.status == 200);
    CHECK(r.body == user_json(1, "ada@example.com"));
  }
  // A second login is a second, different session; both stay valid.
  const std::string again =
      session_of(s.call("backend", "POST", "/api/auth/login", creds("ada@example.com", "pw-1")));
  CHECK(again != session);
  CHECK(s.call("backend", "GET", "/api/auth/me", "", cookie(again)).status == 200);
  CHECK(s.call("backend", "GET", "/api/auth/me", "", cookie(session)).status == 200);

  CHECK(s.call("backend", "GET", "/api/auth/me").status == 401);
  CHECK(s.call("backend", "GET", "/api/auth/me", "", cookie("")).status == 401);
  CHECK(s.call("backend", "GET", "/api/auth/me", "", cookie(std::string(64, '0'))).status == 401);
  CHECK(s.call("backend", "GET", "/api/auth/me", "",
               {{"Cookie", "xmedio_session=" + session}}).status == 401);
}

TEST_CASE("auth: bad bodies 400, wrong routes 404, the health endpoint unchanged") {
  Sim s;
  for (const std::string& body :
       {std::string("not json"), std::string("[]"), std::string(R"({"email":"a@b.c"})"),
        std::string(R"({"password":"x"})"), std::string(R"({"email":1,"password":"x"})"),
        std::string(R"({"email":"","password":"x"})"), std::string(R"({"email":"a@b.c","password":""})"),
        std::string("")}) {
    CAPTURE(body);
    CHECK(s.call("backend", "POST", "/api/auth/register", body).status == 400);
    CHECK(s.call("backend", "POST", "/api/auth/login", body).status == 400);
  }
  CHECK(s.call("backend", "GET", "/api/auth/login").status == 404);
  CHECK(s.call("backend", "POST", "/api/auth/me").status == 404);
  CHECK(s.call("backend", "POST", "/api/auth/logout").status == 404);
  const auto r = s.call("backend", "GET", "/");
  CHECK(r.status == 200);
  CHECK(boost::json::parse(r.body).as_object().at("status").as_string() == "ok");
  // An app without auth answers its health JSON on these paths too.
  CHECK(boost::json::parse(s.call("plain", "POST", "/api/auth/register", creds("a@b.c", "x")).body)
            .as_object()
            .at("database")
            .as_string() == "connected");
}

TEST_CASE("cors: the front end's origin with credentials; other origins get nothing") {
  Sim s;
  auto r = s.call("backend", "GET", "/api/auth/me", "", origin(front));
  CHECK(r.status == 401);  // errors carry the headers too
  CHECK(r.header("access-control-allow-origin") == front);
  CHECK(r.header("access-control-allow-credentials") == "true");
  CHECK(r.header("vary") == "Origin");
  r = s.call("backend", "GET", "/", "", origin(front));
  CHECK(r.header("access-control-allow-origin") == front);

  for (const std::string& other : {std::string("https://evil.example"),
                                   std::string("https://front.example.evil.example"),
                                   std::string("http://front.example"), std::string("null")}) {
    CAPTURE(other);
    r = s.call("backend", "GET", "/api/auth/me", "", origin(other));
    CHECK(r.status == 401);
    CHECK(r.header("access-control-allow-origin").empty());
    CHECK(r.header("access-control-allow-credentials").empty());
  }
  CHECK(s.call("backend", "GET", "/api/auth/me").header("access-control-allow-origin").empty());
  CHECK(s.call("plain", "GET", "/", "", origin(front)).header("access-control-allow-origin").empty());

  // Preflight: 204 without a body, and only for the allowed origin the CORS headers.
  const Headers ask{{"Origin", front},
                    {"Access-Control-Request-Method", "POST"},
                    {"Access-Control-Request-Headers", "content-type,x-trace"}};
  r = s.call("backend", "OPTIONS", "/api/auth/login", "", ask);
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK(r.header("content-length").empty());  // RFC 9110 §8.6: none on a 204
  CHECK(r.header("content-type").empty());
  CHECK(r.header("access-control-allow-origin") == front);
  CHECK(r.header("access-control-allow-credentials") == "true");
  CHECK(r.header("access-control-allow-methods") == "GET,HEAD,PUT,PATCH,POST,DELETE");
  CHECK(r.header("access-control-allow-headers") == "content-type,x-trace");
  CHECK(r.header("vary") == "Origin");
  r = s.call("backend", "OPTIONS", "/api/auth/me", "", origin(front));
  CHECK(r.header("access-control-allow-headers") == "Content-Type");
  r = s.call("backend", "OPTIONS", "/api/auth/me", "",
             {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  CHECK(r.status == 204);
  CHECK(r.header("access-control-allow-origin").empty());
  CHECK(r.header("access-control-allow-methods").empty());
}

TEST_CASE("faults: each switch on, together, and off again") {
  Sim s;
  REQUIRE(s.call("backend", "POST", "/api/auth/register", creds("ada@example.com", "pw")).status == 201);
  const auto login = [&] {
    return s.call("backend", "POST", "/api/auth/login", creds("ada@example.com", "pw"), origin(front));
  };

  REQUIRE(s.fault("backend", "cookie_insecure") == 200);
  auto r = login();
  CHECK(r.status == 200);
  const std::string insecure = session_of(r, false);
  CHECK(s.call("backend", "GET", "/api/auth/me", "", cookie(insecure)).status == 200);

  REQUIRE(s.fault("backend", "cors_wildcard") == 200);
  r = login();
  session_of(r, false);  // both faults at once
  CHECK(r.header("access-control-allow-origin") == "*");
  CHECK(r.header("access-control-allow-credentials") == "true");
  CHECK(s.call("backend", "GET", "/", "", origin("https://evil.example"))
            .header("access-control-allow-origin") == "*");

  REQUIRE(s.fault("backend", "none") == 200);
  r = login();
  session_of(r, true);
  CHECK(r.header("access-control-allow-origin") == front);

  REQUIRE(s.fault("backend", "cors_no_credentials") == 200);
  r = s.call("backend", "OPTIONS", "/api/auth/me", "", origin(front));
  CHECK(r.header("access-control-allow-origin") == front);
  CHECK(r.header("access-control-allow-credentials").empty());
  REQUIRE(s.fault("backend", "none") == 200);
  CHECK(s.call("backend", "GET", "/", "", origin(front)).header("access-control-allow-credentials") == "true");

  const auto on = s.sim.request("POST", "/_sim/apps/backend/fault", "", R"({"kind":"login_500"})");
  REQUIRE(on.status == 200);
  CHECK(on.body == R"({"ok":true,"faults":["login_500"]})");
  r = login();
  CHECK(r.status == 500);
  CHECK(r.body == R"({"error":"JWT_SECRET is not set"})");
  CHECK(r.header("set-cookie").empty());
  CHECK(s.call("backend", "POST", "/api/auth/login", creds("ada@example.com", "no")).status == 401);
  CHECK(s.call("backend", "POST", "/api/auth/register", creds("bob@example.com", "pw")).status == 201);
  REQUIRE(s.fault("backend", "none") == 200);
  CHECK(login().status == 200);

  REQUIRE(s.fault("backend", "missing_chunk") == 200);
  const auto all = s.sim.request("POST", "/_sim/apps/backend/fault", "", R"({"kind":"cors_wildcard"})");
  CHECK(all.body == R"({"ok":true,"faults":["cors_wildcard","missing_chunk"]})");
  CHECK(s.sim.request("POST", "/_sim/apps/backend/fault", "", R"({"kind":"none"})").body ==
        R"({"ok":true,"faults":[]})");

  CHECK(s.fault("backend", "melt") == 400);
  CHECK(s.fault("backend", "") == 400);
  CHECK(s.sim.request("POST", "/_sim/apps/backend/fault", "", R"({"kind":1})").status == 400);
  CHECK(s.sim.request("POST", "/_sim/apps/backend/fault", "", "{}").status == 400);
  CHECK(s.sim.request("POST", "/_sim/apps/backend/fault", "", "kind").status == 400);
  CHECK(s.fault("nope", "none") == 404);
  CHECK(s.sim.request("GET", "/_sim/apps/backend/fault").status == 404);
}

TEST_CASE("auth: the database down answers 503 on the machine, the other machine serves") {
  Sim s;
  REQUIRE(s.sim.request("POST", "/_sim/machines/" + b1 + "/fault", "", R"({"kind":"db_down"})").status == 200);
  const Headers on_b1{{"fly-force-instance-id", b1}, {"Origin", front}};
  for (const auto& [method, path] : {std::pair<std::string, std::string>{"POST", "/api/auth/register"},
                                     {"POST", "/api/auth/login"},
                                     {"GET", "/api/auth/me"}}) {
    CAPTURE(path);
    const auto r = s.call("backend", method, path, method == "POST" ? creds("a@b.c", "pw") : "", on_b1);
    CHECK(r.status == 503);
    const auto body = boost::json::parse(r.body).as_object();
    CHECK(body.at("database").as_string() == "disconnected");
    CHECK(body.at("machine").as_string() == b1);
    CHECK(r.header("access-control-allow-origin") == front);
  }
  // Nothing was written by the failed register: the healthy machine registers the email.
  auto r = s.call("backend", "POST", "/api/auth/register", creds("a@b.c", "pw"),
                  {{"fly-force-instance-id", b2}});
  CHECK(r.status == 201);
  REQUIRE(s.sim.request("POST", "/_sim/machines/" + b1 + "/fault", "", R"({"kind":"db_up"})").status == 200);
  r = s.call("backend", "POST", "/api/auth/login", creds("a@b.c", "pw"), {{"fly-force-instance-id", b1}});
  CHECK(r.status == 200);
}

TEST_CASE("site: index.html names hashed assets that load; SPA fallback; missing_chunk") {
  Sim s;
  auto r = s.call("front", "GET", "/");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/html; charset=utf-8");
  const std::string index = r.body;
  boost::smatch js, vendor, css;
  REQUIRE(boost::regex_search(index, js, boost::regex(
      R"re(<script type="module" crossorigin src="(/assets/index-[A-Za-z0-9_-]{8}\.js)"></script>)re")));
  REQUIRE(boost::regex_search(index, vendor, boost::regex(
      R"re(<link rel="modulepreload" crossorigin href="(/assets/vendor-[A-Za-z0-9_-]{8}\.js)">)re")));
  REQUIRE(boost::regex_search(index, css, boost::regex(
      R"re(<link rel="stylesheet" crossorigin href="(/assets/index-[A-Za-z0-9_-]{8}\.css)">)re")));
  CHECK(index.find(R"(<div id="root"></div>)") != std::string::npos);

  r = s.call("front", "GET", js[1]);
  CHECK(r.status == 200);
  CHECK(r.header("content-type") == "text/javascript; charset=utf-8");
  CHECK(r.body.find(vendor[1].str()) != std::string::npos);  // the entry imports the vendor chunk
  CHECK(r.header("cache-control") == "public, max-age=31536000, immutable");
  r = s.call("front", "GET", vendor[1]);
  CHECK(r.status == 200);
  CHECK(r.header("content-type") == "text/javascript; charset=utf-8");
  r = s.call("front", "GET", css[1]);
  CHECK(r.status == 200);
  CHECK(r.header("content-type") == "text/css; charset=utf-8");

  for (const std::string path : {"/kids", "/login?next=%2F", "/api/auth/me", "/assets"}) {
    CAPTURE(path);
    r = s.call("front", "GET", path);
    CHECK(r.status == 200);
    CHECK(r.body == index);
  }
  for (const std::string& path : {std::string("/assets/index-AAAAAAAA.js"), std::string("/assets/"),
                                  std::string("/assets/vendor.js"), js[1].str() + ".map"}) {
    CAPTURE(path);
    CHECK(s.call("front", "GET", path).status == 404);
  }
  r = s.call("front", "POST", "/", "{}");
  CHECK(r.status == 405);
  CHECK(r.header("allow") == "GET");

  REQUIRE(s.fault("front", "missing_chunk") == 200);
  CHECK(s.call("front", "GET", "/").body == index);  // still names it
  r = s.call("front", "GET", js[1]);
  CHECK(r.status == 404);
  CHECK(r.header("content-type") == "text/html; charset=utf-8");
  CHECK(s.call("front", "GET", vendor[1]).status == 200);
  CHECK(s.call("front", "GET", css[1]).status == 200);
  REQUIRE(s.fault("front", "none") == 200);
  CHECK(s.call("front", "GET", js[1]).status == 200);

  // A site machine with its backend gone answers 503 like the health endpoint.
  REQUIRE(s.sim.request("POST", "/_sim/machines/f0000000000001/fault", "", R"({"kind":"db_down"})").status == 200);
  r = s.call("front", "GET", "/");
  CHECK(r.status == 503);
  CHECK(r.header("content-type") == "application/json; charset=utf-8");
}

TEST_CASE("stats: every edge request counted by method and path, beside the other counters") {
  Sim s;
  s.call("backend", "POST", "/api/auth/register", creds("a@b.c", "pw"));
  s.call("backend", "POST", "/api/auth/register", creds("a@b.c", "pw"));  // 409 counts too
  s.call("backend", "GET", "/api/auth/me?fresh=1");
  s.call("backend", "GET", "/api/auth/me", "", {{"fly-force-instance-id", b2}});
  s.call("backend", "OPTIONS", "/api/auth/me", "", origin(front));
  s.call("front", "GET", "/");
  s.call("backend", "GET", "/", "", {{"fly-force-instance-id", "ffffffffffffff"}});  // 404, counted
  const auto r = s.sim.request("GET", "/_sim/stats");
  REQUIRE(r.status == 200);
  const auto stats = boost::json::parse(r.body).as_object();
  CHECK(boost::json::serialize(stats.at("paths")) ==
        R"({"backend":{"GET /":1,"GET /api/auth/me":2,"OPTIONS /api/auth/me":1,)"
        R"("POST /api/auth/register":2},"front":{"GET /":1}})");
  CHECK(stats.at("edge_requests").as_object().at("backend").as_int64() == 6);
  CHECK(stats.at("user_requests").as_object().at("backend").as_int64() == 4);
  CHECK(stats.contains("api_requests"));
  CHECK(stats.contains("wait_requests"));
}
