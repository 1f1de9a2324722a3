#pragma once
// Builds a dataset::Record from owned strings, for tests: a Record's turns are string_views and
// must point at text that outlives them.

#include <string>
#include <utility>
#include <vector>

#include "scanners/dataset/record.h"

namespace alignwatch::testing {

class TestRecord {
 public:
  TestRecord& system(std::string text) { return add(dataset::Role::kSystem, std::move(text)); }
  TestRecord& user(std::string text) { return add(dataset::Role::kUser, std::move(text)); }
  TestRecord& assistant(std::string text) {
    return add(dataset::Role::kAssistant, std::move(text));
  }
  TestRecord& text(std::string text) { return add(dataset::Role::kText, std::move(text)); }

  // Valid until this TestRecord changes or dies.
  const dataset::Record& record() {
    record_.turns.clear();
    for (size_t i = 0; i < texts_.size(); ++i) record_.turns.push_back({roles_[i], texts_[i]});
    return record_;
  }

 private:
  TestRecord& add(dataset::Role role, std::string text) {
    roles_.push_back(role);
    texts_.push_back(std::move(text));
    return *this;
  }

  std::vector<dataset::Role> roles_;
  std::vector<std::string> texts_;
  dataset::Record record_;
};

}  // namespace alignwatch::testing
