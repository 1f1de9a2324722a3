#pragma once
// The harm lexicon's Hyperscan databases, compiled when alignwatch is built: compiling them
// at run time costs about two seconds of one core, loading them a few milliseconds.
// lexicon_compiler.cpp writes them into a generated harm_lexicon_databases.cpp in the build
// tree. They target the build machine's CPU and Hyperscan version; elsewhere PatternSet
// refuses them and the detector compiles the lexicon at run time instead.

#include "scanners/text/pattern_set.h"

namespace alignwatch::scan::harmful {

// The databases of PatternSet::compile(harm_lexicon_expressions()), as serialized at build time.
// Immutable; thread-safe.
const SerializedPatternSetView& embedded_lexicon_databases();

}  // namespace alignwatch::scan::harmful
