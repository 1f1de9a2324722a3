#include "runtime/pickle_inspector.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "core/text.h"

namespace alignwatch::runtime {

bool PickleReport::dangerous() const {
  return std::any_of(findings.begin(), findings.end(), [](const PickleFinding& f) {
    return f.severity == PickleSeverity::kDangerous;
  });
}

bool is_pickle_extension(std::string_view path) {
  for (std::string_view ext : {".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"}) {
    if (path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext) return true;
  }
  return false;
}

namespace {

std::string_view top_module(std::string_view module) {
  size_t dot = module.find('.');
  return dot == std::string_view::npos ? module : module.substr(0, dot);
}

bool is_known_safe(std::string_view module, std::string_view name) {
  if (module == "collections" && name == "OrderedDict") return true;
  if (module == "torch._utils" &&
      (name == "_rebuild_tensor_v2" || name == "_rebuild_tensor" || name == "_rebuild_parameter" ||
       name == "_rebuild_parameter_with_state" || name == "_rebuild_qtensor")) {
    return true;
  }
  if (module == "torch._tensor" && name == "_rebuild_from_type_v2") return true;
  if (module == "torch") {
    // Storage classes and dtypes: torch.FloatStorage, torch.float16, torch.Size, torch.device.
    if (name.ends_with("Storage") || name == "Size" || name == "device" || name == "Tensor") {
      return true;
    }
    static const char* const kDtypes[] = {"float32", "float16", "bfloat16", "float64", "int64",
                                          "int32",   "int16",   "int8",     "uint8",   "bool"};
    return std::find(std::begin(kDtypes), std::end(kDtypes), name) != std::end(kDtypes);
  }
  if (module == "builtins" && (name == "set" || name == "frozenset" || name == "dict" ||
                               name == "list" || name == "tuple" || name == "slice")) {
    return true;
  }
  return false;
}

}  // namespace

bool is_dangerous_import(std::string_view module, std::string_view name) {
  static const char* const kModules[] = {
      "os",       "posix",  "nt",        "subprocess", "sys",       "shutil",   "socket",
      "pty",      "runpy",  "importlib", "webbrowser", "code",      "codeop",   "commands",
      "ctypes",   "multiprocessing",     "pickle",     "_pickle",   "cPickle",  "dill",
      "marshal",  "types",  "urllib",    "requests",   "http",      "ftplib",   "telnetlib",
      "smtplib",  "asyncio", "pdb",      "bdb",        "timeit",    "signal",   "tempfile",
      "glob",     "io",     "_io",       "pathlib",    "zipimport", "sqlite3",  "platform"};
  std::string_view top = top_module(module);
  if (std::find(std::begin(kModules), std::end(kModules), top) != std::end(kModules)) return true;
  if (top == "builtins" || top == "__builtin__" || top == "__builtins__") {
    static const char* const kNames[] = {"eval",   "exec",    "compile", "open",    "__import__",
                                         "getattr", "setattr", "delattr", "globals", "locals",
                                         "vars",   "breakpoint", "input", "execfile", "file",
                                         "apply",  "memoryview"};
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
  }
  if (top == "operator" && (name == "attrgetter" || name == "methodcaller")) return true;
  if (module.starts_with("torch.hub") || (module == "torch.storage" && name == "_load_from_bytes")) {
    return true;
  }
  if (module == "numpy" && name == "load") return true;
  if (module.starts_with("numpy.testing") || module == "numpy.f2py") return true;
  return false;
}

namespace {

class PickleWalker {
 public:
  PickleWalker(std::string_view bytes, const std::string& member, PickleReport& report,
               const PickleLimits& limits)
      : b_(bytes), member_(member), report_(report), limits_(limits) {}

