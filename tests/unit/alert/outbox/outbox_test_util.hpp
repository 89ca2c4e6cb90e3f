#pragma once
// Helpers shared by the outbox tests: file bytes and a queue snapshot.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "alert/outbox.hpp"
#include "testdata_files.hpp"  // ScratchDir

namespace flywatch::test {

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& bytes);

/// 2023-11-14T22:13:20Z plus `seconds`.
std::chrono::system_clock::time_point test_time(int seconds = 0);

/// Opens `dir` and fails the test if that fails.
std::unique_ptr<alert::WebhookOutbox> open_outbox(const std::filesystem::path& dir,
                                                  alert::OutboxOptions options = {},
                                                  alert::ReplayReport* report = nullptr);

/// An event as the tests compare them.
struct EventView {
  std::uint64_t seq;
  std::string webhook_id;
  std::string payload;
  bool operator==(const EventView&) const = default;
};
/// Every undelivered event of `sink`, oldest first, as a fresh open of `dir` replays it. Works on
/// a copy of the directory (acking each event in turn), so `dir` and any outbox open on it are
/// left untouched.
std::vector<EventView> pending_of(const std::filesystem::path& dir, const std::string& sink);

/// Acks every event of `sink` in turn and returns them, oldest first.
std::vector<EventView> drain(alert::WebhookOutbox& outbox, const std::string& sink);

/// Options whose fsync does nothing: for throwaway copies read many times in a loop.
alert::OutboxOptions no_sync_options();

}  // namespace flywatch::test
