// Fuzzer: the HTML asset finder (lib/core html_assets, gumbo and Boost.URL) that expect.assets
// runs on a page's body, with the prober's defaults, and the content-type test that decides
// whether a body is a page. The input's last bytes choose the page's location and the asset
// limit; the rest is the body. Properties: no crash; at most
// max_assets targets, distinct, each an origin-relative target that starts with '/' and holds
// no fragment, no space and no control or non-ASCII byte (it goes into a request line as is).
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <fuzzer/FuzzedDataProvider.h>

#include "core/html_assets.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace flywatch;

const std::array<core::PageLocation, 4> pages = {{
    {"https", "medio-react-app.fly.dev", 443, "/"},
    {"http", "127.0.0.1", 8080, "/app/index.html?x=1"},
    {"https", "::1", 8443, "/a/b/c"},
    {"ftp", "example.test", 21, "/"},
}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using fuzz::require;
  FuzzedDataProvider in(data, size);
  const core::PageLocation& page = in.PickValueInArray(pages);
  const std::size_t max_assets = in.ConsumeIntegralInRange<std::size_t>(0, 40);
  const std::string html = in.ConsumeRemainingBytesAsString();
  // The content-type check too, on the body's first line, which seeds make header-like.
  (void)core::is_html_content_type(std::string_view(html).substr(0, html.find('\n')));

  const core::PageAssets found = core::find_page_assets(html, page, max_assets);
  require(found.targets.size() <= max_assets, "at most max_assets targets");
  require(std::set<std::string>(found.targets.begin(), found.targets.end()).size() ==
              found.targets.size(),
          "targets are distinct");
  for (const std::string& t : found.targets) {
    require(!t.empty() && t.front() == '/', "a target starts with /");
    for (unsigned char c : t) {
      require(c > 0x20 && c < 0x7f, "a target has no space, control or non-ASCII byte");
      require(c != '#', "a target has no fragment");
    }
  }
  return 0;
}
