#pragma once
/// Fly's release_command (reference fly-platform.md §2.4) as `fly deploy` runs it: a temporary
/// machine in process group `fly_app_release_command` with the new image and release version
/// starts, runs the command, exits, and is destroyed; only when it exited 0 do the app's other
/// machines get the new image and version in their config. flysim updates the config in place
/// (no restart, same instance_id): a simplification of Fly's rolling machine update.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "sim_machine.hpp"

namespace flywatch::flysim {

/// The process group of release command machines.
inline constexpr const char* release_group = "fly_app_release_command";

/// What POST /_sim/apps/{app}/release asks for.
struct ReleaseSpec {
  std::int64_t version = 0;           ///< the new fly_release_version, >= 1
  std::string image;                  ///< the new config.image, non-empty
  int exit_code = 0;                  ///< what the release command exits with, 0..255
  std::int64_t run_ms = 500;          ///< how long it runs after the machine booted
  std::int64_t boot_delay_ms = 200;   ///< from launch to started
  std::int64_t destroy_after_ms = 1000;  ///< from the exit to destroyed
};

/// Reads the control body {"version":N,"image":S,"exit_code":C,"run_ms":R,"boot_delay_ms":B,
/// "destroy_after_ms":D} (version and image required, the rest default as in ReleaseSpec).
/// Nullopt with `error` set when a field is missing, of the wrong type or out of range.
std::optional<ReleaseSpec> read_release(const boost::json::object& body, std::string& error);

/// A release whose command machine has not finished yet.
struct PendingRelease {
  std::string machine_id;
  std::int64_t version = 0;
  std::string image;
};

/// Launches the release command machine for `spec` with id `id` at `now_ms` (created, then
/// starting; in the region of the app's first machine, else "iad") into `machines`, and returns
/// the release to settle later.
PendingRelease launch_release(std::vector<SimMachine>& machines, const ReleaseSpec& spec,
                              const std::string& id, std::int64_t now_ms);

/// Advances each pending release's machine to `now_ms` and removes the releases that are over:
/// when the command exited 0 every machine of `machines` outside the release group gets the
/// release's image and version; when it exited non-zero, or its machine was stopped or has gone
/// before exiting by itself, nothing changes.
void settle_releases(std::vector<SimMachine>& machines, std::vector<PendingRelease>& pending,
                     std::int64_t now_ms);

}  // namespace flywatch::flysim
