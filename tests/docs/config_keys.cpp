/// config_keys CONFIG_SEED WEB_CONFIG_SEED: prints every key path that lib/config accepts, one per
/// line, as `config <path>` (flywatch.yaml) or `web <path>` (server.web_config_file), for
/// tests/docs/check_docs.py to compare with docs/configuration.md.
///
/// The key lists live inside lib/config's section parsers, so they are asked for, not copied:
/// each mapping of a valid seed config gets one unknown key (`zz_docs_probe`) and is parsed again;
/// the parser refuses it with `unknown key "zz_docs_probe" in … (allowed: a, b, c)`, which names
/// the mapping's keys. A mapping that takes the probe without such an error has free-form keys
/// (headers, body_json, variables): its entries are shown as `<*>`. An allowed key that the seed
/// does not use is tried as `{zz_docs_probe: 1}` and `[{zz_docs_probe: 1}]` to see whether it is a
/// mapping (or a list of mappings) of its own, three levels deep at most. Path syntax: `a.b` for
/// a key of a mapping, `a[].b` for a key of a list's entries, `a.<*>.b` below a free-form key.
/// Exits 1, saying why, when the seed is refused or the probing stops working.

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/web_config.hpp"

namespace {

constexpr const char* kProbe = "zz_docs_probe";
constexpr const char* kList = "[]";  // a step into a list's entries
constexpr int kMaxSyntheticDepth = 3;

using Parse = std::function<void(const std::string& text)>;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

/// The keys named by "unknown key \"zz_docs_probe\" … (allowed: a, b)", or nullopt when
/// `error` is something else (the probe was taken, or refused for another reason).
std::optional<std::vector<std::string>> allowed_keys(const std::optional<std::string>& error) {
  if (!error) return std::nullopt;
  const std::string unknown = std::string("unknown key \"") + kProbe + "\"";
  const std::string marker = "(allowed: ";
  if (error->find(unknown) == std::string::npos) return std::nullopt;
  const auto open = error->rfind(marker);
  const auto close = error->rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    throw std::runtime_error("the unknown-key error no longer lists the allowed keys: " + *error);
  }
  std::vector<std::string> keys;
  std::istringstream list(error->substr(open + marker.size(), close - open - marker.size()));
  for (std::string key; std::getline(list, key, ',');) {
    while (!key.empty() && key.front() == ' ') key.erase(0, 1);
    if (!key.empty()) keys.push_back(key);
  }
  return keys;
}

/// Walks one seed document; `paths` collects what it finds.
class Explorer {
 public:
  Explorer(YAML::Node seed, Parse parse) : seed_(std::move(seed)), parse_(std::move(parse)) {}

  std::set<std::string> run() {
    if (const auto error = attempt({}, [](YAML::Node&) {})) {
      throw std::runtime_error("the seed itself is refused (a key it uses may be gone from the "
                               "code: fix the seed, and the docs): " + *error);
    }
    if (!seed_.IsMap()) throw std::runtime_error("the seed is not a mapping");
    explore_map({}, "", seed_);
    return paths_;
  }

 private:
  /// A step from a node to one of its children: a mapping key, or an index into a list.
  struct Step {
    std::string key;
    std::size_t index = 0;
    bool is_index = false;
  };
  using Address = std::vector<Step>;

  /// Parses the seed with `mutate` applied to (a copy of) the mapping at `at`: the error
  /// message, or nullopt when the result is accepted.
  std::optional<std::string> attempt(const Address& at,
                                     const std::function<void(YAML::Node&)>& mutate) {
    YAML::Node root = YAML::Clone(seed_);
    YAML::Node node;
    node.reset(root);
    for (const Step& s : at) {
      YAML::Node child = s.is_index ? node[s.index] : node[s.key];
      node.reset(child);
    }
    mutate(node);
    try {
      parse_(YAML::Dump(root));
    } catch (const flywatch::config::ConfigError& e) {
      return e.message();
    }
    return std::nullopt;
  }

