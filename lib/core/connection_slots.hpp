#pragma once
/// Which admin-server connections may stay open, as pure bookkeeping: the server reports each
/// connection's phase with the time it entered it, and asks what deadline the phase has and,
/// when a new connection arrives at the cap, which open one to shed. No clock, no I/O.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace flywatch::core {

/// What a connection is doing. Every phase but `responding` holds a slot without the server
/// owing the client anything yet, so those connections may be shed for a newcomer.
enum class ConnectionPhase {
  idle,        ///< keep-alive, between requests: no byte of the next request yet
  head,        ///< reading a request head (a new connection starts here)
  body,        ///< head read, reading the request body
  responding,  ///< running the handler and writing the response: never shed
  lingering,   ///< answered an error; draining what the client still sends before closing
};

/// The slot budget and the time each phase may last.
struct ConnectionLimits {
  /// Connections open at once; at the cap a newcomer sheds the oldest sheddable one.
  std::size_t max_connections = 1024;
  /// A request head (and a new connection's wait for it) must arrive in full within this:
  /// a client that sends half a request line cannot hold a slot for longer.
  std::chrono::milliseconds head_timeout{std::chrono::seconds(5)};
  /// A request body (at most 64 KiB) must arrive within this once the head is in.
  std::chrono::milliseconds body_timeout{std::chrono::seconds(5)};
  /// Handler plus writing the response (a large /metrics to a slow scraper).
  std::chrono::milliseconds response_timeout{std::chrono::seconds(30)};
  /// A keep-alive connection may wait this long for the first byte of its next request.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  /// Draining an error-answered client (so it can read the answer) lasts at most this.
  std::chrono::milliseconds linger_timeout{std::chrono::seconds(2)};
};

/// The slot cap for a process allowed `fd_limit` descriptors (RLIMIT_NOFILE's soft limit):
/// a quarter of them, between 16 and `wanted`, so admin clients can never take the
/// descriptors probes, the Fly API and webhooks need.
std::size_t connection_cap_for_fd_limit(std::uint64_t fd_limit, std::size_t wanted = 1024);

/// The open connections of one server and the phase of each. Not thread-safe.
class ConnectionSlots {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = std::uint64_t;

  explicit ConnectionSlots(ConnectionLimits limits = {});

  struct Admission {
    /// False when every slot is `responding`: the newcomer is to be closed unserved.
    bool admitted = false;
    /// The newcomer's id (in phase `head` since `now`) when admitted.
    Id id = 0;
    /// An open connection that lost its slot to the newcomer: the caller closes it. It is
    /// already forgotten here; later calls about it are ignored.
    std::optional<Id> shed;
  };

  /// A new connection at `now`. Below the cap it is admitted; at the cap the sheddable
  /// connection that has been in its phase longest (ties: the earlier admitted) is shed for it.
  Admission admit(Clock::time_point now);

  /// `id` entered `phase` at `now`. False (and nothing changes) when `id` is not open, e.g. shed.
  bool enter(Id id, ConnectionPhase phase, Clock::time_point now);

  /// When `id`'s current phase runs out; nullopt when `id` is not open.
  std::optional<Clock::time_point> deadline(Id id) const;

  /// `id`'s current phase; nullopt when `id` is not open.
  std::optional<ConnectionPhase> phase(Id id) const;

  /// `id` closed (no-op when it is not open, e.g. already shed).
  void release(Id id);

  /// Forgets every connection (the server stopped).
  void clear();

  std::size_t size() const { return open_.size(); }
  const ConnectionLimits& limits() const { return limits_; }

 private:
  struct Slot {
    ConnectionPhase phase;
    Clock::time_point since;
  };
  static bool sheddable(ConnectionPhase p) { return p != ConnectionPhase::responding; }
  std::chrono::milliseconds timeout_of(ConnectionPhase p) const;

  ConnectionLimits limits_;
  Id next_id_ = 1;
  std::map<Id, Slot> open_;
  /// The sheddable ones, oldest phase start first (ids grow, so ties go to the earlier one).
  std::set<std::pair<Clock::time_point, Id>> shed_order_;
};

}  // namespace flywatch::core
