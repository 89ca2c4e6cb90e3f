#pragma once
/// The alert state a restart must agree with what the outbox will deliver (issue 9).
///
/// alerts.json is a snapshot written at most every AlertCenter::state_delay, after the events it
/// covers are in the outbox; a kill -9 in between used to restore a state that had not seen
/// them (a firing delivered after the restart, its alert forgotten, its `resolved` never sent).
/// So every batch of alert events goes into the outbox with a note of what it changes, in the
/// same write and fsync as the events (WebhookOutbox::append_batch). alerts.json records the
/// outbox seq it covers; at startup the notes after that seq are applied on top of it. A note is
/// kept through compactions until an alerts.json covering it is durable
/// (WebhookOutbox::drop_notes_through), so an alert whose firing was delivered and compacted
/// away before the snapshot is still restored. Pure functions but restore_alert_state(), which
/// reads the file.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "alert/alert_state.hpp"
#include "alert/outbox.hpp"
#include "core/alert.hpp"

namespace flywatch::alert {

/// The note for a batch of published events (firing, repeat, resolved), or nullopt when none
/// changes the state. JSON: {"changes":[{"kind":"firing"|"repeat"|"resolved","alert":{as in
/// alerts.json, last_notified_ms = the event's time, notified: true}}, …]}.
std::optional<std::string> format_alert_note(const std::vector<core::AlertEvent>& events);

/// `base` (as alerts.json holds it, covering the outbox up to `base_seq`) with the notes after
/// `base_seq` applied in seq order: a firing or repeat makes its alert firing and notified (its
/// last notification then), a resolved removes it. Notes that cannot be read are skipped and
/// counted in `bad_notes`; `applied` counts the changes applied. Order of `base` kept, new
/// alerts appended in the order they fired.
std::vector<PersistedAlert> apply_alert_notes(std::vector<PersistedAlert> base,
                                              std::uint64_t base_seq,
                                              const std::vector<OutboxNote>& notes,
                                              std::size_t& applied, std::size_t& bad_notes);

/// What restore_alert_state() found.
struct RestoredAlertState {
  std::vector<PersistedAlert> alerts;  ///< to hand to AlertCenter::restore()
  std::uint64_t outbox_seq = 0;        ///< what alerts.json covers (0: no usable file)
  bool file_found = false;
  /// Reading or parsing alerts.json failed (then only the notes are used); empty when fine.
  std::error_code read_error;
  std::string parse_error;
  std::size_t from_outbox = 0;  ///< changes applied from notes
  std::size_t bad_notes = 0;
};

/// Reads `dir/alerts.json` and applies the outbox's `notes` after the seq it covers.
RestoredAlertState restore_alert_state(const std::filesystem::path& dir,
                                       const std::vector<OutboxNote>& notes);

}  // namespace flywatch::alert
