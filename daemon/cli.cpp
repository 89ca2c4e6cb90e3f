#include "cli.hpp"

#include <string_view>

namespace flywatch::daemon {

std::string usage(const std::string& command) {
  const std::string common =
      "\nCommon options:\n"
      "  --log-format logfmt|json   log line format (default: config, else logfmt)\n"
      "  --log-level LEVEL          debug|info|warn|error (default: config, else info)\n"
      "  -h, --help                 show this help\n";
  if (command == "run") {
    return "Usage: flywatch run [--config PATH]\n\n"
           "Run the daemon: probe every target on schedule, serve /metrics, /healthz, /readyz,\n"
           "/api/v1/status and POST /-/reload. SIGHUP reloads the config; SIGTERM/SIGINT stop.\n\n"
           "  --config PATH   configuration file (default /etc/flywatch/flywatch.yaml)\n" +
           common;
  }
  if (command == "check") {
    return "Usage: flywatch check [--config PATH] [--json]\n\n"
           "Probe every target once and print a table (or JSON with --json).\n"
           "Exit 0 when all pass, 1 when any fails, 78 on a bad configuration.\n\n"
           "  --config PATH   configuration file (default /etc/flywatch/flywatch.yaml)\n"
           "  --json          print a JSON document instead of the table\n" +
           common;
  }
  if (command == "check-config") {
    return "Usage: flywatch check-config [--config PATH]\n\n"
           "Validate the configuration only. Errors are printed as file:line:column: message;\n"
           "exit 0 when valid, 78 when not.\n\n"
           "  --config PATH   configuration file (default /etc/flywatch/flywatch.yaml)\n" +
           common;
  }
  if (command == "gate") {
    return "Usage: flywatch gate [--config PATH] [--phase NAME] [--json] [--junit FILE]\n\n"
           "The deploy gate: run the config's gate phases in order (wake and wait for the\n"
           "phase's apps, probe its targets, run its journeys) and stop at the first that\n"
           "fails. Exit 0 when every phase passed, 1 when one failed, 78 on a bad\n"
           "configuration (or none with a gate: section), 70 when the JUnit file cannot be\n"
           "written.\n\n"
           "  --config PATH   configuration file (default /etc/flywatch/flywatch.yaml)\n"
           "  --phase NAME    run this phase alone\n"
           "  --json          print a JSON document instead of the lines\n"
           "  --junit FILE    also write a JUnit XML report (a testsuite per phase)\n" +
           common;
  }
  if (command == "version") return "Usage: flywatch version\n\nPrint the version.\n";
  return "Usage: flywatch <command> [options]\n\n"
         "Commands:\n"
         "  run            run the daemon\n"
         "  check          probe everything once; exit 0 when all pass, 1 when any fails\n"
         "  check-config   validate the configuration\n"
         "  gate           the deploy gate: phases in order, stop at the first failure\n"
         "  version        print the version\n\n"
         "Run 'flywatch <command> --help' for a command's options.\n"
         "Exit codes: 0 ok, 1 a check failed, 2 usage error, 70 internal error, 78 bad configuration.\n";
}

std::optional<CliOptions> parse_cli(int argc, char** argv, std::string& error) {
  CliOptions o;
  if (argc < 2) {
    error = "missing command";
    return std::nullopt;
  }
  o.command = argv[1];
  if (o.command == "-h" || o.command == "--help" || o.command == "help") {
    o.command.clear();
    o.help = true;
    return o;
  }
  if (o.command == "--version") o.command = "version";
  if (o.command != "run" && o.command != "check" && o.command != "check-config" &&
      o.command != "gate" && o.command != "version") {
    error = "unknown command '" + o.command + "'";
    return std::nullopt;
  }
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string value;
    bool has_inline = false;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    auto take_value = [&](std::string& out) -> bool {
      if (has_inline) {
        out = value;
        return true;
      }
      if (i + 1 >= argc) {
        error = std::string(arg) + " needs a value";
        return false;
      }
      out = argv[++i];
      return true;
    };
    if (arg == "-h" || arg == "--help") {
      o.help = true;
    } else if (arg == "--config" && o.command != "version") {
      if (!take_value(o.config_path)) return std::nullopt;
    } else if (arg == "--json" && (o.command == "check" || o.command == "gate") && !has_inline) {
      o.json = true;
    } else if (arg == "--phase" && o.command == "gate") {
      if (!take_value(o.phase)) return std::nullopt;
      if (o.phase.empty()) {
        error = "--phase needs a phase name";
        return std::nullopt;
      }
    } else if (arg == "--junit" && o.command == "gate") {
      if (!take_value(o.junit_path)) return std::nullopt;
      if (o.junit_path.empty()) {
        error = "--junit needs a file name";
        return std::nullopt;
      }
    } else if (arg == "--log-format") {
      std::string v;
      core::LogFormat f{};
      if (!take_value(v)) return std::nullopt;
      if (!core::parse_log_format(v, f)) {
        error = "--log-format must be logfmt or json, not '" + v + "'";
        return std::nullopt;
      }
      o.log_format = f;
    } else if (arg == "--log-level") {
      std::string v;
      core::LogLevel l{};
      if (!take_value(v)) return std::nullopt;
      if (!core::parse_log_level(v, l)) {
        error = "--log-level must be debug, info, warn or error, not '" + v + "'";
        return std::nullopt;
      }
      o.log_level = l;
    } else {
      error = "unknown option '" + std::string(arg) + "' for '" + o.command + "'";
      return std::nullopt;
    }
  }
  return o;
}

}  // namespace flywatch::daemon
