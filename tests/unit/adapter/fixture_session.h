#pragma once
// The runtime's tiny random Llama with its LoRA fixture loaded, for the adapter scan's tests.

#include <memory>

#include <gtest/gtest.h>

#include "runtime/model_session.h"
#include "tests/unit/runtime/test_files.h"

namespace alignwatch::scan::adapter::testing {

// `adapter` gets the fixture adapter's index in the session; null (and a test failure) when
// either fixture does not load.
inline std::unique_ptr<runtime::ModelSession> open_fixture_session(int& adapter) {
  auto session = runtime::ModelSession::open(runtime::testing::source_path("tests/data/runtime/tiny_llama"), {});
  EXPECT_TRUE(session.has_value()) << (session ? "" : session.error().to_string());
  if (!session) return nullptr;
  auto index = (*session)->add_adapter(runtime::testing::source_path("tests/data/runtime/tiny_llama_lora"));
  EXPECT_TRUE(index.has_value());
  adapter = index ? *index : 0;
  return std::move(*session);
}

}  // namespace alignwatch::scan::adapter::testing
