#pragma once
/// The alerts that were firing, kept in `state_dir/alerts.json` so that a restart neither sends
/// them again as new nor forgets to resolve them (issue 4). Written whole after every change:
/// temp file, fsync, rename over, fsync of the directory, so a crash leaves the old or the new
/// file. Synchronous I/O: run it on the outbox worker, never on the event loop.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/alert_book.hpp"

namespace flywatch::alert {

/// One firing alert as persisted.
struct PersistedAlert {
  core::AlertSnapshotEntry entry;  ///< labels, annotations, starts_at, fingerprint, last_notified
  /// Its `firing` reached the sinks (false: held back by a maintenance window so far).
  bool notified = true;
};

/// The file as a whole.
struct AlertStateFile {
  std::vector<PersistedAlert> alerts;
  /// The outbox's last seq when the state was taken: the alert notes up to it are in `alerts`,
  /// later ones are not (lib/alert/alert_notes.hpp). 0 in files written before it existed.
  std::uint64_t outbox_seq = 0;
};

/// The file's JSON: {"version":1,"outbox_seq":N,"alerts":[{"labels":{…},"annotations":{…},
/// "starts_at_ms":…,"last_notified_ms":…,"notified":true}, …]}. The fingerprint is recomputed
/// from the labels.
std::string format_alert_state(const std::vector<PersistedAlert>& alerts,
                               std::uint64_t outbox_seq = 0);

/// Parses format_alert_state()'s output. On malformed input returns nullopt and says why in
/// `error`; entries with missing or mistyped fields make the whole file invalid (a half-read
/// state could resolve alerts that are firing).
std::optional<std::vector<PersistedAlert>> parse_alert_state(std::string_view text,
                                                             std::string& error);
/// The same, with outbox_seq (0 when absent).
std::optional<AlertStateFile> parse_alert_state_file(std::string_view text, std::string& error);

/// One alert as the file spells it (an element of "alerts"), and back; nullopt when malformed.
boost::json::object alert_to_json(const PersistedAlert& alert);
std::optional<PersistedAlert> alert_from_json(const boost::json::value& v);

/// Replaces `dir/alerts.json` atomically with `text`. Returns the failing step's error.
/// `crash_point`, when set, is called with "state_tmp_written" (temp file fsynced, not renamed)
/// and "state_renamed" (renamed, directory not fsynced): tests stop there (see AlertDispatcher).
std::error_code write_alert_state(const std::filesystem::path& dir, std::string_view text,
                                  std::string& step,
                                  const std::function<void(std::string_view)>& crash_point = {});

/// Reads `dir/alerts.json`: nullopt when it does not exist, else its content; a read error is
/// reported in `error` (empty string content and a message).
std::optional<std::string> read_alert_state(const std::filesystem::path& dir, std::error_code& error);

inline constexpr std::string_view alert_state_file_name = "alerts.json";

}  // namespace flywatch::alert
