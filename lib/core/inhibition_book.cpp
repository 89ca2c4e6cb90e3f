#include "core/inhibition_book.hpp"

#include <algorithm>
#include <utility>

namespace flywatch::core {

namespace {

// The `equal` values of an alert for one rule, length-prefixed so that no two tuples meet.
std::string group_key(const InhibitRule& rule, const AlertLabels& labels,
                      const InhibitAppMap& apps) {
  std::string key;
  for (const auto& name : rule.equal) {
    const std::string_view v = inhibit_label_value(labels, name, apps);
    key += std::to_string(v.size());
    key += ':';
    key += v;
  }
  return key;
}

}  // namespace

void InhibitionBook::configure(std::vector<InhibitRule> rules, InhibitAppMap apps) {
  struct Kept {
    std::string fp;
    Entry entry;
  };
  std::vector<Kept> kept;
  kept.reserve(alerts_.size());
  for (auto& [fp, e] : alerts_) {
    if (!e.fading_until) touched_.try_emplace(fp, e.inhibited);
    kept.push_back(Kept{fp, std::move(e)});
  }
  rules_ = std::move(rules);
  apps_ = std::move(apps);
  alerts_.clear();
  fading_.clear();
  groups_.assign(rules_.size(), {});
  for (const auto& k : kept) add(k.fp, k.entry.labels);
  // What time had decided stays decided under the new rules where it still applies: a
  // resolved source keeps inhibiting until its time (if it is still a source), an explained
  // event stays explained (if it is still a target).
  for (auto& k : kept) {
    Entry& e = alerts_.at(k.fp);
    const auto has = [&e](bool Role::*side) {
      return std::ranges::any_of(e.roles, [side](const Role& r) { return r.*side; });
    };
    if (k.entry.explained_by && has(&Role::target)) {
      e.explained_by = std::move(k.entry.explained_by);
      set_inhibited(k.fp, e, true);
    }
    // Its time counts from when it resolved, under the new rules' release_after (a reload
    // to 0s releases at once; advance() ends one already past).
    if (k.entry.resolved_at) fade(k.fp, e, *k.entry.resolved_at);
  }
}

void InhibitionBook::observe(const AlertEvent& event) {
  const std::string& fp = event.alert.fingerprint;
  if (event.kind == AlertEventKind::firing) {
    add(fp, event.alert.labels);
  } else if (event.kind == AlertEventKind::resolved) {
    resolve(fp, event.at);
  }
}

void InhibitionBook::advance(time_point now) {
  while (!fading_.empty() && fading_.begin()->first <= now) {
    const std::string fp = fading_.begin()->second;
    fading_.erase(fading_.begin());
    remove(fp);
  }
}

std::optional<InhibitionBook::time_point> InhibitionBook::next_release() const {
  if (fading_.empty()) return std::nullopt;
  return fading_.begin()->first;
}

void InhibitionBook::explain_restored(const std::string& fp) {
  auto it = alerts_.find(fp);
  if (it == alerts_.end() || it->second.inhibited || it->second.fading_until) return;
  Entry& e = it->second;
  const auto name = e.labels.find("alertname");
  if (name == e.labels.end() || !alert_reports_past_event(name->second)) return;
  for (const Role& r : e.roles) {
    if (!r.target) continue;
    e.explained_by = rules_[r.rule].source;
    set_inhibited(fp, e, true);
    return;
  }
}

InhibitionChanges InhibitionBook::take_changes() {
  InhibitionChanges out;
  for (const auto& [fp, was] : touched_) {
    auto it = alerts_.find(fp);
    // A resolved source still inhibiting no longer fires: nothing of it to report.
    if (it == alerts_.end() || it->second.fading_until || it->second.inhibited == was) continue;
    if (it->second.inhibited) {
      out.inhibited.push_back(
          InhibitedAlert{fp, it->second.labels, inhibitor_of(it->second).value_or(AlertLabels{})});
    } else {
      out.released.push_back(ReleasedAlert{fp, it->second.labels});
    }
  }
  touched_.clear();
  return out;
}

bool InhibitionBook::inhibited(const std::string& fp) const {
  auto it = alerts_.find(fp);
  return it != alerts_.end() && it->second.inhibited && !it->second.fading_until;
}

std::optional<AlertLabels> InhibitionBook::inhibitor(const std::string& fp) const {
  auto it = alerts_.find(fp);
  if (it == alerts_.end() || !it->second.inhibited || it->second.fading_until) return std::nullopt;
  return inhibitor_of(it->second);
}

std::optional<AlertLabels> InhibitionBook::inhibitor_of(const Entry& e) const {
  if (const std::string* by = find_inhibitor(e)) return alerts_.at(*by).labels;
  return e.explained_by;
}

InhibitionBook::Entry& InhibitionBook::index(const std::string& fp, const AlertLabels& labels) {
  Entry e{labels, {}, false};
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    Role r{i, {}, matches_source(rules_[i], labels), matches_target(rules_[i], labels)};
    if (!r.source && !r.target) continue;
    r.key = group_key(rules_[i], labels, apps_);
    Group& g = group(r);
    const bool both = r.source && r.target;
    if (r.source) (both ? g.sources.two : g.sources.one).insert(fp);
    if (r.target) (both ? g.free.two : g.free.one).insert(fp);
    e.roles.push_back(std::move(r));
  }
  return alerts_.emplace(fp, std::move(e)).first->second;
}

