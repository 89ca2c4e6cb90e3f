#pragma once
/// The admin server's status page (GET /): the status document (engine::Engine::status(), the
/// same as /api/v1/status) as one self-contained HTML page for people without Prometheus —
/// firing alerts, targets, journeys, each Fly app's machines, the last cold starts. Rendered
/// on the server, so the page is complete at load with JavaScript off; it reloads itself with
/// <meta http-equiv="refresh">. No external asset, no script: inline CSS under status_page_csp.
/// Everything shown from the document is HTML-escaped (report/html.hpp). Pure.

#include <chrono>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace flywatch::report {

struct StatusPageOptions {
  std::string version;                          ///< flywatch's, shown in the header
  std::chrono::system_clock::time_point now;    ///< ages are counted to this instant
  int refresh_seconds = 10;                     ///< the page reloads itself this often
};

/// The page for `status` (an /api/v1/status document). Members it does not find show as a dash
/// or an empty section; it never throws on a malformed document.
std::string render_status_page(const boost::json::object& status, const StatusPageOptions& options);

/// The Content-Security-Policy to send with the page: nothing may load or run but the page's
/// own inline <style> (allowed by its SHA-256), no framing, no form, no base URL.
std::string_view status_page_csp();

}  // namespace flywatch::report
