#include "core/connection_reuse.hpp"

namespace flywatch::core {

std::string_view to_string(ConnectionMode m) {
  return m == ConnectionMode::reuse ? "reuse" : "fresh";
}

bool keepable_after(const ExchangeEnd& end) {
  return end.completed && end.keep_alive && end.body_delimited;
}

bool KeptConnection::usable_at(std::chrono::steady_clock::time_point now) const {
  // A clock that went backwards (it cannot: steady) or a zero age both mean "redial".
  if (max_age <= std::chrono::milliseconds::zero()) return false;
  return now >= opened_at && now - opened_at < max_age;
}

}  // namespace flywatch::core