void InhibitionBook::add(const std::string& fp, const AlertLabels& labels) {
  if (auto it = alerts_.find(fp); it != alerts_.end()) {
    Entry& e = it->second;
    // A resolved source firing again: firing again, as if new (it may be a target too).
    if (e.fading_until) {
      fading_.erase({*e.fading_until, fp});
      e.fading_until.reset();
      e.resolved_at.reset();
      touched_.try_emplace(fp, false);
    }
    return;
  }
  touched_.try_emplace(fp, false);  // not firing before: not inhibited
  const Entry& e = index(fp, labels);
  // As a source: the targets of its groups it may inhibit and that nothing inhibits yet. A
  // source matching both sides holds back only targets that do not (Alertmanager), so it is
  // never among them itself.
  std::vector<std::string> newly;
  for (const Role& r : e.roles) {
    if (!r.source) continue;
    const Group& g = groups_[r.rule].at(r.key);
    newly.insert(newly.end(), g.free.one.begin(), g.free.one.end());
    if (!r.target) newly.insert(newly.end(), g.free.two.begin(), g.free.two.end());
  }
  for (const auto& t : newly) set_inhibited(t, alerts_.at(t), true);
  // As a target: whatever fires already may inhibit it.
  Entry& self = alerts_.at(fp);
  if (!self.inhibited && find_inhibitor(self)) set_inhibited(fp, self, true);
}

void InhibitionBook::resolve(const std::string& fp, time_point at) {
  auto it = alerts_.find(fp);
  if (it == alerts_.end() || it->second.fading_until) return;
  fade(fp, it->second, at);
}

void InhibitionBook::fade(const std::string& fp, Entry& e, time_point at) {
  std::chrono::milliseconds keep{0};
  for (const Role& r : e.roles) {
    if (r.source) keep = std::max(keep, rules_[r.rule].release_after);
  }
  if (keep <= std::chrono::milliseconds::zero()) {
    remove(fp);
    return;
  }
  e.resolved_at = at;
  e.fading_until = at + keep;
  fading_.emplace(*e.fading_until, fp);
}

void InhibitionBook::remove(const std::string& fp) {
  auto it = alerts_.find(fp);
  if (it == alerts_.end()) return;
  touched_.try_emplace(fp, it->second.inhibited);
  if (it->second.fading_until) fading_.erase({*it->second.fading_until, fp});
  const std::vector<Role> roles = std::move(it->second.roles);
  const AlertLabels labels = std::move(it->second.labels);
  alerts_.erase(it);
  std::vector<std::string> recheck;
  for (const Role& r : roles) {
    Group& g = group(r);
    for (Sides* s : {&g.sources, &g.free, &g.held}) {
      s->one.erase(fp);
      s->two.erase(fp);
    }
    // Targets it may have inhibited: none while a one-sided source remains in the group;
    // two-sided ones when only two-sided sources remain; all of them when none remains.
    if (r.source && g.sources.one.empty()) {
      recheck.insert(recheck.end(), g.held.two.begin(), g.held.two.end());
      if (g.sources.two.empty()) recheck.insert(recheck.end(), g.held.one.begin(), g.held.one.end());
    }
    if (g.empty()) groups_[r.rule].erase(r.key);
  }
  for (const auto& t : recheck) {
    Entry& e = alerts_.at(t);
    if (!e.inhibited || find_inhibitor(e)) continue;
    // A past event that happened under this source stays explained by it.
    const auto name = e.labels.find("alertname");
    if (e.explained_by || (name != e.labels.end() && alert_reports_past_event(name->second))) {
      e.explained_by = labels;
      continue;
    }
    set_inhibited(t, e, false);
  }
}

void InhibitionBook::set_inhibited(const std::string& fp, Entry& e, bool inhibited) {
  if (e.inhibited == inhibited) return;
  touched_.try_emplace(fp, e.inhibited);
  e.inhibited = inhibited;
  for (const Role& r : e.roles) {
    if (!r.target) continue;
    Group& g = group(r);
    Sides& from = inhibited ? g.free : g.held;
    Sides& to = inhibited ? g.held : g.free;
    auto& f = r.source ? from.two : from.one;
    auto& t = r.source ? to.two : to.one;
    f.erase(fp);
    t.insert(fp);
  }
}

const InhibitionBook::Group* InhibitionBook::find_group(const Role& r) const {
  auto it = groups_[r.rule].find(r.key);
  return it == groups_[r.rule].end() ? nullptr : &it->second;
}

const std::string* InhibitionBook::find_inhibitor(const Entry& e) const {
  for (const Role& r : e.roles) {
    if (!r.target) continue;
    const Group* g = find_group(r);
    if (g == nullptr) continue;
    // `e` is never among the one-sided sources of a rule it is a target of, and a two-sided
    // source counts only for a one-sided target: so never itself.
    if (!g->sources.one.empty()) return &*g->sources.one.begin();
    if (!r.source && !g->sources.two.empty()) return &*g->sources.two.begin();
  }
  return nullptr;
}

}  // namespace flywatch::core
