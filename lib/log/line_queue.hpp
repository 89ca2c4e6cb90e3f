#pragma once
/// Lines written to a file descriptor by a thread of their own, so that whoever logs (the event
/// loop) never waits on a slow reader: a stderr pipe nobody drains, a journal under load.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace flywatch::log {

/// A FIFO of whole lines, bounded in bytes, drained by one writer thread into `fd` in order,
/// one write(2) per line (so lines stay whole on a pipe shared with other writers). push()
/// never blocks on the descriptor: when the queue is full the line is dropped and counted.
/// Thread-safe.
class LineQueue {
 public:
  /// Starts the writer thread. `fd` stays open and owned by the caller; it must outlive this.
  LineQueue(int fd, std::size_t capacity_bytes);
  /// close() with a two-second bound.
  ~LineQueue();
  LineQueue(const LineQueue&) = delete;
  LineQueue& operator=(const LineQueue&) = delete;

  /// Queues `line` (with its newline), or drops and counts it when the queue holds
  /// capacity_bytes already. When lines were dropped since the last notice and there is room
  /// for both, `notice(n)` — a line saying n lines were dropped — is queued first, so the gap
  /// shows where it happened. False when `line` was dropped.
  bool push(std::string line, const std::function<std::string(std::uint64_t)>& notice);

  /// Queues `notice(n)` alone when n lines were dropped unreported and it fits (at shutdown).
  void report_drops(const std::function<std::string(std::uint64_t)>& notice);

  /// Waits until every line queued so far is written, at most `timeout`; true when they are.
  bool flush(std::chrono::milliseconds timeout);

  /// Lines dropped since the start.
  std::uint64_t dropped() const;
  /// Lines dropped that no notice has reported yet.
  std::uint64_t unreported() const;

  /// Writes what is queued for at most `timeout`, then stops the writer: lines still queued
  /// then are lost (the descriptor is not being read). Later pushes are dropped. Idempotent.
  void close(std::chrono::milliseconds timeout);

  struct Shared;  ///< the state the writer thread shares (defined in line_queue.cpp)

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace flywatch::log
