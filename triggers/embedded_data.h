#pragma once
// The data files of triggers/data/, embedded at build time (triggers/CMakeLists.txt generates
// the definitions from the files themselves).

#include <string_view>

namespace alignwatch::triggers {

extern const std::string_view kProbeSuiteV1Json;    // triggers/data/probe_suite_v1.json
extern const std::string_view kTriggerLibraryJson;  // triggers/data/trigger_library.json

}  // namespace alignwatch::triggers
