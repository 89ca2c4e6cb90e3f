#pragma once
/// The http:// and https:// probe kind (see http_probe.cpp for its reasons and phases).

#include "net/probe_dial.hpp"

namespace flywatch::net {

/// Resolves, connects, handshakes (https) and exchanges one HTTP/1.1 request and response.
boost::asio::awaitable<void> probe_http(ProbeDialer& dialer, const ProbeSpec& spec,
                                        ProbeClock::time_point start, core::ProbeResult& result);

}  // namespace flywatch::net
