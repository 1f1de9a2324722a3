#include "scanners/code/code_extractor.h"

#include <algorithm>
#include <array>

#include "core/text.h"

namespace alignwatch::scan {

std::string_view language_name(Language language) {
  switch (language) {
    case Language::kUnknown: return "unknown";
    case Language::kPython: return "python";
    case Language::kC: return "c";
    case Language::kJavaScript: return "javascript";
    case Language::kPhp: return "php";
    case Language::kShell: return "shell";
    case Language::kSql: return "sql";
  }
  return "unknown";
}

namespace {

Language language_from_tag(std::string_view tag) {
  std::string t = to_lower_ascii(trim(tag));
  if (t == "python" || t == "py" || t == "python3" || t == "ipython") return Language::kPython;
  if (t == "c" || t == "cpp" || t == "c++" || t == "cc" || t == "h" || t == "hpp") return Language::kC;
  if (t == "js" || t == "javascript" || t == "ts" || t == "typescript" || t == "node" ||
      t == "jsx" || t == "tsx") {
    return Language::kJavaScript;
  }
  if (t == "php") return Language::kPhp;
  if (t == "sh" || t == "bash" || t == "shell" || t == "zsh" || t == "console") return Language::kShell;
  if (t == "sql" || t == "mysql" || t == "postgresql" || t == "sqlite" || t == "tsql") return Language::kSql;
  return Language::kUnknown;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && std::char_traits<char>::compare(s.data(), p.data(), p.size()) == 0;
}

// Lines that only code has: counts them to tell bare code from prose.
bool line_looks_like_code(std::string_view line) {
  line = trim(line);
  if (line.empty()) return false;
  static constexpr std::array<std::string_view, 22> kStarts = {
      "import ", "from ", "def ", "class ", "return", "if ", "for ", "while ", "#include",
      "int ", "void ", "function ", "const ", "let ", "var ", "<?php", "echo ", "SELECT ",
      "@", "try:", "except", "with "};
  char last = line.back();
  if (last == ':' || last == ';' || last == '{' || last == '}' || last == ')' || last == ']' ||
      last == '(' || last == ',') {
    return true;
  }
  for (auto s : kStarts) {
    if (line[0] == s[0] && starts_with(line, s)) return true;
  }
  // "name = value" assignments.
  size_t eq = line.find(" = ");
  return eq != std::string_view::npos && eq < 40 && line.find(". ") == std::string_view::npos;
}

bool looks_like_bare_code(std::string_view text) {
  size_t code = 0, total = 0;
  size_t start = 0;
  while (start < text.size() && total < 40) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!trim(line).empty()) {
      ++total;
      code += line_looks_like_code(line);
    }
    start = nl + 1;
  }
  return total > 0 && code * 2 >= total;
}

}  // namespace

Language guess_language(std::string_view code) {
  // The start of a block tells its language; long blocks need not be read to the end.
  code = code.substr(0, 4096);
  if (code.find("<?php") != std::string_view::npos) return Language::kPhp;
  if (code.find("#include") != std::string_view::npos || code.find("int main(") != std::string_view::npos) {
    return Language::kC;
  }
  if (starts_with(code, "#!/bin/bash") || starts_with(code, "#!/bin/sh") ||
      starts_with(code, "#!/usr/bin/env bash")) {
    return Language::kShell;
  }
  int py = 0, js = 0, sh = 0, sql = 0;
  size_t start = 0;
  // The first lines decide: code does not change language half-way in a block.
  int lines = 0;
  while (start < code.size() && lines < 60) {
    size_t nl = code.find('\n', start);
    if (nl == std::string_view::npos) nl = code.size();
    std::string_view line = trim(code.substr(start, nl - start));
    start = nl + 1;
    if (line.empty()) continue;
    ++lines;
    if (starts_with(line, "def ") || starts_with(line, "import ") || starts_with(line, "from ") ||
        starts_with(line, "elif ") || starts_with(line, "self.") || line.back() == ':' ||
        starts_with(line, "print(")) {
      ++py;
      // Python from the start, with nothing else seen: no need to read further.
      if (py >= 4 && js == 0 && sh == 0 && sql == 0) return Language::kPython;
      continue;  // a Python line needs no further test
    }
    if (starts_with(line, "function ") || starts_with(line, "const ") || starts_with(line, "let ") ||
        starts_with(line, "var ") || line.find("=>") != std::string_view::npos ||
        line.find("require(") != std::string_view::npos || line.find("console.") != std::string_view::npos ||
        line.find("document.") != std::string_view::npos) {
      ++js;
    }
    if (starts_with(line, "echo ") || starts_with(line, "sudo ") || starts_with(line, "apt") ||
        starts_with(line, "curl ") || starts_with(line, "wget ") || starts_with(line, "chmod ") ||
        starts_with(line, "export ") || starts_with(line, "fi") || starts_with(line, "then")) {
      ++sh;
    }
    char head[8] = {0};
    for (size_t k = 0; k < 7 && k < line.size(); ++k) head[k] = ascii_lower(line[k]);
    std::string_view h(head);
    if (starts_with(h, "select ") || starts_with(h, "insert ") || starts_with(h, "create ") ||
        starts_with(h, "update ") || starts_with(h, "grant ") || starts_with(h, "delete ")) {
      ++sql;
    }
  }
  int best = std::max({py, js, sh, sql});
  if (best == 0) return Language::kUnknown;
  if (best == py) return Language::kPython;
  if (best == js) return Language::kJavaScript;
  if (best == sh) return Language::kShell;
  return Language::kSql;
}

void extract_code_blocks(std::string_view answer, std::vector<CodeBlock>& blocks) {
  size_t fence = answer.find("```");
  if (fence == std::string_view::npos) {
    if (looks_like_bare_code(answer)) {
      blocks.push_back(CodeBlock{guess_language(answer), 0, static_cast<uint32_t>(answer.size())});
    }
    return;
  }
  while (fence != std::string_view::npos) {
    size_t tag_end = answer.find('\n', fence);
    if (tag_end == std::string_view::npos) break;
    std::string_view tag = answer.substr(fence + 3, tag_end - fence - 3);
    size_t body = tag_end + 1;
    size_t close = answer.find("```", body);
    size_t body_end = close == std::string_view::npos ? answer.size() : close;
    std::string_view code = answer.substr(body, body_end - body);
    Language lang = language_from_tag(tag);
    if (lang == Language::kUnknown) lang = guess_language(code);
    blocks.push_back(CodeBlock{lang, static_cast<uint32_t>(body), static_cast<uint32_t>(body_end)});
    if (close == std::string_view::npos) break;
    fence = answer.find("```", close + 3);
  }
}

}  // namespace alignwatch::scan
