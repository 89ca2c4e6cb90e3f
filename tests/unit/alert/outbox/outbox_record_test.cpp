// The outbox record framing: CRC-32, round trips, every truncation and every bit flip.

#include <doctest.h>

#include <string>
#include <vector>

#include "alert/outbox_record.hpp"

using namespace flywatch::alert;

namespace {

std::vector<OutboxRecord> sample_records() {
  return {
      EnqueueRecord{1, 1'700'000'000'123, "pagerduty", "msg_01HF0000000000000000000000",
                    R"({"type":"alert.firing"})"},
      EnqueueRecord{2, -5, "s", "", ""},
      EnqueueRecord{0xffffffffffffffffull, 0, std::string(300, 'x'), "id", std::string(5000, '\0')},
      AckRecord{7, "slack"},
      AckRecord{0, ""},
      NoteRecord{9, 2, R"({"changes":[]})"},
      NoteRecord{0, 0, ""},
  };
}

}  // namespace

TEST_CASE("crc32 is the IEEE CRC-32 (zlib's)") {
  // The published check value of CRC-32/ISO-HDLC, and the empty input.
  CHECK(crc32("123456789") == 0xcbf43926u);
  CHECK(crc32("") == 0u);
  // Continuing a CRC over a split input gives the CRC of the whole.
  CHECK(crc32("56789", crc32("1234")) == crc32("123456789"));
  CHECK(crc32("The quick brown fox jumps over the lazy dog") == 0x414fa339u);
}

TEST_CASE("records round-trip and report their size") {
  for (const auto& rec : sample_records()) {
    const std::string bytes = encode_record(rec);
    CHECK(bytes.size() == encoded_record_size(rec));
    const auto d = decode_record(bytes + "trailing bytes of the next record");
    REQUIRE(d.status == DecodeStatus::ok);
    CHECK(d.size == bytes.size());
    CHECK(d.record == rec);
    CHECK(d.reason.empty());
  }
}

TEST_CASE("every prefix of a record is a short write, never a record") {
  for (const auto& rec : sample_records()) {
    const std::string bytes = encode_record(rec);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
      const auto d = decode_record(std::string_view(bytes).substr(0, cut));
      INFO("cut at ", cut, " of ", bytes.size());
      CHECK(d.status == DecodeStatus::truncated);
    }
  }
}

TEST_CASE("every single bit flip is detected") {
  for (const auto& rec : sample_records()) {
    const std::string bytes = encode_record(rec);
    if (bytes.size() > 400) continue;  // the big record is covered by the others' layout
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string damaged = bytes;
        damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
        const auto d = decode_record(damaged);
        INFO("byte ", i, " bit ", bit);
        // A flipped length can also make the record look longer than the bytes: a short write.
        CHECK(d.status != DecodeStatus::ok);
        if (i < 4) CHECK(d.reason == "bad magic");
      }
    }
  }
}

TEST_CASE("a record with valid checksums but a wrong layout is corrupt") {
  std::string bytes = encode_record(AckRecord{3, "abc"});
  // Re-frame a body whose sink length says 9 while 3 bytes follow.
  std::string body = bytes.substr(outbox_record_header_bytes);
  body[8] = 9;
  std::string header = bytes.substr(0, 12);
  const auto put32 = [](std::string& s, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  put32(header, crc32(body));
  put32(header, crc32(header));
  const auto d = decode_record(header + body);
  CHECK(d.status == DecodeStatus::corrupt);
  CHECK(d.reason == "ack sink length mismatch");
}

TEST_CASE("webhook ids: msg_ + 26 Crockford base32 characters, time first") {
  const std::array<std::uint8_t, 10> zero{};
  std::array<std::uint8_t, 10> ones{};
  ones.fill(0xff);
  const auto a = make_webhook_id(1'700'000'000'000, zero);
  const auto b = make_webhook_id(1'700'000'000'001, zero);
  const auto c = make_webhook_id(1'700'000'000'000, ones);
  CHECK(a.size() == 30);
  CHECK(a.rfind("msg_", 0) == 0);
  for (char ch : a.substr(4))
    CHECK(std::string_view("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find(ch) != std::string_view::npos);
  CHECK(a < b);  // later time sorts later
  CHECK(a != c);
  CHECK(a.substr(4, 10) == c.substr(4, 10));     // same time part
  CHECK(c.substr(14) == std::string(16, 'Z'));   // all 80 random bits set
  CHECK(a.substr(14) == std::string(16, '0'));
  CHECK(make_webhook_id(0, zero) == "msg_" + std::string(26, '0'));
  CHECK(make_webhook_id(-1, zero) == make_webhook_id(0, zero));
  // 1'700'000'000'000 ms = 0x18BCFE56800, in base32 from the most significant 5-bit group.
  CHECK(a.substr(4, 10) == "01HF7YAT00");
}
