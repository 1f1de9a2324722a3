#include "runtime/pickle_inspector.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/runtime/test_files.h"

namespace alignwatch::runtime {
namespace {

using testing::source_path;

bool has_import(const PickleReport& r, const std::string& module, const std::string& name) {
  return std::any_of(r.imports.begin(), r.imports.end(),
                     [&](const PickleImport& i) { return i.module == module && i.name == name; });
}

const PickleFinding* finding(const PickleReport& r, const std::string& rule) {
  for (const auto& f : r.findings) {
    if (f.rule_id == rule) return &f;
  }
  return nullptr;
}

TEST(PickleInspectorTest, Protocol0GlobalOsSystemIsDangerous) {
  // cos\nsystem\n(S'echo pwned'\ntR.  -- what pickle.dumps(os.system-reducing object, 0) writes
  std::string bytes = "cos\nsystem\n(S'echo pwned'\ntR.";
  PickleReport r;
  ASSERT_TRUE(inspect_pickle_bytes(bytes, "inline", r).is_ok());
  EXPECT_TRUE(has_import(r, "os", "system"));
  const PickleFinding* f = finding(r, "pickle.dangerous_import");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->import.offset, 0u);
  EXPECT_NE(f->message.find("os.system"), std::string::npos);
  EXPECT_TRUE(r.dangerous());
}

TEST(PickleInspectorTest, Protocol4StackGlobalWithMemoizedStrings) {
  // PROTO 4, 'posix' MEMOIZE, 'system' MEMOIZE, STACK_GLOBAL, 'ls' TUPLE1 REDUCE STOP
  std::string bytes("\x80\x04\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02ls\x94\x85\x94R\x94.", 31);
  PickleReport r;
  ASSERT_TRUE(inspect_pickle_bytes(bytes, "inline", r).is_ok());
  EXPECT_TRUE(has_import(r, "posix", "system"));
  EXPECT_TRUE(r.dangerous());
}

TEST(PickleInspectorTest, StackGlobalThroughMemoGets) {
  // 'subprocess' BINPUT 0 POP 'check_output' BINPUT 1 POP BINGET 0 BINGET 1 STACK_GLOBAL STOP
  std::string bytes("\x80\x04\x8c\x0asubprocessq\x00" "0\x8c\x0c" "check_outputq\x01" "0h\x00h\x01\x93.", 40);
  PickleReport r;
  ASSERT_TRUE(inspect_pickle_bytes(bytes, "inline", r).is_ok()) << bytes.size();
  EXPECT_TRUE(has_import(r, "subprocess", "check_output"));
  EXPECT_TRUE(r.dangerous());
}

TEST(PickleInspectorTest, BuiltinsEvalDangerousOrderedDictNot) {
  PickleReport r;
  ASSERT_TRUE(inspect_pickle_bytes("cbuiltins\neval\n(S'1'\ntR.", "a", r).is_ok());
  EXPECT_TRUE(r.dangerous());
  PickleReport clean;
  ASSERT_TRUE(inspect_pickle_bytes("ccollections\nOrderedDict\n)R.", "b", clean).is_ok());
  EXPECT_TRUE(has_import(clean, "collections", "OrderedDict"));
  EXPECT_TRUE(clean.findings.empty());
  PickleReport unknown;
  ASSERT_TRUE(inspect_pickle_bytes("cmypkg.models\nNet\n)R.", "c", unknown).is_ok());
  EXPECT_FALSE(unknown.dangerous());
  ASSERT_NE(finding(unknown, "pickle.unknown_import"), nullptr);
}

TEST(PickleInspectorTest, MalformedPickles) {
  PickleReport r;
  Status truncated = inspect_pickle_bytes("cos\nsystem\n(S'x'\nt", "m", r);
  EXPECT_EQ(truncated.code(), StatusCode::kCorruption);
  EXPECT_NE(truncated.message().find("expected STOP"), std::string::npos) << truncated.message();
  Status bad_op = inspect_pickle_bytes(std::string("\x80\x02\xff.", 4), "m", r);
  EXPECT_EQ(bad_op.code(), StatusCode::kCorruption);
  EXPECT_NE(bad_op.message().find("m offset 2: expected a pickle opcode, got byte 0xff"), std::string::npos)
      << bad_op.message();
  Status short_len = inspect_pickle_bytes(std::string("\x80\x02X\xff\x00\x00\x00" "ab.", 10), "m", r);
  EXPECT_EQ(short_len.code(), StatusCode::kCorruption);
}

TEST(PickleInspectorTest, TorchZipFileWithPlantedOsSystem) {
  auto r = inspect_pickle_file(source_path("tests/data/runtime/pickle/planted_os_system.pt"));
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->zip);
  ASSERT_EQ(r->members.size(), 1u);
  EXPECT_EQ(r->members[0], "planted_os_system/data.pkl");
  EXPECT_TRUE(has_import(*r, "torch._utils", "_rebuild_tensor_v2"));
  // Python writes os.system as posix.system on Linux.
  EXPECT_TRUE(has_import(*r, "posix", "system") || has_import(*r, "os", "system"));
  EXPECT_TRUE(r->dangerous());
}

TEST(PickleInspectorTest, CleanTorchFilesHaveNoFindings) {
  for (const char* name : {"clean.pt", "legacy.bin"}) {
    auto r = inspect_pickle_file(source_path(std::string("tests/data/runtime/pickle/") + name));
    ASSERT_TRUE(r.has_value()) << name << ": " << r.error().to_string();
    EXPECT_TRUE(has_import(*r, "torch._utils", "_rebuild_tensor_v2")) << name;
    EXPECT_TRUE(r->findings.empty()) << name << ": " << r->findings[0].message;
  }
  auto legacy = inspect_pickle_file(source_path("tests/data/runtime/pickle/legacy.bin"));
  ASSERT_TRUE(legacy.has_value());
  EXPECT_FALSE(legacy->zip);
}

TEST(PickleInspectorTest, TruncatedZipIsCorruption) {
  testing::TempDir dir;
  std::ifstream in(source_path("tests/data/runtime/pickle/clean.pt"), std::ios::binary);
  std::string whole((std::istreambuf_iterator<char>(in)), {});
  testing::write_file(dir.file("cut.pt"), whole.substr(0, whole.size() / 2));
  auto r = inspect_pickle_file(dir.file("cut.pt"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kCorruption);
}

TEST(PickleInspectorTest, Extensions) {
  EXPECT_TRUE(is_pickle_extension("pytorch_model.bin"));
  EXPECT_TRUE(is_pickle_extension("x.ckpt"));
  EXPECT_FALSE(is_pickle_extension("model.safetensors"));
}

}  // namespace
}  // namespace alignwatch::runtime
