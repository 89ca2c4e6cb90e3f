#pragma once
/// The TLS client handshake shared by the kinds that speak TLS (https, tls): SNI, host name or
/// IP verification, the certificate observer (cert_not_after) and the mapping of failures.
///
/// Reasons set here: tls (context setup — e.g. an unreadable ca_file —, handshake or
/// verification failed, including a reset or EOF during the handshake), timeout (the deadline
/// passed during the handshake). Phase set here: tls = the handshake.

#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "core/probe_result.hpp"
#include "net/probe_dial.hpp"
#include "net/prober.hpp"
#include "net/tls_context_cache.hpp"

namespace flywatch::net {

using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;

/// The client context for spec's (ca_file, insecure_skip_verify), or nullptr with `result`
/// failed (reason tls). Sets result.used_tls: from here on the probe is a TLS probe. A CA
/// bundle not loaded yet is loaded off the loop (TlsContextCache::get) while this waits.
boost::asio::awaitable<std::shared_ptr<boost::asio::ssl::context>> tls_context(
    TlsContextCache& cache, const ProbeSpec& spec, core::ProbeResult& result);

/// Handshakes as a client on `stream` (over conn.socket, connected by ProbeDialer::dial):
/// SNI is server_name or host (never an IP literal, RFC 6066), and unless
/// insecure_skip_verify the certificate must name it (an IP literal is verified as an IP).
/// Sets result.cert_not_after whenever the server sent a certificate, even if verification
/// then failed. True on success (phase tls set); false with `result` failed.
boost::asio::awaitable<bool> tls_handshake(TlsStream& stream, const Connection& conn,
                                           const ProbeSpec& spec, core::ProbeResult& result);

}  // namespace flywatch::net
