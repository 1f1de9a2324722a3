#pragma once
// One HarmfulContentDetector with the default configuration for the whole test binary: the
// detector is const and thread-safe, and should its embedded databases be unusable on this
// machine, the lexicon is compiled (a second or two) once rather than per test.

#include "scanners/harmful/harmful_content_detector.h"

namespace alignwatch::testing {

inline const scan::HarmfulContentDetector& shared_harmful_detector() {
  static const scan::HarmfulContentDetector detector{config::HarmfulContentConfig{}};
  return detector;
}

}  // namespace alignwatch::testing
