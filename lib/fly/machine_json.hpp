#pragma once
/// Parses Fly Machines API responses into core::MachineSnapshot / core::MachineEvent.
/// Pure functions: no I/O, no clock, no exception escapes (every failure is a nullopt + message).
///
/// Leniency policy (the API is not ours, and one odd machine must not blind us to the others):
/// - Malformed JSON or a wrong top-level type → nullopt and a clear `error`.
/// - Unknown fields are ignored; unknown state/status/type strings are kept exactly as given.
/// - A field of the wrong type (e.g. `"state": 3`, `"checks": {}`) is skipped — left at its
///   default — and noted in `warnings`; the rest of the machine is still used.
/// - A list element that is not an object, or has no non-empty string `id`, is skipped and noted.
///   `parse_machine` instead fails on such input, since there is nothing else to return.
/// - A check or event entry that is not an object is skipped and noted. An event without a
///   usable timestamp is skipped and noted: an event is only useful for timing with one.
/// - Timestamps: epoch milliseconds as an integer (the API), a float, a string of digits, or
///   an RFC 3339 string — all accepted. `exited_at` likewise (integer ms in old docs, RFC 3339
///   in fly-go); an `exited_at` at or before the epoch (Go's zero time) counts as absent.
/// - `checks` missing or null → no checks. Checks named `bg_deployments_compat*` are fakes flaps
///   inserts (fly-go strips them); they are dropped silently.
/// - Missing `config` → autostop off, empty process group, no standbys.
/// - `config.standbys` (ids of the machines this one stands by for): a non-list is noted and
///   ignored, an entry that is not a non-empty string is noted and skipped.
/// - When `config` is absent and `incomplete_config` is an object (what the API sends when
///   host_status != "ok"), that partial config is read instead and `incomplete_config` is set;
///   `"incomplete_config": true` also sets the flag.
/// - Configured checks: the number of `config.checks` entries (an object keyed by name) plus
///   every `config.services[].checks[]` entry; 0 with an incomplete config, whose contents are
///   not to be trusted. A check status's `updated_at` (RFC 3339 or epoch ms) is kept; Go's zero
///   time counts as absent.
/// - Process group: config.metadata.fly_process_group, else the legacy metadata.process_group.
/// - Autostop: each config.services[].autostop may be true/"stop" (stop), "suspend" (suspend),
///   false/"off"/null/missing (off). Any service with suspend → suspend, else any with stop →
///   stop, else off. An unknown string counts as off and is noted.
/// - Exit details come from event.request.exit_event, else event.request.MonitorEvent.exit_event.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/machine.hpp"

namespace flywatch::fly {

/// Parses the body of `GET /v1/apps/{app}/machines` (a JSON array of Machine objects).
/// Returns the machines in the order given, or nullopt with `error` set when the text is not
/// JSON or not an array. Skipped machines/fields are described in `*warnings` when non-null
/// (one line each, naming the machine index and id).
std::optional<std::vector<core::MachineSnapshot>> parse_machine_list(
    std::string_view json, std::string& error, std::vector<std::string>* warnings = nullptr);

/// Parses the body of `GET /v1/apps/{app}/machines/{id}` (one Machine object). Returns nullopt
/// with `error` set when the text is not JSON, not an object, or has no non-empty string `id`.
std::optional<core::MachineSnapshot> parse_machine(
    std::string_view json, std::string& error, std::vector<std::string>* warnings = nullptr);

/// Parses the body of `GET /v1/apps/{app}/machines/{id}/events` (a JSON array of MachineEvent,
/// newest first; the order is kept). Returns nullopt with `error` set when the text is not JSON
/// or not an array; bad entries are skipped as described above.
std::optional<std::vector<core::MachineEvent>> parse_events(
    std::string_view json, std::string& error, std::vector<std::string>* warnings = nullptr);

}  // namespace flywatch::fly
