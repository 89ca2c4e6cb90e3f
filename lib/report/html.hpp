#pragma once
/// HTML escaping for what flywatch shows in a page: every piece of text that comes from the
/// config, the Fly API, a probed server or an alert (names, machine ids, regions, error details,
/// labels) goes through html_escape before it reaches the page. Pure.

#include <string>
#include <string_view>

namespace flywatch::report {

/// Appends `text` to `out`, safe as element content and as a quoted attribute value:
///  - `&` `<` `>` `"` `'` become `&amp;` `&lt;` `&gt;` `&quot;` `&#39;`;
///  - valid UTF-8 is kept as it is (é, €, emoji);
///  - each byte of an invalid UTF-8 sequence, and each control character other than tab, line
///    feed and carriage return (NUL included, and DEL), becomes U+FFFD, so the page is valid
///    UTF-8 whatever it was given and no control character reaches the parser.
void append_html_escaped(std::string& out, std::string_view text);

/// `text` escaped as append_html_escaped does.
std::string html_escape(std::string_view text);

}  // namespace flywatch::report
