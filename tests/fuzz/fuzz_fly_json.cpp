// Fuzzer: the Fly Machines API JSON parsers (lib/fly machine_json) on arbitrary text, as the
// poller hands them whatever the API answered: a machine list, one machine, an event list.
// None may crash or throw (the header promises nullopt and a message); a failure always has
// its message; and a machine that parses alone parses the same as the only element of a list.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fly/machine_json.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flywatch;
  using fuzz::require;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;

  std::string list_error;
  const auto list = fly::parse_machine_list(text, list_error, &warnings);
  require(list.has_value() || !list_error.empty(), "a failed machine list has an error");

  std::string events_error;
  const auto events = fly::parse_events(text, events_error, &warnings);
  require(events.has_value() || !events_error.empty(), "a failed event list has an error");

  std::string one_error;
  const auto one = fly::parse_machine(text, one_error, &warnings);
  require(one.has_value() || !one_error.empty(), "a failed machine has an error");
  if (one) {
    require(!one->id.empty(), "a parsed machine has an id");
    // The same object as a list of one (unless the extra nesting passes the parser's depth
    // limit, which fails the whole list).
    std::string error;
    const auto wrapped = fly::parse_machine_list("[" + std::string(text) + "]", error);
    if (wrapped) {
      require(wrapped->size() == 1, "a machine wrapped in [] is a list of one");
      const core::MachineSnapshot& m = wrapped->front();
      require(m.id == one->id && m.state == one->state && m.region == one->region &&
                  m.checks.size() == one->checks.size() &&
                  m.events.size() == one->events.size() &&
                  m.configured_checks == one->configured_checks &&
                  m.autostop == one->autostop && m.standbys == one->standbys &&
                  m.incomplete_config == one->incomplete_config,
              "a machine parses the same alone and in a list");
    }
  }
  return 0;
}
