// Fuzzer: what a restart reads back from state_dir (lib/alert): the outbox file replayed by
// WebhookOutbox::open (record decoding, torn tails, damage in the middle, batches cut short,
// the rewrite that drops damage) and restore_alert_state (alerts.json plus the outbox's notes),
// on files in a private directory under $TMPDIR (else /dev/shm, else /tmp).
//
// Half of the inputs are the file's bytes as they are; the other half describe records that
// are encoded with valid checksums (enqueue, ack and note, sinks and seqs from small sets so
// acks and batches meet their events), then cut short or damaged at one byte, plus an
// alerts.json: random bytes rarely pass a CRC-32, so these reach the replay logic behind it.
//
// Properties: no crash; open() fails only on a file that is not an outbox at all; and replay
// leaves a clean file: opening it again finds no damage and no torn tail, the same undelivered
// events per sink and the same notes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <system_error>

#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include "alert/alert_notes.hpp"
#include "alert/alert_state.hpp"
#include "alert/outbox.hpp"
#include "alert/outbox_record.hpp"
#include "fuzz_check.hpp"

namespace {

namespace fs = std::filesystem;
using namespace flywatch;
using fuzz::require;

const fs::path& work_dir() {
  static const fs::path dir = [] {
    std::error_code ec;
    const char* tmp = std::getenv("TMPDIR");
    const std::string base = tmp ? tmp : fs::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
    std::string name = base + "/flywatch-fuzz-outbox-XXXXXX";
    require(::mkdtemp(name.data()) != nullptr, "a private directory for the outbox");
    return fs::path(name);
  }();
  return dir;
}

void clear_work_dir() {
  for (const auto& entry : fs::directory_iterator(work_dir())) fs::remove(entry.path());
}

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  require(static_cast<bool>(out), "the fuzz input is written");
}

constexpr std::array<std::string_view, 3> sinks = {"pager", "slack", "a"};

std::string consume_sink(FuzzedDataProvider& in) {
  if (in.ConsumeIntegralInRange(0, 7) == 0) return in.ConsumeRandomLengthString(8);
  return std::string(in.PickValueInArray(sinks));
}

// Records with valid framing, then at most one cut and one damaged byte.
std::string consume_records(FuzzedDataProvider& in) {
  std::string file;
  for (int n = in.ConsumeIntegralInRange(0, 12); n > 0; --n) {
    const std::uint64_t seq = in.ConsumeIntegralInRange(0, 7) == 0
                                  ? in.ConsumeIntegral<std::uint64_t>()
                                  : in.ConsumeIntegralInRange<std::uint64_t>(1, 16);
    switch (in.ConsumeIntegralInRange(0, 2)) {
      case 0: {
        alert::EnqueueRecord e;
        e.seq = seq;
        e.enqueued_at_ms = in.ConsumeBool() ? in.ConsumeIntegral<std::int64_t>()
                                            : in.ConsumeIntegralInRange<std::int64_t>(
                                                  0, 4'102'444'800'000);
        e.sink = consume_sink(in);
        e.webhook_id = in.ConsumeRandomLengthString(32);
        e.payload = in.ConsumeRandomLengthString(64);
        file += alert::encode_record(e);
        break;
      }
      case 1:
        file += alert::encode_record(alert::AckRecord{seq, consume_sink(in)});
        break;
      default: {
        const auto followers = in.ConsumeIntegralInRange<std::uint32_t>(0, 4);
        file += alert::encode_record(
            alert::NoteRecord{seq, followers, in.ConsumeRandomLengthString(256)});
        break;
      }
    }
  }
  if (!file.empty() && in.ConsumeBool()) {
    file.resize(in.ConsumeIntegralInRange<std::size_t>(0, file.size() - 1));
  }
  if (!file.empty() && in.ConsumeBool()) {
    file[in.ConsumeIntegralInRange<std::size_t>(0, file.size() - 1)] ^=
        static_cast<char>(in.ConsumeIntegralInRange(1, 255));
  }
  return file;
}

// Undelivered events per sink, and the notes: what a replay hands on.
struct Replayed {
  std::map<std::string, std::size_t> depths;
  std::vector<alert::OutboxNote> notes;
  bool operator==(const Replayed&) const = default;
};

Replayed replayed(const alert::WebhookOutbox& outbox) {
  Replayed r;
  for (const auto& s : outbox.stats().sinks) {
    if (s.depth > 0) r.depths[s.sink] = s.depth;
  }
  r.notes = outbox.notes();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The directory first, so that it still exists when the exit handler runs (statics made
  // after an atexit() registration are destroyed before it runs).
  (void)work_dir();
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(work_dir(), ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  clear_work_dir();
  const fs::path log = work_dir() / "outbox.log";
  if (in.ConsumeBool()) {
    const std::string records = consume_records(in);
    if (in.ConsumeBool()) write_file(work_dir() / alert::alert_state_file_name,
                                     in.ConsumeRandomLengthString(512));
    write_file(log, records);
  } else {
    write_file(log, in.ConsumeRemainingBytesAsString());
  }

  alert::OutboxOptions options;
  options.random_seed = 1;
  auto first = alert::WebhookOutbox::open(work_dir(), options);
  if (!first.outbox) {
    require(first.error == std::errc::illegal_byte_sequence, "open fails only on a non-outbox");
    return 0;
  }
  const Replayed before = replayed(*first.outbox);
  (void)alert::restore_alert_state(work_dir(), before.notes);
  first.outbox.reset();

  auto second = alert::WebhookOutbox::open(work_dir(), options);
  require(second.outbox != nullptr, "a replayed outbox opens again");
  require(second.report.corruptions.empty(), "no damage left after a replay");
  require(second.report.dropped_tail_bytes == 0, "no torn tail left after a replay");
  require(replayed(*second.outbox) == before, "the same events and notes after a replay");
  return 0;
}
