#pragma once
/// The alerts that were firing, kept in `state_dir/alerts.json` so that a restart neither sends
/// them again as new nor forgets to resolve them (issue 4). Written whole after every change:
/// temp file, fsync, rename over, fsync of the directory, so a crash leaves the old or the new
/// file. Synchronous I/O: run it on the outbox worker, never on the event loop.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/alert_rules.hpp"

namespace flywatch::alert {

/// One firing alert as persisted.
struct PersistedAlert {
  core::AlertSnapshotEntry entry;  ///< labels, annotations, starts_at, fingerprint, last_notified
  /// Its `firing` reached the sinks (false: held back by a maintenance window so far).
  bool notified = true;
};

/// The file's JSON: {"version":1,"alerts":[{"labels":{…},"annotations":{…},"starts_at_ms":…,
/// "last_notified_ms":…,"notified":true}, …]}. The fingerprint is recomputed from the labels.
std::string format_alert_state(const std::vector<PersistedAlert>& alerts);

/// Parses format_alert_state()'s output. On malformed input returns nullopt and says why in
/// `error`; entries with missing or mistyped fields make the whole file invalid (a half-read
/// state could resolve alerts that are firing).
std::optional<std::vector<PersistedAlert>> parse_alert_state(std::string_view text,
                                                             std::string& error);

/// Replaces `dir/alerts.json` atomically with `text`. Returns the failing step's error.
std::error_code write_alert_state(const std::filesystem::path& dir, std::string_view text,
                                  std::string& step);

/// Reads `dir/alerts.json`: nullopt when it does not exist, else its content; a read error is
/// reported in `error` (empty string content and a message).
std::optional<std::string> read_alert_state(const std::filesystem::path& dir, std::error_code& error);

inline constexpr std::string_view alert_state_file_name = "alerts.json";

}  // namespace flywatch::alert
