#include <doctest.h>

#include <vector>

#include "core/connection_slots.hpp"

using flywatch::core::connection_cap_for_fd_limit;
using flywatch::core::ConnectionLimits;
using flywatch::core::ConnectionPhase;
using flywatch::core::ConnectionSlots;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// A fake clock: the policy never reads one, so tests name instants relative to t0.
const ConnectionSlots::Clock::time_point t0{seconds(1000)};

ConnectionLimits limits(std::size_t cap) {
  ConnectionLimits l;
  l.max_connections = cap;
  return l;
}

}  // namespace

TEST_CASE("connection slots: each phase has its own deadline, the head a short one") {
  ConnectionLimits l;
  l.head_timeout = seconds(5);
  l.body_timeout = seconds(4);
  l.response_timeout = seconds(30);
  l.idle_timeout = seconds(60);
  l.linger_timeout = seconds(2);
  ConnectionSlots slots(l);
  const auto a = slots.admit(t0);
  REQUIRE(a.admitted);
  CHECK(slots.phase(a.id) == ConnectionPhase::head);
  // Half a request line sent at t0 and nothing after: the head is late at t0 + 5 s, not 30 s.
  CHECK(slots.deadline(a.id) == t0 + seconds(5));

  CHECK(slots.enter(a.id, ConnectionPhase::body, t0 + seconds(1)));
  CHECK(slots.deadline(a.id) == t0 + seconds(5));
  CHECK(slots.enter(a.id, ConnectionPhase::responding, t0 + seconds(2)));
  CHECK(slots.deadline(a.id) == t0 + seconds(32));
  // Keep-alive: waiting for the next request's first byte, then for the rest of its head.
  CHECK(slots.enter(a.id, ConnectionPhase::idle, t0 + seconds(3)));
  CHECK(slots.deadline(a.id) == t0 + seconds(63));
  CHECK(slots.enter(a.id, ConnectionPhase::head, t0 + seconds(50)));
  CHECK(slots.deadline(a.id) == t0 + seconds(55));
  CHECK(slots.enter(a.id, ConnectionPhase::lingering, t0 + seconds(51)));
  CHECK(slots.deadline(a.id) == t0 + seconds(53));
}

TEST_CASE("connection slots: below the cap everyone is admitted, nobody shed") {
  ConnectionSlots slots(limits(3));
  for (int i = 0; i < 3; ++i) {
    const auto a = slots.admit(t0 + seconds(i));
    CHECK(a.admitted);
    CHECK_FALSE(a.shed);
  }
  CHECK(slots.size() == 3);
}

TEST_CASE("connection slots: at the cap a newcomer sheds the connection idle longest") {
  ConnectionSlots slots(limits(64));
  // 64 clients each send half a request line and stall: every slot is waiting for a head.
  std::vector<ConnectionSlots::Id> stalled;
  for (int i = 0; i < 64; ++i) stalled.push_back(slots.admit(t0 + milliseconds(i)).id);
  // A scrape arrives: it gets a slot, the oldest stalled client loses its own.
  const auto scrape = slots.admit(t0 + seconds(1));
  CHECK(scrape.admitted);
  REQUIRE(scrape.shed);
  CHECK(*scrape.shed == stalled[0]);
  CHECK(slots.size() == 64);
  // The shed one is forgotten: the server's later reports about it change nothing.
  CHECK_FALSE(slots.enter(stalled[0], ConnectionPhase::body, t0 + seconds(2)));
  CHECK_FALSE(slots.deadline(stalled[0]));
  slots.release(stalled[0]);
  CHECK(slots.size() == 64);
  // The next newcomer sheds the next oldest, never the scrape that just arrived.
  const auto next = slots.admit(t0 + seconds(2));
  REQUIRE(next.shed);
  CHECK(*next.shed == stalled[1]);
}

TEST_CASE("connection slots: a connection mid-response is never shed") {
  ConnectionSlots slots(limits(3));
  const auto a = slots.admit(t0);
  const auto b = slots.admit(t0 + seconds(1));
  const auto c = slots.admit(t0 + seconds(2));
  // The oldest is answering: the next oldest, still waiting for its head, goes instead.
  slots.enter(a.id, ConnectionPhase::responding, t0 + seconds(3));
  const auto d = slots.admit(t0 + seconds(4));
  REQUIRE(d.shed);
  CHECK(*d.shed == b.id);
  // Every slot answering: the newcomer is refused, nobody loses a response.
  slots.enter(c.id, ConnectionPhase::responding, t0 + seconds(5));
  slots.enter(d.id, ConnectionPhase::responding, t0 + seconds(5));
  const auto e = slots.admit(t0 + seconds(6));
  CHECK_FALSE(e.admitted);
  CHECK_FALSE(e.shed);
  CHECK(slots.size() == 3);
  // One goes back to keep-alive idle: it is sheddable again.
  slots.enter(c.id, ConnectionPhase::idle, t0 + seconds(7));
  const auto f = slots.admit(t0 + seconds(8));
  CHECK(f.admitted);
  REQUIRE(f.shed);
  CHECK(*f.shed == c.id);
}

TEST_CASE("connection slots: keep-alive idle counts as idle, ordered by when it went idle") {
  ConnectionSlots slots(limits(2));
  const auto scraper = slots.admit(t0);
  const auto stalled = slots.admit(t0 + seconds(1));
  // The scraper was admitted first but answered its request and went idle at t0 + 3 s:
  // the client stalled since t0 + 1 s has waited longer and goes first.
  slots.enter(scraper.id, ConnectionPhase::responding, t0 + seconds(2));
  slots.enter(scraper.id, ConnectionPhase::idle, t0 + seconds(3));
  const auto n1 = slots.admit(t0 + seconds(4));
  REQUIRE(n1.shed);
  CHECK(*n1.shed == stalled.id);
  // Then the idle keep-alive connection, before the newer newcomer.
  const auto n2 = slots.admit(t0 + seconds(5));
  REQUIRE(n2.shed);
  CHECK(*n2.shed == scraper.id);
  CHECK(slots.phase(n1.id) == ConnectionPhase::head);
}

TEST_CASE("connection slots: releases free slots; release and clear are idempotent") {
  ConnectionSlots slots(limits(2));
  const auto a = slots.admit(t0);
  const auto b = slots.admit(t0);
  slots.release(a.id);
  slots.release(a.id);
  CHECK(slots.size() == 1);
  const auto c = slots.admit(t0 + seconds(1));
  CHECK_FALSE(c.shed);
  // Same phase start: the one admitted earlier is older.
  const auto d = slots.admit(t0 + seconds(1));
  REQUIRE(d.shed);
  CHECK(*d.shed == b.id);
  slots.clear();
  CHECK(slots.size() == 0);
  CHECK_FALSE(slots.phase(c.id));
  CHECK(ConnectionSlots(limits(0)).limits().max_connections == 1);
}

TEST_CASE("connection slots: the cap follows the descriptor limit") {
  CHECK(connection_cap_for_fd_limit(65536) == 1024);  // systemd/flywatch.service LimitNOFILE
  CHECK(connection_cap_for_fd_limit(20000) == 1024);
  CHECK(connection_cap_for_fd_limit(1024) == 256);    // a plain shell's soft limit
  CHECK(connection_cap_for_fd_limit(32) == 16);
  CHECK(connection_cap_for_fd_limit(65536, 64) == 64);
}
