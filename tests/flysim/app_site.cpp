#include "app_site.hpp"

namespace flywatch::flysim {

namespace {
// 8 characters of Vite's hash alphabet from an FNV-1a hash of the chunk's name and version.
std::string content_hash(const std::string& name, std::int64_t version) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : name + "@" + std::to_string(version)) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  std::string out;
  for (int i = 0; i < 8; ++i, h >>= 6) out += alphabet[h & 63];
  return out;
}

constexpr const char* immutable = "public, max-age=31536000, immutable";

AppAnswer not_found() {
  return {404, "text/html; charset=utf-8",
          "<html><head><title>404 Not Found</title></head><body>404 Not Found</body></html>\n",
          {}};
}

std::string index_html(const SiteAssets& a) {
  return "<!doctype html>\n"
         "<html lang=\"en\">\n"
         "  <head>\n"
         "    <meta charset=\"UTF-8\" />\n"
         "    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\" />\n"
         "    <title>Medio</title>\n"
         "    <script type=\"module\" crossorigin src=\"" + a.js + "\"></script>\n"
         "    <link rel=\"modulepreload\" crossorigin href=\"" + a.vendor + "\">\n"
         "    <link rel=\"stylesheet\" crossorigin href=\"" + a.css + "\">\n"
         "  </head>\n"
         "  <body>\n"
         "    <div id=\"root\"></div>\n"
         "  </body>\n"
         "</html>\n";
}
}  // namespace

SiteAssets site_assets(std::int64_t version) {
  return {"/assets/index-" + content_hash("index.js", version) + ".js",
          "/assets/vendor-" + content_hash("vendor.js", version) + ".js",
          "/assets/index-" + content_hash("index.css", version) + ".css"};
}

AppAnswer site_answer(const AppRequest& req, std::int64_t version, const AppFaults& faults) {
  if (req.method != "GET")
    return {405, "text/plain; charset=utf-8", "Method Not Allowed\n", {{"Allow", "GET"}}};
  const SiteAssets a = site_assets(version);
  const std::string v = std::to_string(version);
  if (req.path == a.js) {
    if (faults.missing_chunk) return not_found();
    return {200, "text/javascript; charset=utf-8",
            "import{r as e}from\"" + a.vendor + "\";e(document.getElementById(\"root\"),\"medio v" +
                v + "\");\n",
            {{"Cache-Control", immutable}}};
  }
  if (req.path == a.vendor)
    return {200, "text/javascript; charset=utf-8",
            "export function r(n,t){n.textContent=t}/* vendor v" + v + " */\n",
            {{"Cache-Control", immutable}}};
  if (req.path == a.css)
    return {200, "text/css; charset=utf-8", "#root{max-width:1280px;margin:0 auto}\n",
            {{"Cache-Control", immutable}}};
  if (req.path.rfind("/assets/", 0) == 0) return not_found();
  return {200, "text/html; charset=utf-8", index_html(a), {{"Cache-Control", "no-cache"}}};
}

}  // namespace flywatch::flysim
