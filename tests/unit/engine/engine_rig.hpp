#pragma once
// An Engine on its own io_context with the FakeProber, real metrics and a logger writing to a
// temp file the test can read back.

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <doctest.h>

#include "engine/engine.hpp"
#include "fake_prober.hpp"
#include "net/http_client.hpp"
#include "testdata_files.hpp"

namespace flywatch::test {

struct EngineRig {
  boost::asio::io_context io{1};
  FakeProber prober;
  // The Fly API's requests go to the same fake, as http(s) probes.
  std::unique_ptr<net::HttpClient> http = net::http_client_over(prober);
  metrics::Metrics metrics{"test"};
  std::FILE* sink = std::tmpfile();
  log::Logger logger{core::LogFormat::logfmt, core::LogLevel::debug, false, sink};
  engine::Engine engine{io, prober, *http, metrics, logger};

  ~EngineRig() {
    engine.stop();
    io.restart();
    io.run_for(std::chrono::milliseconds(20));  // loops that outlive the test see the stop
    std::fclose(sink);
  }

  void run_for(std::chrono::milliseconds d) {
    io.restart();
    io.run_for(d);
  }
  /// Runs the loop until `done()` holds or `limit` passes (generous: a busy machine is slow);
  /// true when it holds. Wait on this, not on run_for, whatever counts a test asserts.
  template <class Done>
  bool run_until(Done done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= give_up) return false;
      run_for(std::chrono::milliseconds(5));
    }
    return true;
  }
  /// Everything logged so far.
  std::string logs() { return read_all(sink); }
  /// The entry named `name` of the status document's `list` ("targets" or "apps").
  boost::json::object status_entry(const char* list, const std::string& name) {
    const auto doc = boost::json::parse(engine.status_json());
    for (const auto& t : doc.at(list).as_array()) {
      if (t.at("name").as_string() == name) return t.as_object();
    }
    FAIL("no " << name << " in status " << list);
    return {};
  }
};

}  // namespace flywatch::test
