// flysim: a Fly Machines API and Fly Proxy simulator for tests and the demo.
// Usage: flysim --listen HOST:PORT --fleet FILE.json --token TOKEN [--port-file PATH]
//               [--tls-cert PEM --tls-key PEM]
// Serves the Machines API (plain HTTP) and the /_sim/ control interface (router.hpp) on
// --listen, prints the bound API port on stdout (one line) and, with --port-file, writes it there
// atomically. Each app also gets an edge (Fly Proxy, edge.hpp) on the same host, at the app's
// "edge_port" from the fleet file or a free port; GET /_sim/edges lists them as {app: port}.
// With --tls-cert/--tls-key (both or neither: a PEM certificate chain and its PEM key) every
// edge speaks HTTPS with that certificate; without them, plain HTTP. Requests with
// `fly-force-instance-id: <machine id>` go to exactly that machine. Apps with "autostop_idle_ms"
// stop idle machines as the proxy does (edge.cpp), and apps with "traffic_every_ms" get a
// simulated user (also POST /_sim/apps/{app}/traffic). Apps with "auth" or "site" answer as
// Medio's backend auth API or front end (medio_app.hpp). The fleet's machines start with a
// history backdated 10 minutes. Runs until SIGINT/SIGTERM.
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "edge.hpp"
#include "server.hpp"

namespace fs = flywatch::flysim;

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0", fleet_path, token, port_file, tls_cert, tls_key;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "flysim: missing value for " << a << "\n";
      return 2;
    }
    const std::string v = argv[++i];
    if (a == "--listen") listen = v;
    else if (a == "--fleet") fleet_path = v;
    else if (a == "--token") token = v;
    else if (a == "--port-file") port_file = v;
    else if (a == "--tls-cert") tls_cert = v;
    else if (a == "--tls-key") tls_key = v;
    else {
      std::cerr << "flysim: unknown option " << a << "\n";
      return 2;
    }
  }
  if (fleet_path.empty() || token.empty() || tls_cert.empty() != tls_key.empty()) {
    std::cerr << "usage: flysim --listen HOST:PORT --fleet FILE.json --token TOKEN "
                 "[--port-file PATH] [--tls-cert PEM --tls-key PEM]\n";
    return 2;
  }
  try {
    std::ifstream in(fleet_path);
    if (!in) throw std::runtime_error("cannot read " + fleet_path);
    std::stringstream text;
    text << in.rdbuf();
    fs::Fleet fleet = fs::Fleet::load(text.str(), fs::now_epoch_ms());
    fs::Router router(fleet, token);

    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("--listen needs HOST:PORT");
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::runtime_error("bad port in --listen");

    std::unique_ptr<boost::asio::ssl::context> tls;
    if (!tls_cert.empty()) tls = fs::make_edge_tls(tls_cert, tls_key);

    boost::asio::io_context io;
    fs::Server server(io, router, host, static_cast<std::uint16_t>(port));
    server.start();
    std::vector<std::unique_ptr<fs::Edge>> edges;
    for (const auto& app : fleet.app_names()) {
      edges.push_back(std::make_unique<fs::Edge>(io, fleet, app, host, tls.get()));
      edges.back()->start();
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](const boost::system::error_code&, int) { io.stop(); });

    std::cout << server.port() << std::endl;
    if (!port_file.empty()) {
      const std::string tmp = port_file + ".tmp";
      std::ofstream(tmp) << server.port() << "\n";
      if (std::rename(tmp.c_str(), port_file.c_str()) != 0)
        throw std::runtime_error("cannot write " + port_file);
    }
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "flysim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
