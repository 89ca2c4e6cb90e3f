#pragma once
/// The alerts firing now as /api/v1/status lists them (DESIGN §7): each with what became of
/// its page — sent (`firing`), held back by a maintenance window (`held`) or by a firing source
/// alert (`inhibited`). Built from the alert book, the gate and the inhibition book; O(alerts),
/// for a status request, never per probe. Pure: no clock, no I/O.

#include <optional>
#include <string_view>
#include <vector>

#include "core/alert.hpp"
#include "core/alert_book.hpp"
#include "core/alert_gate.hpp"
#include "core/inhibition_book.hpp"

namespace flywatch::core {

/// One firing alert.
struct AlertListing {
  Alert alert;            ///< labels, annotations, starts_at, fingerprint
  bool notified = false;  ///< its `firing` was sent (it stays so while inhibited afterwards)
  /// "inhibited" while a source inhibits it (whether or not it was paged before), else "held"
  /// while a window holds its first page, else "firing".
  std::string_view state;
  std::optional<AlertLabels> inhibited_by;  ///< the source's labels, when inhibited
};

/// Every firing alert of `book`, oldest (starts_at) first, ties in fingerprint order.
std::vector<AlertListing> list_alerts(const AlertBook& book, const AlertGate& gate,
                                      const InhibitionBook& inhibition);

}  // namespace flywatch::core
