#pragma once
/// The last cold starts of the watched apps (DESIGN §5), for people to read (the status
/// document and page): a bounded ring fed with each fleet update, newest first. A value type:
/// no clock, no I/O; what it holds is what the updates said.

#include <cstddef>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "core/machine_lifecycle.hpp"
#include "core/machine_update.hpp"

namespace flywatch::core {

/// One cold start that ended: it reached healthy, or it was abandoned (the machine stopped,
/// suspended, failed or was destroyed first; then `episode.ended` says when).
struct ColdStartRecord {
  std::string app;
  std::string machine;
  std::string region;
  ColdStartEpisode episode;
  bool abandoned = false;
};

/// Keeps the last `capacity` cold starts of all apps together, newest first.
class ColdStartHistory {
 public:
  static constexpr std::size_t default_capacity = 20;

  /// A capacity of 0 is taken as 1.
  explicit ColdStartHistory(std::size_t capacity = default_capacity);

  /// Records the cold starts that ended in `update`: machine by machine in id order, each
  /// machine's finished episodes in order, then its abandoned one. `regions` maps machine ids
  /// to regions (a machine missing there gets an empty region).
  void record(const std::string& app, const FleetUpdate& update,
              const std::map<std::string, std::string>& regions);
  /// Records one cold start as the newest; the oldest goes when the ring is full.
  void record(ColdStartRecord r);
  /// Drops every cold start of `app` (it left the config).
  void forget_app(std::string_view app);

  /// Newest first, at most capacity().
  const std::deque<ColdStartRecord>& entries() const { return entries_; }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::deque<ColdStartRecord> entries_;
};

}  // namespace flywatch::core
