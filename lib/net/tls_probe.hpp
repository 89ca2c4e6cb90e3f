#pragma once
/// The tls:// probe kind (see tls_probe.cpp for its reasons and phases).

#include "net/probe_dial.hpp"

namespace flywatch::net {

/// Resolves, connects and does a verified TLS handshake; no application bytes are exchanged.
boost::asio::awaitable<void> probe_tls(ProbeDialer& dialer, const ProbeSpec& spec,
                                       ProbeClock::time_point start, core::ProbeResult& result);

}  // namespace flywatch::net