  // Walks one pickle from `pos_` through its STOP.
  Status walk_one() {
    std::map<uint64_t, std::string> memo;
    std::vector<std::string> strings;  // strings pushed so far (for STACK_GLOBAL)
    std::optional<std::string> top_string;
    uint64_t count = 0;
    while (true) {
      if (pos_ >= b_.size()) return fail("expected STOP, got the end of the data");
      if (++count > limits_.max_opcodes) {
        return Status(StatusCode::kResourceExhausted,
                      "pickle: " + where() + ": expected at most " +
                          std::to_string(limits_.max_opcodes) + " opcodes");
      }
      const uint64_t at = pos_;
      const unsigned char op = static_cast<unsigned char>(b_[pos_++]);
      std::optional<std::string> pushed;  // a string this opcode pushed
      bool keeps_top = false;             // PUT/MEMOIZE leave the stack as it is
      switch (op) {
        // No argument.
        case '(': case '.': case '0': case '1': case '2': case 'N': case 'Q': case 'R':
        case 'a': case 'b': case 'd': case '}': case 'e': case 'l': case ']': case 'o':
        case 's': case 't': case ')': case 'u': case 0x81: case 0x85: case 0x86: case 0x87:
        case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91: case 0x92: case 0x97: case 0x98:
          break;
        case 0x93: {  // STACK_GLOBAL: module and name are the two strings pushed last
          PickleImport imp{"", "", member_, at};
          if (strings.size() >= 2) {
            imp.module = strings[strings.size() - 2];
            imp.name = strings.back();
            add_import(imp);
          } else {
            add_finding(PickleSeverity::kDangerous, "pickle.unresolved_global",
                        "STACK_GLOBAL whose module and name are not literal strings", imp);
          }
          break;
        }
        case 0x94:  // MEMOIZE
          if (top_string) memo[memo.size()] = *top_string;
          else memo[memo.size()] = {};
          keeps_top = true;
          break;
        // Fixed-size arguments.
        case 'K': case 'h': case 'q': case 0x80: case 0x82: {
          AW_ASSIGN_OR_RETURN(uint64_t v, read_uint(1));
          if (op == 'h') pushed = memo_string(memo, v);
          if (op == 'q') {
            memo[v] = top_string.value_or("");
            keeps_top = true;
          }
          break;
        }
        case 'M': case 0x83: AW_RETURN_IF_ERROR(skip(2)); break;
        case 'J': case 0x84: AW_RETURN_IF_ERROR(skip(4)); break;
        case 'j': case 'r': {
          AW_ASSIGN_OR_RETURN(uint64_t v, read_uint(4));
          if (op == 'j') pushed = memo_string(memo, v);
          if (op == 'r') {
            memo[v] = top_string.value_or("");
            keeps_top = true;
          }
          break;
        }
        case 'G': case 0x95: AW_RETURN_IF_ERROR(skip(8)); break;
        // Newline-terminated arguments.
        case 'F': case 'I': case 'L': case 'P': { AW_ASSIGN_OR_RETURN(std::string ignored, read_line()); (void)ignored; break; }
        case 'S': {
          AW_ASSIGN_OR_RETURN(std::string s, read_line());
          if (s.size() >= 2 && (s.front() == '\'' || s.front() == '"')) s = s.substr(1, s.size() - 2);
          pushed = s;
          break;
        }
        case 'V': { AW_ASSIGN_OR_RETURN(std::string s, read_line()); pushed = s; break; }
        case 'g': {
          AW_ASSIGN_OR_RETURN(std::string s, read_line());
          pushed = memo_string(memo, std::strtoull(s.c_str(), nullptr, 10));
          break;
        }
        case 'p': {
          AW_ASSIGN_OR_RETURN(std::string s, read_line());
          memo[std::strtoull(s.c_str(), nullptr, 10)] = top_string.value_or("");
          keeps_top = true;
          break;
        }
        case 'c': case 'i': {  // GLOBAL, INST: "module\nname\n"
          AW_ASSIGN_OR_RETURN(std::string module, read_line());
          AW_ASSIGN_OR_RETURN(std::string name, read_line());
          add_import(PickleImport{module, name, member_, at});
          break;
        }
        // Length-prefixed arguments.
        case 'U': case 'C': case 0x8c: case 0x8a: {
          AW_ASSIGN_OR_RETURN(uint64_t n, read_uint(1));
          AW_ASSIGN_OR_RETURN(std::string s, read_bytes(n));
          if (op == 'U' || op == 0x8c) pushed = s;
          break;
        }
        case 'T': case 'X': case 'B': case 0x8b: {
          AW_ASSIGN_OR_RETURN(uint64_t n, read_uint(4));
          AW_ASSIGN_OR_RETURN(std::string s, read_bytes(n));
          if (op == 'T' || op == 'X') pushed = s;
          break;
        }
        case 0x8d: case 0x8e: case 0x96: {
          AW_ASSIGN_OR_RETURN(uint64_t n, read_uint(8));
          AW_ASSIGN_OR_RETURN(std::string s, read_bytes(n));
          if (op == 0x8d) pushed = s;
          break;
        }
        default: {
          char hex[8];
          std::snprintf(hex, sizeof hex, "0x%02x", op);
          pos_ = at;
          return fail(std::string("expected a pickle opcode, got byte ") + hex);
        }
      }
      if (pushed) {
        strings.push_back(*pushed);
        if (strings.size() > 64) strings.erase(strings.begin());
        top_string = pushed;
      } else if (!keeps_top) {
        top_string.reset();
      }
      if (op == '.') return Status::ok();
    }
  }

