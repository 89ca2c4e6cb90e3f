#pragma once
// Targets built in code for engine tests (no YAML): https://<name>/ with the given interval.

#include <chrono>
#include <string>

#include "config/config.hpp"

namespace flywatch::test {

inline config::Target make_target(const std::string& name,
                                  std::chrono::milliseconds interval = std::chrono::seconds(15)) {
  config::Target t;
  t.name = name;
  t.url = "https://" + name + "/";
  t.endpoint.scheme = "https";
  t.endpoint.host = name;
  t.endpoint.port = 443;
  t.endpoint.target = "/";
  t.interval = interval;
  t.timeout = interval / 2;
  t.failure_threshold = 2;
  t.success_threshold = 1;
  return t;
}

}  // namespace flywatch::test
