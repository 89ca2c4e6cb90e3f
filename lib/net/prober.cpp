// The production Prober: a registry of probe kinds by URL scheme. A kind is one file (its
// ProbeKind function) plus one line below naming its phases; resolve, connect and the TLS
// handshake are the shared steps of probe_dial and probe_tls.
#include "net/prober.hpp"

#include <bitset>
#include <exception>
#include <initializer_list>
#include <map>
#include <string_view>

#include "net/asset_fetch.hpp"
#include "net/http_probe.hpp"
#include "net/probe_dial.hpp"
#include "net/tcp_probe.hpp"
#include "net/tls_probe.hpp"

namespace flywatch::net {
namespace {

namespace asio = boost::asio;
using core::FailureReason;
using core::ProbeResult;

using core::ProbePhase;
using Phases = std::bitset<core::probe_phase_count>;

Phases phases(std::initializer_list<ProbePhase> list) {
  Phases out;
  for (ProbePhase p : list) out.set(static_cast<std::size_t>(p));
  return out;
}

struct Kind {
  ProbeKind probe;
  Phases phases;  ///< what its results can report (tcp's first_byte comes with a banner only)
};

const std::map<std::string_view, Kind>& kinds() {
  using enum ProbePhase;
  static const std::map<std::string_view, Kind> registry{
      {"http", {probe_http, phases({resolve, connect, first_byte, transfer})}},
      {"https", {probe_http, phases({resolve, connect, tls, first_byte, transfer})}},
      {"tcp", {probe_tcp, phases({resolve, connect})}},
      {"tls", {probe_tls, phases({resolve, connect, tls})}},
  };
  return registry;
}

class RegistryProber final : public Prober {
 public:
  explicit RegistryProber(NameLookup lookup) : dialer_(std::move(lookup)) {}

  void reload() override { dialer_.tls_contexts().clear(); }

  void retain_connections(const std::set<std::string, std::less<>>& owners) override {
    dialer_.pool().retain(owners);
  }

  asio::awaitable<ProbeResult> probe(const ProbeSpec& spec) override {
    ProbeResult result;
    const auto start = ProbeClock::now();
    try {
      const auto kind = kinds().find(spec.endpoint.scheme);
      if (kind == kinds().end()) {
        fail(result, FailureReason::protocol, "protocol: unsupported scheme " + spec.endpoint.scheme);
      } else {
        co_await kind->second.probe(dialer_, spec, start, result);
        if (spec.fetch_assets) co_await fetch_page_assets(dialer_, spec, start, result);
      }
    } catch (const std::exception& e) {
      // Only allocation failure or a broken reactor get here; still a result, not a throw.
      fail(result, FailureReason::protocol, std::string("internal error: ") + e.what());
    }
    result.total = std::chrono::duration_cast<std::chrono::nanoseconds>(ProbeClock::now() - start);
    co_return result;
  }

 private:
  ProbeDialer dialer_;
};

}  // namespace

std::bitset<core::probe_phase_count> phases_of_kind(std::string_view scheme) {
  const auto kind = kinds().find(scheme);
  return kind == kinds().end() ? Phases().set() : kind->second.phases;
}

std::unique_ptr<Prober> make_prober(NameLookup lookup) {
  return std::make_unique<RegistryProber>(std::move(lookup));
}

}  // namespace flywatch::net