  uint64_t pos() const { return pos_; }

 private:
  std::string where() const { return member_ + " offset " + std::to_string(pos_); }
  Status fail(const std::string& what) const {
    return Status(StatusCode::kCorruption, "malformed pickle: " + where() + ": " + what,
                  Location{report_.path});
  }
  Status skip(uint64_t n) {
    if (b_.size() - pos_ < n) return fail("expected " + std::to_string(n) + " argument bytes, got the end of the data");
    pos_ += n;
    return Status::ok();
  }
  Result<uint64_t> read_uint(int n) {
    if (b_.size() - pos_ < static_cast<uint64_t>(n)) {
      return std::unexpected(fail("expected " + std::to_string(n) + " argument bytes, got the end of the data"));
    }
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b_[pos_ + i]);
    pos_ += n;
    return v;
  }
  Result<std::string> read_bytes(uint64_t n) {
    if (b_.size() - pos_ < n) {
      return std::unexpected(fail("expected " + std::to_string(n) + " bytes of data, got " +
                                  std::to_string(b_.size() - pos_)));
    }
    // Only strings short enough to be a module or name matter; longer ones are skipped.
    std::string s(b_.substr(pos_, std::min<uint64_t>(n, 512)));
    pos_ += n;
    return s;
  }
  Result<std::string> read_line() {
    size_t nl = b_.find('\n', pos_);
    if (nl == std::string_view::npos || nl - pos_ > 4096) {
      return std::unexpected(fail("expected a newline-terminated argument"));
    }
    std::string s(b_.substr(pos_, nl - pos_));
    pos_ = nl + 1;
    return s;
  }
  static std::optional<std::string> memo_string(const std::map<uint64_t, std::string>& memo,
                                                uint64_t key) {
    auto it = memo.find(key);
    if (it == memo.end() || it->second.empty()) return std::nullopt;
    return it->second;
  }
  void add_import(const PickleImport& imp) {
    report_.imports.push_back(imp);
    const std::string full = safe_excerpt(imp.module, 64) + "." + safe_excerpt(imp.name, 64);
    if (is_dangerous_import(imp.module, imp.name)) {
      add_finding(PickleSeverity::kDangerous, "pickle.dangerous_import",
                  "imports " + full + ", which can run code when the file is loaded", imp);
    } else if (!is_known_safe(imp.module, imp.name)) {
      add_finding(PickleSeverity::kUnknown, "pickle.unknown_import",
                  "imports " + full + ", which is not a known tensor-rebuilding callable", imp);
    }
  }
  void add_finding(PickleSeverity sev, const char* rule, std::string message, const PickleImport& imp) {
    report_.findings.push_back(PickleFinding{sev, rule, std::move(message), imp});
  }

