#pragma once
/// Standard Webhooks request signing (DESIGN §7, reference/standard-webhooks.md): the
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` header value and the
/// `whsec_` secret format. HMAC and base64 come from OpenSSL; nothing here does I/O.
/// Message ids are not made here: they come from the outbox, one per event and sink.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flywatch::alert {

/// The prefix Standard Webhooks puts in front of a base64 HMAC secret.
inline constexpr std::string_view webhook_secret_prefix = "whsec_";

/// The HMAC key bytes of a configured secret.
/// - `whsec_<base64>`: the standard form; the rest is standard base64 (RFC 4648 alphabet `+/`,
///   padding optional) and the key is the decoded bytes.
/// - anything else: a raw secret, used as its bytes exactly as written (so a secret shared with a
///   receiver that does not use the whsec_ convention still works).
/// Returns nullopt for an empty secret, for `whsec_` followed by nothing, and for a `whsec_`
/// secret whose rest is not valid base64. Call it at config load and reject the config then.
std::optional<std::string> decode_webhook_secret(std::string_view secret);

/// Standard base64 (with `=` padding) of `bytes`.
std::string base64_encode(std::string_view bytes);

/// Decodes standard base64; the trailing `=` padding may be present or left out. nullopt on any
/// character outside the alphabet, on misplaced padding, or on an impossible length.
std::optional<std::string> base64_decode(std::string_view text);

/// The `webhook-signature` value for one request: "v1," + base64(HMAC-SHA256(key,
/// id + "." + decimal(timestamp_seconds) + "." + body)). `body` must be the exact bytes sent,
/// `timestamp_seconds` the value sent in `webhook-timestamp` (the time of this attempt).
/// Throws std::runtime_error only if OpenSSL cannot provide HMAC-SHA256 (a broken install),
/// never for any input.
std::string sign_webhook(std::string_view key, std::string_view id, std::int64_t timestamp_seconds,
                         std::string_view body);

/// True when any space-separated entry of `signature_header` is a `v1,` signature equal to
/// sign_webhook(key, id, timestamp_seconds, body), compared in constant time. Entries with other
/// versions (e.g. `v1a,`) are skipped. No timestamp tolerance check: that needs a clock, which
/// the receiver owns. Meant for tests and tools that play the receiver.
bool verify_webhook(std::string_view key, std::string_view id, std::int64_t timestamp_seconds,
                    std::string_view body, std::string_view signature_header);

}  // namespace flywatch::alert
