// flysim: a Fly Machines API simulator for tests.
// Usage: flysim --listen 127.0.0.1:0 --fleet FILE.json --token TOKEN [--port-file PATH]
// Prints the bound API port on stdout (one line) and, with --port-file, writes it there
// atomically. Each app also gets an edge (Fly Proxy) port; GET /_sim/edges lists them.
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
  std::string listen = "127.0.0.1:0", fleet_path, token, port_file;
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
    else {
      std::cerr << "flysim: unknown option " << a << "\n";
      return 2;
    }
  }
  if (fleet_path.empty() || token.empty()) {
    std::cerr << "usage: flysim --listen HOST:PORT --fleet FILE.json --token TOKEN [--port-file PATH]\n";
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

    boost::asio::io_context io;
    fs::Server server(io, router, host, static_cast<std::uint16_t>(port));
    server.start();
    std::vector<std::unique_ptr<fs::Edge>> edges;
    for (const auto& app : fleet.app_names()) {
      edges.push_back(std::make_unique<fs::Edge>(io, fleet, app, host));
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
