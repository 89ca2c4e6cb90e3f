#pragma once
/// The tcp:// probe kind (see tcp_probe.cpp for its reasons and phases).

#include "net/probe_dial.hpp"

namespace flywatch::net {

/// Resolves, connects, writes spec.tcp.send (if any) and reads a banner (if
/// spec.tcp.read_until is set).
boost::asio::awaitable<void> probe_tcp(ProbeDialer& dialer, const ProbeSpec& spec,
                                       ProbeClock::time_point start, core::ProbeResult& result);

}  // namespace flywatch::net
