#include <doctest.h>

#include "core/connection_reuse.hpp"

using flywatch::core::ConnectionMode;
using flywatch::core::ExchangeEnd;
using flywatch::core::KeptConnection;
using flywatch::core::keepable_after;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

namespace {

// A fake clock: a fixed origin plus offsets, never the real time.
const Clock::time_point t0 = Clock::time_point(std::chrono::hours(1000));

ExchangeEnd clean() { return ExchangeEnd{true, true, true}; }

}  // namespace

TEST_CASE("connection reuse: modes print as the config spells them") {
  CHECK(to_string(ConnectionMode::fresh) == "fresh");
  CHECK(to_string(ConnectionMode::reuse) == "reuse");
}

TEST_CASE("connection reuse: a connection is kept only after a clean keep-alive exchange") {
  CHECK(keepable_after(clean()));
  ExchangeEnd e = clean();
  e.completed = false;  // any error: a failure, a timeout, a partial response
  CHECK_FALSE(keepable_after(e));
  e = clean();
  e.keep_alive = false;  // Connection: close, or HTTP/1.0 without keep-alive
  CHECK_FALSE(keepable_after(e));
  e = clean();
  e.body_delimited = false;  // a body that ended with the connection
  CHECK_FALSE(keepable_after(e));
  CHECK_FALSE(keepable_after(ExchangeEnd{}));
}

TEST_CASE("connection reuse: usable until max_connection_age, then redialed") {
  KeptConnection k{t0, minutes(10)};
  CHECK(k.usable_at(t0));
  CHECK(k.usable_at(t0 + seconds(1)));
  CHECK(k.usable_at(t0 + minutes(10) - milliseconds(1)));
  CHECK_FALSE(k.usable_at(t0 + minutes(10)));  // exactly at the age: a new handshake
  CHECK_FALSE(k.usable_at(t0 + minutes(11)));
}

TEST_CASE("connection reuse: a time before opened_at or a non-positive age means redial") {
  CHECK_FALSE(KeptConnection{t0, minutes(10)}.usable_at(t0 - seconds(1)));
  CHECK_FALSE(KeptConnection{t0, milliseconds(0)}.usable_at(t0));
  CHECK_FALSE(KeptConnection{t0, milliseconds(-5)}.usable_at(t0));
}

TEST_CASE("connection reuse: the default age is 10 minutes, within the bounds") {
  using namespace flywatch::core;
  CHECK(default_max_connection_age == minutes(10));
  CHECK(KeptConnection{}.max_age == default_max_connection_age);
  CHECK(min_max_connection_age <= default_max_connection_age);
  CHECK(default_max_connection_age <= max_max_connection_age);
}