  void explore_value(const Address& at, const std::string& path, const YAML::Node& node) {
    if (node.IsMap()) {
      explore_map(at, path, node);
    } else if (node.IsSequence()) {
      for (std::size_t i = 0; i < node.size(); ++i) {
        if (!node[i].IsMap()) continue;
        Address item = at;
        item.push_back(Step{"", i, true});
        explore_map(item, path + kList, node[i]);
      }
    }
  }

  void explore_map(const Address& at, const std::string& path, const YAML::Node& node) {
    const auto keys = allowed_keys(attempt(at, [](YAML::Node& n) { n[kProbe] = 1; }));
    if (!keys) {
      // Free-form keys: only what lies below them can hold keys of flywatch's own.
      for (const auto& entry : node) {
        Address child = at;
        child.push_back(Step{entry.first.Scalar()});
        explore_value(child, join(path, "<*>"), entry.second);
      }
      return;
    }
    for (const std::string& key : *keys) {
      paths_.insert(join(path, key));
      if (const auto value = child_of(node, key)) {
        Address child = at;
        child.push_back(Step{key});
        explore_value(child, join(path, key), *value);
      } else {
        explore_synthetic(at, {key}, join(path, key));
      }
    }
  }

  /// The value of `key` in the mapping `node`, looked up without adding it.
  static std::optional<YAML::Node> child_of(const YAML::Node& node, const std::string& key) {
    for (const auto& entry : node) {
      if (entry.first.Scalar() == key) return entry.second;
    }
    return std::nullopt;
  }

  /// A key the seed does not use, reached from the mapping at `at` through `steps` (keys, and
  /// kList for a list): is its value a mapping, or a list of mappings, with keys of its own?
  void explore_synthetic(const Address& at, const std::vector<std::string>& steps,
                         const std::string& path) {
    for (const bool as_list : {false, true}) {
      YAML::Node probe(YAML::NodeType::Map);
      probe[kProbe] = 1;
      std::vector<std::string> full = steps;
      if (as_list) full.push_back(kList);
      const auto keys = allowed_keys(attempt(at, [&](YAML::Node& n) {
        YAML::Node value = probe;
        for (std::size_t i = full.size(); i-- > 1;) {
          YAML::Node outer(full[i] == kList ? YAML::NodeType::Sequence : YAML::NodeType::Map);
          if (full[i] == kList) {
            outer.push_back(value);
          } else {
            outer[full[i]] = value;
          }
          value.reset(outer);
        }
        n[full[0]] = value;
      }));
      if (!keys) continue;
      const std::string base = as_list ? path + kList : path;
      for (const std::string& key : *keys) {
        paths_.insert(join(base, key));
        if (static_cast<int>(full.size()) < kMaxSyntheticDepth) {
          std::vector<std::string> deeper = full;
          deeper.push_back(key);
          explore_synthetic(at, deeper, join(base, key));
        }
      }
      return;
    }
  }

  YAML::Node seed_;
  Parse parse_;
  std::set<std::string> paths_;
};

std::optional<std::string> no_env(const std::string&) { return std::nullopt; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: config_keys CONFIG_SEED WEB_CONFIG_SEED\n";
    return 2;
  }
  const std::string config_seed = argv[1];
  const std::string web_seed = argv[2];
  try {
    Explorer config(YAML::Load(read_text(config_seed)), [&](const std::string& text) {
      flywatch::config::parse_config(text, config_seed, no_env);
    });
    for (const std::string& path : config.run()) std::cout << "config " << path << '\n';
    Explorer web(YAML::Load(read_text(web_seed)), [&](const std::string& text) {
      flywatch::config::parse_web_config(text, web_seed);
    });
    for (const std::string& path : web.run()) std::cout << "web " << path << '\n';
  } catch (const std::exception& e) {
    std::cerr << "config_keys: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
