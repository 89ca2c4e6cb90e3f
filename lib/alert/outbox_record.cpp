#include "alert/outbox_record.hpp"

#include <algorithm>

namespace flywatch::alert {
namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto crc_table = make_crc_table();

constexpr std::uint8_t kind_enqueue = 1;
constexpr std::uint8_t kind_ack = 2;
constexpr std::uint8_t kind_note = 3;

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::string_view bytes, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return v;
}

std::size_t body_size(const OutboxRecord& record) {
  if (const auto* e = std::get_if<EnqueueRecord>(&record))
    return 8 + 8 + 2 + 2 + e->sink.size() + e->webhook_id.size() + e->payload.size();
  if (const auto* n = std::get_if<NoteRecord>(&record)) return 8 + 4 + n->payload.size();
  const auto& a = std::get<AckRecord>(record);
  return 8 + 2 + a.sink.size();
}

DecodeResult corrupt(std::string_view reason) {
  DecodeResult r;
  r.status = DecodeStatus::corrupt;
  r.reason = reason;
  return r;
}

}  // namespace

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) {
  crc = ~crc;
  for (char ch : bytes) crc = crc_table[(crc ^ static_cast<unsigned char>(ch)) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

std::size_t encoded_record_size(const OutboxRecord& record) {
  return outbox_record_header_bytes + body_size(record);
}

std::string encode_record(const OutboxRecord& record) {
  std::string body;
  body.reserve(body_size(record));
  std::uint8_t kind = kind_ack;
  if (const auto* e = std::get_if<EnqueueRecord>(&record)) {
    kind = kind_enqueue;
    put_u64(body, e->seq);
    put_u64(body, static_cast<std::uint64_t>(e->enqueued_at_ms));
    put_u16(body, static_cast<std::uint16_t>(e->sink.size()));
    put_u16(body, static_cast<std::uint16_t>(e->webhook_id.size()));
    body += e->sink;
    body += e->webhook_id;
    body += e->payload;
  } else if (const auto* n = std::get_if<NoteRecord>(&record)) {
    kind = kind_note;
    put_u64(body, n->seq);
    put_u32(body, n->followers);
    body += n->payload;
  } else {
    const auto& a = std::get<AckRecord>(record);
    put_u64(body, a.seq);
    put_u16(body, static_cast<std::uint16_t>(a.sink.size()));
    body += a.sink;
  }
  std::string out;
  out.reserve(outbox_record_header_bytes + body.size());
  out += outbox_record_magic;
  out.push_back(static_cast<char>(outbox_record_version));
  out.push_back(static_cast<char>(kind));
  put_u16(out, 0);
  put_u32(out, static_cast<std::uint32_t>(body.size()));
  put_u32(out, crc32(body));
  put_u32(out, crc32(out));
  out += body;
  return out;
}

DecodeResult decode_record(std::string_view bytes) {
  if (bytes.size() < outbox_record_header_bytes) {
    // A header cut short is a torn write only if what is there could be the start of one.
    const std::size_t n = std::min(bytes.size(), outbox_record_magic.size());
    if (bytes.substr(0, n) != outbox_record_magic.substr(0, n)) return corrupt("bad magic");
    DecodeResult r;
    r.status = DecodeStatus::truncated;
    r.reason = "short header";
    return r;
  }
  if (bytes.substr(0, 4) != outbox_record_magic) return corrupt("bad magic");
  if (crc32(bytes.substr(0, 16)) != get_le(bytes, 16, 4)) return corrupt("bad header checksum");
  if (static_cast<std::uint8_t>(bytes[4]) != outbox_record_version)
    return corrupt("unsupported record version");
  const auto kind = static_cast<std::uint8_t>(bytes[5]);
  const auto body_len = static_cast<std::uint32_t>(get_le(bytes, 8, 4));
  if (body_len > max_record_body_bytes) return corrupt("record length out of range");
  if (bytes.size() - outbox_record_header_bytes < body_len) {
    DecodeResult r;
    r.status = DecodeStatus::truncated;
    r.reason = "short body";
    return r;
  }
  const std::string_view body = bytes.substr(outbox_record_header_bytes, body_len);
  if (crc32(body) != get_le(bytes, 12, 4)) return corrupt("bad body checksum");

  DecodeResult r;
  r.status = DecodeStatus::ok;
  r.size = outbox_record_header_bytes + body_len;
  if (kind == kind_enqueue) {
    if (body.size() < 20) return corrupt("enqueue body too short");
    EnqueueRecord e;
    e.seq = get_le(body, 0, 8);
    e.enqueued_at_ms = static_cast<std::int64_t>(get_le(body, 8, 8));
    const auto sink_len = static_cast<std::size_t>(get_le(body, 16, 2));
    const auto id_len = static_cast<std::size_t>(get_le(body, 18, 2));
    if (body.size() - 20 < sink_len + id_len) return corrupt("enqueue names overrun the body");
    e.sink = std::string(body.substr(20, sink_len));
    e.webhook_id = std::string(body.substr(20 + sink_len, id_len));
    e.payload = std::string(body.substr(20 + sink_len + id_len));
    r.record = std::move(e);
  } else if (kind == kind_ack) {
    if (body.size() < 10) return corrupt("ack body too short");
    AckRecord a;
    a.seq = get_le(body, 0, 8);
    const auto sink_len = static_cast<std::size_t>(get_le(body, 8, 2));
    if (body.size() - 10 != sink_len) return corrupt("ack sink length mismatch");
    a.sink = std::string(body.substr(10));
    r.record = std::move(a);
  } else if (kind == kind_note) {
    if (body.size() < 12) return corrupt("note body too short");
    NoteRecord n;
    n.seq = get_le(body, 0, 8);
    n.followers = static_cast<std::uint32_t>(get_le(body, 8, 4));
    n.payload = std::string(body.substr(12));
    r.record = std::move(n);
  } else {
    return corrupt("unknown record kind");
  }
  return r;
}

std::string make_webhook_id(std::int64_t unix_ms, const std::array<std::uint8_t, 10>& random) {
  static constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const std::uint64_t ms = unix_ms < 0 ? 0 : static_cast<std::uint64_t>(unix_ms) & 0xffffffffffffull;
  std::string id = "msg_";
  // 10 characters carry 50 bits; the top two are zero for a 48-bit time.
  for (int i = 9; i >= 0; --i) id.push_back(alphabet[(ms >> (5 * i)) & 0x1f]);
  // 16 characters carry exactly the 80 random bits, 5 at a time from the most significant.
  std::size_t bit = 0;
  for (int i = 0; i < 16; ++i) {
    unsigned v = 0;
    for (int b = 0; b < 5; ++b, ++bit) {
      const unsigned byte = random[bit / 8];
      v = (v << 1) | ((byte >> (7 - bit % 8)) & 1u);
    }
    id.push_back(alphabet[v]);
  }
  return id;
}

}  // namespace flywatch::alert
