#pragma once
/// Medio's front end as its static server delivers a React/Vite build: index.html naming a
/// hashed entry chunk, a vendor chunk it preloads and a stylesheet under /assets/, and the SPA
/// fallback (every other path answers index.html). Hashes are fixed per release version, so a
/// deploy changes them as a real build does. Pure functions.

#include <cstdint>
#include <string>

#include "app_faults.hpp"
#include "app_http.hpp"

namespace flywatch::flysim {

/// The asset paths of release `version`: "/assets/index-<hash>.js", "/assets/vendor-<hash>.js",
/// "/assets/index-<hash>.css", each hash 8 characters of [A-Za-z0-9_-] (Vite's shape).
struct SiteAssets {
  std::string js, vendor, css;
};
SiteAssets site_assets(std::int64_t version);

/// The front end's answer for release `version`:
/// - GET of one of site_assets(version) → 200 with `text/javascript; charset=utf-8` or
///   `text/css; charset=utf-8` and `Cache-Control: public, max-age=31536000, immutable`; the
///   entry chunk answers 404 under the missing_chunk fault.
/// - GET of any other path under /assets/ → 404 text/html.
/// - GET of any other path → 200 `text/html; charset=utf-8` index.html (`Cache-Control:
///   no-cache`) with `<script type="module" crossorigin src="{js}">`,
///   `<link rel="modulepreload" crossorigin href="{vendor}">` and
///   `<link rel="stylesheet" crossorigin href="{css}">` in its head, as Vite writes them.
/// - any other method → 405 text/plain with `Allow: GET`.
AppAnswer site_answer(const AppRequest& req, std::int64_t version, const AppFaults& faults);

}  // namespace flywatch::flysim
