#include "outbox_test_util.hpp"

#include <doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace flywatch::test {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::chrono::system_clock::time_point test_time(int seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000 + seconds));
}

std::unique_ptr<alert::WebhookOutbox> open_outbox(const std::filesystem::path& dir,
                                                  alert::OutboxOptions options,
                                                  alert::ReplayReport* report) {
  auto r = alert::WebhookOutbox::open(dir, std::move(options));
  INFO("open error: ", r.error.message(), " ", r.detail);
  REQUIRE(r.outbox != nullptr);
  if (report != nullptr) *report = r.report;
  return std::move(r.outbox);
}

std::vector<EventView> pending_of(const std::filesystem::path& dir, const std::string& sink) {
  // Ack on a copy of the directory, so the real file is left as it was.
  ScratchDir copy;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().find(".lock") != std::string::npos) continue;
    std::filesystem::copy(entry.path(), copy.path() / entry.path().filename());
  }
  auto outbox = open_outbox(copy.path(), no_sync_options());
  return drain(*outbox, sink);
}

std::vector<EventView> drain(alert::WebhookOutbox& outbox, const std::string& sink) {
  std::vector<EventView> out;
  while (const auto* ev = outbox.next(sink)) {
    out.push_back({ev->seq, ev->webhook_id, ev->payload});
    REQUIRE_FALSE(outbox.ack(sink, ev->seq));
  }
  return out;
}

alert::OutboxOptions no_sync_options() {
  alert::OutboxOptions o;
  o.ops.fsync = [](int) { return 0; };
  return o;
}

}  // namespace flywatch::test
