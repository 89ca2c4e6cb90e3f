#pragma once
/// The on-disk framing of the webhook outbox (DESIGN §7): pure encoding and decoding of one
/// record, CRC-32 and webhook-id text. No I/O, no clock reads; lib/alert/outbox.* does the files.
///
/// A record is a 20-byte header followed by a body, all integers little-endian:
///
///   offset  size  field
///        0     4  magic "FWOB"
///        4     1  version (1)
///        5     1  kind (1 = enqueue, 2 = ack, 3 = note)
///        6     2  reserved, 0
///        8     4  body length in bytes (at most max_record_body_bytes)
///       12     4  CRC-32 (IEEE, the zlib/PNG one) of the body
///       16     4  CRC-32 of header bytes 0..15
///       20     …  body
///
///   enqueue body: seq u64, enqueued_at (ms since the Unix epoch) i64, sink length u16,
///                 webhook-id length u16, sink bytes, webhook-id bytes, payload (the rest)
///   ack body:     seq u64, sink length u16, sink bytes
///   note body:    seq u64, followers u32, payload (the rest)
///
/// A note is not delivered anywhere: it records, for the restart, what the enqueue records written
/// with it in one write mean (lib/alert/alert_notes.hpp: which alerts they fire or resolve). Its
/// `followers` enqueue records come right after it in the file; a note whose followers are not
/// all there was torn off at the end, and replay drops it with them (WebhookOutbox).
///
/// The header has its own CRC so that a length field is trusted only when it is intact: a
/// record whose valid header says it runs past the end of the file is a torn (short) write,
/// anything else that fails a check is corruption.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace flywatch::alert {

inline constexpr std::string_view outbox_record_magic = "FWOB";
inline constexpr std::uint8_t outbox_record_version = 1;
inline constexpr std::size_t outbox_record_header_bytes = 20;
/// Larger bodies are refused by the encoder's callers and treated as corruption by the decoder.
inline constexpr std::uint32_t max_record_body_bytes = 64u << 20;
/// Sinks and webhook ids are length-prefixed with 16 bits.
inline constexpr std::size_t max_record_name_bytes = 0xffff;

/// CRC-32 (IEEE 802.3 polynomial, reflected; the same value as zlib's crc32()) of `bytes`,
/// continuing from `crc` (0 to start).
std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0);

/// An event written to the outbox, before delivery.
struct EnqueueRecord {
  std::uint64_t seq = 0;
  std::int64_t enqueued_at_ms = 0;  ///< milliseconds since the Unix epoch
  std::string sink;
  std::string webhook_id;
  std::string payload;
  bool operator==(const EnqueueRecord&) const = default;
};

/// The end of an event's life in the outbox: delivered, or given up on.
struct AckRecord {
  std::uint64_t seq = 0;
  std::string sink;
  bool operator==(const AckRecord&) const = default;
};

/// Alert state written with a batch of events (see above).
struct NoteRecord {
  std::uint64_t seq = 0;
  std::uint32_t followers = 0;  ///< enqueue records written right after it, in the same write
  std::string payload;
  bool operator==(const NoteRecord&) const = default;
};

using OutboxRecord = std::variant<EnqueueRecord, AckRecord, NoteRecord>;

/// The framed bytes of `record`. Precondition (checked by the outbox before it calls this):
/// sink and webhook-id at most max_record_name_bytes, body at most max_record_body_bytes.
std::string encode_record(const OutboxRecord& record);

/// The encoded size of `record` without building it.
std::size_t encoded_record_size(const OutboxRecord& record);

enum class DecodeStatus {
  ok,         ///< `record` and `size` are set
  truncated,  ///< fewer bytes than the record needs: a short write at the end of the file
  corrupt,    ///< bad magic, header CRC, version, length, body CRC or body layout; see `reason`
};

struct DecodeResult {
  DecodeStatus status = DecodeStatus::corrupt;
  OutboxRecord record;
  std::size_t size = 0;  ///< bytes the record occupies, when ok
  std::string_view reason;  ///< static text, empty when ok
};

/// Decodes the record that starts at bytes[0]. `bytes` may go on past the record (the rest of
/// the file); only the record's own bytes are read.
DecodeResult decode_record(std::string_view bytes);

/// "msg_" + 26 characters of Crockford base32, ULID-like: 48 bits of `unix_ms` (so ids sort by
/// time) then the 80 bits of `random`. Negative times are clamped to 0.
std::string make_webhook_id(std::int64_t unix_ms, const std::array<std::uint8_t, 10>& random);

}  // namespace flywatch::alert
