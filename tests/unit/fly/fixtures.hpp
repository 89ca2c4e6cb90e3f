#pragma once
// Reads files under tests/testdata/fly and renders parsed machines field by field for table tests.

#include <string>
#include <string_view>
#include <vector>

#include "core/machine.hpp"

namespace flywatch::fly::test {

/// The whole of tests/testdata/fly/<name>; fails the running test (and returns "") if unreadable.
std::string read_fixture(const std::string& name);

/// The non-empty lines of tests/testdata/fly/<name> that do not start with '#', split on white space.
std::vector<std::vector<std::string>> read_table(const std::string& name);

/// One field of a machine as text, named as in the table files: a plain member (`id`, `state`,
/// `process_group`, `autostop`, `incomplete_config`, `ignored`, …), a count (`checks`, `events`),
/// or an entry's member (`check0.status`, `event2.exit_code`, `event0.ts`). Empty text and an
/// absent optional render as "-"; an unknown name or an out-of-range entry renders as "?name".
std::string machine_field(const core::MachineSnapshot& m, std::string_view name);

}  // namespace flywatch::fly::test
