// Build step, not shipped: compiles the harm lexicon into its Hyperscan databases and writes
// them as a C++ source file (harm_lexicon_databases.h declares what it defines), so that the
// detector loads them instead of compiling them on every run.
//
//   aw_lexicon_compiler <output.cpp>
//
// It compiles with PatternSet::compile(), the same call the detector falls back on, so the
// databases match what a run-time compilation would build, flags included. The output is
// written under a temporary name and renamed, so a failed run leaves no partial file behind.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "scanners/harmful/harm_lexicon.h"
#include "scanners/text/pattern_set.h"

namespace {

using alignwatch::scan::PatternSet;
using alignwatch::scan::SerializedPatternSet;

// Bytes per line of a literal: short enough for editors and diffs of the generated file.
constexpr size_t kBytesPerLine = 40;

// `bytes` as a C++ string literal, split over lines. Printable characters stay as they are and
// the rest become three-digit octal escapes, which cannot run into a following digit.
void append_literal(std::string& out, std::string_view bytes) {
  out += "    \"";
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0 && i % kBytesPerLine == 0) out += "\"\n    \"";
    const auto byte = static_cast<unsigned char>(bytes[i]);
    // '?' is escaped too, so no "??x" sequence can read as a trigraph to an older compiler.
    if (byte >= 0x20 && byte < 0x7f && byte != '\\' && byte != '"' && byte != '?') {
      out += static_cast<char>(byte);
    } else {
      out += '\\';
      out += static_cast<char>('0' + (byte >> 6));
      out += static_cast<char>('0' + ((byte >> 3) & 7));
      out += static_cast<char>('0' + (byte & 7));
    }
  }
  out += "\"";
}

std::string generate_source(const SerializedPatternSet& databases) {
  std::string out;
  out +=
      "// Generated at build time by aw_lexicon_compiler (scanners/harmful/lexicon_compiler.cpp):\n"
      "// the harm lexicon's Hyperscan databases, serialized. Do not edit; the build rewrites it\n"
      "// whenever the lexicon, PatternSet or the compiler changes.\n\n"
      "#include <string_view>\n\n"
      "#include \"scanners/harmful/harm_lexicon_databases.h\"\n\n"
      "namespace alignwatch::scan::harmful {\n\n"
      "namespace {\n\n"
      "// sizeof() - 1 below: a literal ends in a '\\0' that is not part of the database.\n"
      "constexpr char kFinder[] =\n";
  append_literal(out, databases.finder);
  out += ";\n\n";
  for (size_t i = 0; i < databases.locators.size(); ++i) {
    out += "constexpr char kLocator" + std::to_string(i) + "[] =\n";
    append_literal(out, databases.locators[i]);
    out += ";\n\n";
  }
  out += "constexpr std::string_view kLocators[] = {\n";
  for (size_t i = 0; i < databases.locators.size(); ++i) {
    const std::string name = "kLocator" + std::to_string(i);
    out += "    {" + name + ", sizeof(" + name + ") - 1},\n";
  }
  out += "};\n\n";
  out += "constexpr SerializedPatternSetView kDatabases{\n";
  char fingerprint[32];
  std::snprintf(fingerprint, sizeof fingerprint, "0x%016llxULL",
                static_cast<unsigned long long>(databases.fingerprint));
  out += "    " + std::string(fingerprint) + ",  // PatternSet::fingerprint()\n";
  out += "    {kFinder, sizeof(kFinder) - 1},\n";
  out += "    kLocators,\n";
  out += "};\n\n";
  out +=
      "}  // namespace\n\n"
      "const SerializedPatternSetView& embedded_lexicon_databases() { return kDatabases; }\n\n"
      "}  // namespace alignwatch::scan::harmful\n";
  return out;
}

bool write_file(const std::string& path, std::string_view contents) {
  const std::string temporary = path + ".tmp";
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "aw_lexicon_compiler: %s: cannot open for writing\n", temporary.c_str());
    return false;
  }
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::fprintf(stderr, "aw_lexicon_compiler: %s: cannot write\n", path.c_str());
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: aw_lexicon_compiler <output.cpp>\n");
    return EXIT_FAILURE;
  }
  const auto expressions = alignwatch::scan::harmful::harm_lexicon_expressions();
  // A lexicon pattern Hyperscan refuses fails the build here, naming the pattern, rather than
  // every run later.
  auto compiled = PatternSet::compile(expressions);
  if (!compiled) {
    std::fprintf(stderr, "aw_lexicon_compiler: %s\n", compiled.error().to_string().c_str());
    return EXIT_FAILURE;
  }
  auto serialized = (*compiled)->serialize();
  if (!serialized) {
    std::fprintf(stderr, "aw_lexicon_compiler: %s\n", serialized.error().to_string().c_str());
    return EXIT_FAILURE;
  }
  return write_file(argv[1], generate_source(*serialized)) ? EXIT_SUCCESS : EXIT_FAILURE;
}
