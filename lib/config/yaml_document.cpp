// Loading the one YAML document of a config file, working around yaml-cpp 0.7's hangs.
#include <yaml-cpp/eventhandler.h>

#include <sstream>

#include "config/yaml_reader.hpp"

namespace flywatch::config::detail {

namespace {

/// Records where a document starts and ignores everything else.
class DocumentStart : public YAML::EventHandler {
 public:
  YAML::Mark start;

  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

Pos to_pos(const YAML::Mark& m) {
  if (m.is_null()) return Pos{};
  return Pos{m.line + 1, m.column + 1};
}

}  // namespace

YAML::Node load_document(const Reader& reader, const std::string& text) {
  try {
    // YAML::LoadAll loops forever on some malformed input (a stray leading ',': yaml-cpp
    // issue #1040, fixed upstream after 0.7), because the parser then reports documents
    // without consuming anything. So documents are counted here, at most two, and a second
    // one that starts where the first did is that bug, reported as a syntax error.
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentStart first;
    if (!parser.HandleNextDocument(first)) {
      reader.fail(Pos{}, "the file is empty; expected a mapping");
    }
    DocumentStart second;
    if (parser.HandleNextDocument(second)) {
      if (second.start.pos == first.start.pos) {
        const std::size_t at = static_cast<std::size_t>(first.start.pos);
        const char c = at < text.size() ? text[at] : '?';
        reader.fail(to_pos(first.start), std::string("YAML syntax error: unexpected '") + c + "'");
      }
      reader.fail(to_pos(second.start), "only one YAML document is allowed");
    }
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const Pos at = e.mark.is_null() ? Pos{} : to_pos(e.mark);
    reader.fail(at, "YAML syntax error: " + e.msg);
  }
}

}  // namespace flywatch::config::detail
