#pragma once
/// Which machines of an app get a wait request (`GET …/wait?state=started`, held by the API up to
/// 60 s) and what a finished wait means: the decisions the poll loop's I/O shell applies. Pure:
/// no I/O, no clock reads; time comes in.
///
/// A wait is worth opening for a machine a start can follow (stopped, suspended, starting), of a
/// watched process group, except:
/// - a standby (`config.standbys` lists the machines it stands by for): it stays stopped until
///   its primary's host fails, so a wait on it would be held open for nothing, forever;
/// - a machine whose wait the API refused (HTTP 400) while it was in the same state with the same
///   instance_id: the refusal would only come again. A changed state or instance_id, or
///   `retry_refused_after` passing, makes it worth asking again.
/// Each wait opened is a Ticket; results are matched by ticket, so a result of a wait that was
/// dropped (stop, reload) or replaced cannot be mistaken for a newer one's.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/machine.hpp"
#include "fly/app_poll_state.hpp"

namespace flywatch::fly {

/// True when the machine stands by for others (`config.standbys` non-empty).
bool is_standby(const core::MachineSnapshot& m);

class WaitBook {
 public:
  using time_point = std::chrono::system_clock::time_point;

  /// One wait to open.
  struct Ticket {
    std::string machine;
    std::uint64_t seq = 0;  ///< unique within this book
  };

  /// What the caller does with a finished wait.
  enum class After {
    ignore,        ///< not a wait in flight any more (dropped or replaced): do nothing
    poll_now,      ///< the machine is started: poll the list at once
    timed_out,     ///< 408, "not yet": the next poll opens another
    refused,       ///< 400, newly refused: log it once (it is not sent again for that machine state)
    refused_again, ///< 400 again for the same machine state after `retry_refused_after`: debug
    failed,        ///< any other failure (429, 5xx, network…): the next poll opens another
  };

  explicit WaitBook(std::chrono::milliseconds retry_refused_after = std::chrono::minutes(10))
      : retry_refused_after_(retry_refused_after) {}

  /// The waits to open after a successful list, each marked in flight; see the class comment.
  /// Refusals remembered for machines not in `machines` any more are forgotten.
  std::vector<Ticket> to_open(const std::vector<core::MachineSnapshot>& machines, time_point now);

  /// Applies the outcome of the wait `ticket` finished at `now`.
  After on_result(const Ticket& ticket, const PollOutcome& outcome, time_point now);

  /// Forgets every wait in flight (the caller cancelled them): later results are ignored and the
  /// next to_open may open new ones. Remembered refusals stay.
  void drop_in_flight() { in_flight_.clear(); }

  std::size_t in_flight() const { return in_flight_.size(); }
  /// True while a refusal is remembered for `machine` (whatever its state now).
  bool refused(const std::string& machine) const { return refused_.contains(machine); }

 private:
  // The machine as it was when the wait was opened: a refusal speaks for this, not for later.
  struct Key {
    std::string state;
    std::string instance_id;
    bool operator==(const Key&) const = default;
  };
  struct Open {
    std::uint64_t seq;
    Key key;
  };
  struct Refusal {
    Key key;
    time_point at;
  };

  std::chrono::milliseconds retry_refused_after_;
  std::uint64_t next_seq_ = 0;
  std::map<std::string, Open> in_flight_;     // machine id → its wait in flight
  std::map<std::string, Refusal> refused_;    // machine id → the last refusal
};

}  // namespace flywatch::fly
