#pragma once
/// Maps one HTTP request to flysim's answer: the Machines API under /v1 (reference §1.2–1.5) and
/// the control interface under /_sim/ (router_control.cpp). No I/O: the server passes the clock
/// in, and performs the blocking part of the wait endpoint by calling `poll_wait` until it
/// answers or times out. As Fly's, the machine list leaves out destroyed machines unless asked
/// with `include_deleted=true`; a destroyed machine still answers GET by id and wait.
///
/// Control interface (no auth):
///   POST /_sim/api_fault {"status":429|500|…,"count":N} or {"garbage":true,"count":N}
///        — the next N authorised /v1 requests answer that status (JSON error body) or a 200
///        whose body is not JSON.
///   POST /_sim/machines/{id}/fault {"kind":"stuck_starting"|"unhealthy"|"oom_exit"|"none"}
///        or {"kind":"slow_boot","boot_delay_ms":N} — replaces the faults for the machine's next
///        starts (`unhealthy`: after boot the app is up but answers 503, checks critical).
///        {"kind":"db_down"} / {"kind":"db_up"} act now and leave those faults alone: the app's
///        database disconnects (app stays up, answers 503, checks critical at once) or
///        reconnects (healthy again, checks passing; also ends a running `unhealthy` fault).
///   POST /_sim/apps/{app}/traffic {"every_ms":N} — the app's simulated user sends one request
///        per N ms from now on (0 stops it); answers {"ok":true,"every_ms":N}.
///   POST /_sim/apps/{app}/fault {"kind":K} — turns on one of the app's fault switches
///        (app_faults.hpp; several may be on at once), K one of: cookie_insecure (the session
///        cookie lacks Secure), cors_wildcard (Access-Control-Allow-Origin: *),
///        cors_no_credentials (no Access-Control-Allow-Credentials), missing_chunk (the
///        index's JS chunk answers 404), login_500 (login answers 500 {"error":"JWT_SECRET is
///        not set"}); "none" clears them all. Answers {"ok":true,"faults":[names on]}; an
///        unknown kind 400, an unknown app 404.
///   POST /_sim/apps/{app}/release {"version":N,"image":S,"exit_code":0..255,"run_ms":R,
///        "boot_delay_ms":B,"destroy_after_ms":D} — a deploy's release command (release.hpp):
///        a machine in process group fly_app_release_command with config.image S and
///        config.metadata.fly_release_version "N" starts (B ms, default 200), runs R ms
///        (default 500), exits with exit_code (default 0; an exit event with requested_stop
///        false), and is destroyed D ms later (default 1000). Exit 0: the app's other machines
///        then carry image S and version N; otherwise they keep theirs. Answers
///        {"ok":true,"machine":id}; bad fields 400, an unknown app 404.
///   POST /_sim/machines/{id}/refuse_wait {"error":"failed_precondition: …"} — every wait on the
///        machine answers 400 with that ErrorResponse from now on ("" stops it). A wait with a
///        `version` (or `instance_id`) other than the machine's is refused 400 anyway.
///   GET  /_sim/stats → {"api_requests":{app:N},"edge_requests":{app:N},"user_requests":{app:N},
///        "wait_requests":{machine id:N},"paths":{app:{"METHOD /path":N}}}
///        (edge_requests counts every edge request, user_requests those without
///        fly-force-instance-id, including the simulated user's; wait_requests every authorised
///        wait on a known machine, refused or not; paths every edge request by method and path
///        without the query, the simulated user's as "GET /")
///   GET  /_sim/edges → {app: edge port}

#include <cstdint>
#include <optional>
#include <string>

#include "fleet.hpp"

namespace flywatch::flysim {

/// The one Authorization header flysim's API accepts for `token` (anything else: 401), which is
/// the header fly-go sends: the token's macaroons (pieces starting `fm1r_`, `fm1a_`, `fm2_`,
/// after dropping "Bearer"/"FlyV1" schemes in any case and splitting on commas) as
/// "FlyV1 m1,m2", or, without macaroons, "Bearer " + its other pieces. Fly refuses macaroons
/// under Bearer; flysim is stricter than Fly in also requiring the scheme's exact spelling and
/// no extra tokens, so a client that normalises a token otherwise than fly-go fails against it.
std::string accepted_authorization(const std::string& token);

struct Request {
  std::string method;         ///< "GET", "POST", …
  std::string target;         ///< path and query, e.g. "/v1/apps/a/machines?region=ams"
  std::string authorization;  ///< the Authorization header value ("" when absent)
  std::string body;
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  /// Set for GET …/wait that is not yet satisfied: the server polls `poll_wait` until
  /// `wait_deadline_ms`, then answers 408.
  bool wait = false;
  std::string wait_app, wait_id, wait_state;
  std::int64_t wait_deadline_ms = 0;
};

class Router {
 public:
  /// `token` is the API token as a user would configure it (see accepted_authorization).
  Router(Fleet& fleet, const std::string& token)
      : fleet_(fleet), expected_authorization_(accepted_authorization(token)) {}

  /// Answers `req` at time `now_ms` (epoch ms). Never throws for bad input: bad requests get 4xx.
  Reply handle(const Request& req, std::int64_t now_ms);
  /// The 200 answer once the waited-for machine is in the wanted state, else nullopt.
  std::optional<Reply> poll_wait(const Reply& wait, std::int64_t now_ms);
  /// The 408 answer for a wait that timed out.
  static Reply wait_timeout(const Reply& wait);

 private:
  Reply api(const Request& req, const std::string& path, const std::string& query,
            std::int64_t now_ms);
  Reply control(const Request& req, const std::string& path, std::int64_t now_ms);

  Fleet& fleet_;
  std::string expected_authorization_;
};

/// A reply with the given status, body and content type.
Reply make_reply(int status, std::string body, std::string content_type = "application/json");
/// `{"error": message}` with the given status.
Reply error_reply(int status, const std::string& message);

}  // namespace flywatch::flysim
