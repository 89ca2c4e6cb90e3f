#include "alert/alert_state.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace flywatch::alert {

namespace json = boost::json;
using Clock = std::chrono::system_clock;

namespace {

std::int64_t to_ms(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Clock::time_point from_ms(std::int64_t ms) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::milliseconds(ms)));
}

json::object string_map(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

bool read_string_map(const json::value* v, std::map<std::string, std::string>& out) {
  if (v == nullptr || !v->is_object()) return false;
  for (const auto& [k, val] : v->get_object()) {
    if (!val.is_string()) return false;
    out.emplace(std::string(k), std::string(val.get_string()));
  }
  return true;
}

// Millisecond times this side of year 2200, as the rest of flywatch accepts.
bool read_ms(const json::value* v, Clock::time_point& out) {
  if (v == nullptr || !v->is_int64()) return false;
  const std::int64_t ms = v->get_int64();
  if (ms < 0 || ms > 7'258'118'400'000) return false;
  out = from_ms(ms);
  return true;
}

std::error_code last_errno() { return {errno, std::generic_category()}; }

}  // namespace

json::object alert_to_json(const PersistedAlert& a) {
  json::object o;
  o["labels"] = string_map(a.entry.alert.labels);
  o["annotations"] = string_map(a.entry.alert.annotations);
  o["starts_at_ms"] = to_ms(a.entry.alert.starts_at);
  o["last_notified_ms"] = to_ms(a.entry.last_notified);
  o["notified"] = a.notified;
  return o;
}

std::optional<PersistedAlert> alert_from_json(const json::value& item) {
  const json::object* a = item.if_object();
  PersistedAlert p;
  const json::value* notified = a ? a->if_contains("notified") : nullptr;
  if (!a || !read_string_map(a->if_contains("labels"), p.entry.alert.labels) ||
      !read_string_map(a->if_contains("annotations"), p.entry.alert.annotations) ||
      !read_ms(a->if_contains("starts_at_ms"), p.entry.alert.starts_at) ||
      !read_ms(a->if_contains("last_notified_ms"), p.entry.last_notified) || !notified ||
      !notified->is_bool() || p.entry.alert.labels.empty()) {
    return std::nullopt;
  }
  p.notified = notified->get_bool();
  p.entry.alert.fingerprint = core::alert_fingerprint(p.entry.alert.labels);
  return p;
}

std::string format_alert_state(const std::vector<PersistedAlert>& alerts,
                               std::uint64_t outbox_seq) {
  json::array list;
  for (const auto& a : alerts) list.push_back(alert_to_json(a));
  json::object root;
  root["version"] = 1;
  root["outbox_seq"] = outbox_seq;
  root["alerts"] = std::move(list);
  return json::serialize(root) + "\n";
}

std::optional<AlertStateFile> parse_alert_state_file(std::string_view text, std::string& error) {
  boost::system::error_code ec;
  const json::value root = json::parse(text, ec);
  if (ec) {
    error = "not JSON: " + ec.message();
    return std::nullopt;
  }
  const json::object* o = root.if_object();
  const json::value* version = o ? o->if_contains("version") : nullptr;
  if (!version || !version->is_int64() || version->get_int64() != 1) {
    error = "not a version 1 alert state";
    return std::nullopt;
  }
  const json::value* list = o->if_contains("alerts");
  if (!list || !list->is_array()) {
    error = "\"alerts\" is not a list";
    return std::nullopt;
  }
  AlertStateFile out;
  if (const json::value* seq = o->if_contains("outbox_seq")) {
    if (seq->is_uint64()) {
      out.outbox_seq = seq->get_uint64();
    } else if (seq->is_int64() && seq->get_int64() >= 0) {
      out.outbox_seq = static_cast<std::uint64_t>(seq->get_int64());
    } else {
      error = "\"outbox_seq\" is not a count";
      return std::nullopt;
    }
  }
  for (const auto& item : list->get_array()) {
    auto p = alert_from_json(item);
    if (!p) {
      error = "alert " + std::to_string(out.alerts.size() + 1) + " is malformed";
      return std::nullopt;
    }
    out.alerts.push_back(std::move(*p));
  }
  return out;
}

std::optional<std::vector<PersistedAlert>> parse_alert_state(std::string_view text,
                                                             std::string& error) {
  auto file = parse_alert_state_file(text, error);
  if (!file) return std::nullopt;
  return std::move(file->alerts);
}

std::error_code write_alert_state(const std::filesystem::path& dir, std::string_view text,
                                  std::string& step,
                                  const std::function<void(std::string_view)>& crash_point) {
  const std::string path = (dir / alert_state_file_name).string();
  const std::string tmp = path + ".tmp";
  step = "open";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return last_errno();
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      step = "write";
      const auto e = last_errno();
      ::close(fd);
      return e;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  step = "fsync";
  if (::fsync(fd) != 0) {
    const auto e = last_errno();
    ::close(fd);
    return e;
  }
  ::close(fd);
  if (crash_point) crash_point("state_tmp_written");
  step = "rename";
  if (::rename(tmp.c_str(), path.c_str()) != 0) return last_errno();
  if (crash_point) crash_point("state_renamed");
  step = "fsync directory";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return last_errno();
  const int rc = ::fsync(dfd);
  const auto e = rc != 0 ? last_errno() : std::error_code();
  ::close(dfd);
  return e;
}

std::optional<std::string> read_alert_state(const std::filesystem::path& dir,
                                            std::error_code& error) {
  error.clear();
  const std::string path = (dir / alert_state_file_name).string();
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return std::nullopt;
    error = last_errno();
    return std::string();
  }
  std::string out;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  if (std::ferror(f)) error = std::make_error_code(std::errc::io_error);
  std::fclose(f);
  return out;
}

}  // namespace flywatch::alert
