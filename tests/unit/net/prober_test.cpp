// The prober registry: which kinds it knows, the phases each kind reports, and that a scheme it
// does not know is a failed probe, not a throw.
#include <doctest.h>

#include <boost/asio/io_context.hpp>

#include "loopback_server.hpp"
#include "net/prober.hpp"
#include "probe_checks.hpp"

using namespace flywatch;
using core::ProbePhase;

namespace {
std::size_t idx(ProbePhase p) { return static_cast<std::size_t>(p); }
}  // namespace

TEST_CASE("phases_of_kind: each kind has its own phases; https and unknown schemes have all") {
  CHECK(net::phases_of_kind("https").all());
  CHECK(net::phases_of_kind("whatever").all());
  const auto tcp = net::phases_of_kind("tcp");
  CHECK(tcp.test(idx(ProbePhase::resolve)));
  CHECK(tcp.test(idx(ProbePhase::connect)));
  CHECK_FALSE(tcp.test(idx(ProbePhase::tls)));
  CHECK_FALSE(tcp.test(idx(ProbePhase::first_byte)));
  const auto tls = net::phases_of_kind("tls");
  CHECK(tls.test(idx(ProbePhase::tls)));
  CHECK_FALSE(tls.test(idx(ProbePhase::first_byte)));
  const auto http = net::phases_of_kind("http");
  CHECK_FALSE(http.test(idx(ProbePhase::tls)));
  CHECK(http.test(idx(ProbePhase::first_byte)));
  CHECK(http.test(idx(ProbePhase::transfer)));
}

TEST_CASE("make_prober: an unknown scheme fails with reason protocol, naming the scheme") {
  boost::asio::io_context ioc;
  auto prober = net::make_prober();
  const auto r = testing::run_probe(ioc, *prober, testing::spec_for("ftp", "127.0.0.1", 21));
  CHECK(testing::reason(r) == "protocol");
  CHECK(r.error.find("unsupported scheme ftp") != std::string::npos);
}