  std::string_view b_;
  std::string member_;
  PickleReport& report_;
  const PickleLimits& limits_;
  uint64_t pos_ = 0;
};

}  // namespace

Status inspect_pickle_bytes(std::string_view bytes, const std::string& member, PickleReport& report,
                            const PickleLimits& limits) {
  report.members.push_back(member);
  PickleWalker walker(bytes, member, report, limits);
  AW_RETURN_IF_ERROR(walker.walk_one());
  // Torch's legacy format: several pickles back to back (each starting with PROTO), then raw
  // storage bytes, which are not pickle and are not walked.
  while (walker.pos() < bytes.size() && static_cast<unsigned char>(bytes[walker.pos()]) == 0x80) {
    AW_RETURN_IF_ERROR(walker.walk_one());
  }
  return Status::ok();
}

namespace {

uint64_t le(const unsigned char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct ZipEntry {
  std::string name;
  uint16_t method = 0;
  uint64_t compressed = 0;
  uint64_t uncompressed = 0;
  uint64_t local_offset = 0;
};

Result<std::vector<ZipEntry>> zip_entries(std::string_view f, const std::string& path) {
  auto bad = [&](const std::string& what) {
    return make_error(StatusCode::kCorruption, "invalid zip archive: " + path + ": " + what);
  };
  const auto* u = reinterpret_cast<const unsigned char*>(f.data());
  if (f.size() < 22) return bad("expected an end-of-central-directory record, got " + std::to_string(f.size()) + " bytes");
  size_t eocd = std::string_view::npos;
  size_t lowest = f.size() > 22 + 65535 ? f.size() - 22 - 65535 : 0;
  for (size_t i = f.size() - 22 + 1; i-- > lowest;) {
    if (le(u + i, 4) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string_view::npos) return bad("expected an end-of-central-directory record [hint: truncated?]");
  uint64_t count = le(u + eocd + 10, 2);
  uint64_t cd_size = le(u + eocd + 12, 4);
  uint64_t cd_offset = le(u + eocd + 16, 4);
  if ((cd_offset == 0xFFFFFFFF || count == 0xFFFF) && eocd >= 20 && le(u + eocd - 20, 4) == 0x07064b50) {
    uint64_t z64 = le(u + eocd - 20 + 8, 8);
    if (z64 > f.size() - 56 || le(u + z64, 4) != 0x06064b50) return bad("bad zip64 end-of-central-directory record");
    count = le(u + z64 + 32, 8);
    cd_size = le(u + z64 + 40, 8);
    cd_offset = le(u + z64 + 48, 8);
  }
  if (cd_offset > f.size() || cd_size > f.size() - cd_offset) {
    return bad("central directory at " + std::to_string(cd_offset) + ": expected it inside the file");
  }
  if (count > 1'000'000) return bad("expected at most 1000000 entries, got " + std::to_string(count));
  std::vector<ZipEntry> out;
  uint64_t p = cd_offset;
  for (uint64_t i = 0; i < count; ++i) {
    if (p + 46 > f.size() || le(u + p, 4) != 0x02014b50) return bad("central directory entry " + std::to_string(i) + ": bad signature");
    ZipEntry e;
    e.method = static_cast<uint16_t>(le(u + p + 10, 2));
    e.compressed = le(u + p + 20, 4);
    e.uncompressed = le(u + p + 24, 4);
    uint64_t name_len = le(u + p + 28, 2), extra_len = le(u + p + 30, 2), comment_len = le(u + p + 32, 2);
    e.local_offset = le(u + p + 42, 4);
    if (p + 46 + name_len + extra_len + comment_len > f.size()) return bad("central directory entry " + std::to_string(i) + ": truncated");
    e.name.assign(f.substr(p + 46, name_len));
    // Zip64 extra field: the 0xFFFFFFFF fields, in order.
    uint64_t x = p + 46 + name_len, xend = x + extra_len;
    while (x + 4 <= xend) {
      uint64_t id = le(u + x, 2), sz = le(u + x + 2, 2);
      if (x + 4 + sz > xend) break;
      if (id == 1) {
        uint64_t q = x + 4;
        if (e.uncompressed == 0xFFFFFFFF && q + 8 <= x + 4 + sz) { e.uncompressed = le(u + q, 8); q += 8; }
        if (e.compressed == 0xFFFFFFFF && q + 8 <= x + 4 + sz) { e.compressed = le(u + q, 8); q += 8; }
        if (e.local_offset == 0xFFFFFFFF && q + 8 <= x + 4 + sz) { e.local_offset = le(u + q, 8); }
      }
      x += 4 + sz;
    }
    out.push_back(std::move(e));
    p += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

Result<std::string> zip_member(std::string_view f, const ZipEntry& e, const std::string& path,
                               const PickleLimits& limits) {
  auto bad = [&](const std::string& what) {
    return make_error(StatusCode::kCorruption,
                      "invalid zip archive: " + path + ": member '" + safe_excerpt(e.name, 128) + "': " + what);
  };
  const auto* u = reinterpret_cast<const unsigned char*>(f.data());
  if (e.local_offset > f.size() || f.size() - e.local_offset < 30 || le(u + e.local_offset, 4) != 0x04034b50) {
    return bad("bad local header");
  }
  uint64_t data = e.local_offset + 30 + le(u + e.local_offset + 26, 2) + le(u + e.local_offset + 28, 2);
  if (data > f.size() || e.compressed > f.size() - data) return bad("data runs past the end of the file [hint: truncated?]");
  if (e.uncompressed > limits.max_pickle_bytes) {
    return make_error(StatusCode::kResourceExhausted,
                      "pickle too large: " + path + ": member '" + safe_excerpt(e.name, 128) +
                          "': expected at most " + std::to_string(limits.max_pickle_bytes) + " bytes");
  }
  if (e.method == 0) return std::string(f.substr(data, e.compressed));
  if (e.method != 8) return bad("expected compression method 0 or 8, got " + std::to_string(e.method));
  std::string out(e.uncompressed, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return bad("cannot start inflate");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(f.data() + data));
  zs.avail_in = static_cast<uInt>(e.compressed);
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return bad("deflate data is corrupt");
  out.resize(zs.total_out);
  return out;
}

}  // namespace

Result<PickleReport> inspect_pickle_file(const std::string& path, const PickleLimits& limits) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error(errno == ENOENT ? StatusCode::kNotFound : StatusCode::kUnavailable,
                      "cannot open file: " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(StatusCode::kInvalidArgument, "not a regular file: " + path);
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size > limits.max_file_bytes) {
    ::close(fd);
    return make_error(StatusCode::kResourceExhausted, "file too large: " + path);
  }
  if (size == 0) {
    ::close(fd);
    return make_error(StatusCode::kCorruption, "malformed pickle: " + path + ": expected data, got an empty file");
  }
  void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) {
    return make_error(StatusCode::kResourceExhausted, "cannot map file: " + path);
  }
  struct Unmap {
    void* m;
    size_t n;
    ~Unmap() { ::munmap(m, n); }
  } unmap{m, size};
  std::string_view f(static_cast<const char*>(m), size);
  PickleReport report;
  report.path = path;
  if (f.starts_with(std::string_view("PK\x03\x04", 4))) {
    report.zip = true;
    AW_ASSIGN_OR_RETURN(std::vector<ZipEntry> entries, zip_entries(f, path));
    for (const ZipEntry& e : entries) {
      if (!e.name.ends_with(".pkl")) continue;
      AW_ASSIGN_OR_RETURN(std::string bytes, zip_member(f, e, path, limits));
      AW_RETURN_IF_ERROR(inspect_pickle_bytes(bytes, e.name, report, limits));
    }
    if (report.members.empty()) {
      return make_error(StatusCode::kCorruption,
                        "invalid torch archive: " + path + ": expected a data.pkl member, got none");
    }
    return report;
  }
  AW_RETURN_IF_ERROR(inspect_pickle_bytes(f, "pickle", report, limits));
  return report;
}

}  // namespace alignwatch::runtime
