#pragma once
// One HarmfulContentDetector with the default configuration for the whole test binary:
// compiling the lexicon takes a second or two, and the detector is const and thread-safe.

#include "scanners/harmful/harmful_content_detector.h"

namespace alignwatch::testing {

inline const scan::HarmfulContentDetector& shared_harmful_detector() {
  static const scan::HarmfulContentDetector detector{config::HarmfulContentConfig{}};
  return detector;
}

}  // namespace alignwatch::testing
