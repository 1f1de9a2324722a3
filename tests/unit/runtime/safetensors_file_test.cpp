#include "runtime/safetensors_file.h"

#include <gtest/gtest.h>

#include <cstring>

#include "tests/unit/runtime/test_files.h"

namespace alignwatch::runtime {
namespace {

using testing::TempDir;
using testing::f32_bytes;
using testing::safetensors_bytes;
using testing::write_file;

class SafetensorsFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& header, const std::string& data) {
    std::string p = dir_.file("model.safetensors");
    write_file(p, safetensors_bytes(header, data));
    return p;
  }
  Status open_error(const std::string& header, const std::string& data) {
    auto f = SafetensorsFile::open(write(header, data));
    EXPECT_FALSE(f.has_value()) << header;
    return f ? Status::ok() : f.error();
  }
  TempDir dir_;
};

TEST_F(SafetensorsFileTest, MapsValidFileAndViewsTensorsInPlace) {
  std::string data = f32_bytes({1, 2, 3, 4, 5, 6}) + std::string("\x00\x3c\x00\x40", 4);  // f16 1, 2
  std::string p = write(R"({"__metadata__":{"format":"pt"},)"
                        R"("w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                        R"("h":{"dtype":"F16","shape":[2],"data_offsets":[24,28]}})",
                        data);
  auto f = SafetensorsFile::open(p);
  ASSERT_TRUE(f.has_value()) << f.error().to_string();
  ASSERT_EQ((*f)->tensors().size(), 2u);
  EXPECT_EQ((*f)->metadata().at("format"), "pt");
  const TensorInfo* w = (*f)->find("w");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->shape, (std::vector<int64_t>{2, 3}));
  TensorView v = (*f)->view(*w);
  ASSERT_EQ(v.nbytes, 24u);
  float x[6];
  std::memcpy(x, v.data, 24);
  EXPECT_EQ(x[5], 6.0f);
  const TensorInfo* h = (*f)->find("h");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->dtype, DType::kF16);
  EXPECT_EQ((*f)->find("missing"), nullptr);
}

TEST_F(SafetensorsFileTest, TruncatedFileIsCorruption) {
  std::string p = dir_.file("t.safetensors");
  write_file(p, std::string("\x10\x00\x00", 3));
  auto f = SafetensorsFile::open(p);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code(), StatusCode::kCorruption);
  EXPECT_NE(f.error().message().find("truncated"), std::string::npos) << f.error().message();
  EXPECT_NE(f.error().message().find(p), std::string::npos);
}

TEST_F(SafetensorsFileTest, TruncatedDataIsCorruption) {
  std::string header = R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})";
  Status s = open_error(header, f32_bytes({1, 2, 3}));  // 12 of 24 bytes
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("tensor 'w'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("expected end <= 12"), std::string::npos) << s.message();
}

TEST_F(SafetensorsFileTest, HeaderLengthPastEndOfFile) {
  std::string p = dir_.file("t.safetensors");
  std::string bytes = safetensors_bytes("{}", "");
  bytes[0] = 100;  // claims a 100-byte header in a 10-byte file
  write_file(p, bytes);
  auto f = SafetensorsFile::open(p);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code(), StatusCode::kCorruption);
  EXPECT_NE(f.error().message().find("header length: expected at most 2 bytes"), std::string::npos)
      << f.error().message();
}

TEST_F(SafetensorsFileTest, HugeHeaderLengthIsResourceExhausted) {
  std::string p = dir_.file("t.safetensors");
  std::string bytes = safetensors_bytes("{}", "");
  bytes[7] = 0x7f;
  write_file(p, bytes);
  auto f = SafetensorsFile::open(p);
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code(), StatusCode::kResourceExhausted);
}

TEST_F(SafetensorsFileTest, HeaderNotJson) {
  Status s = open_error("{not json", "");
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("invalid JSON"), std::string::npos) << s.message();
}

TEST_F(SafetensorsFileTest, OffsetsOutOfBounds) {
  Status s = open_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", f32_bytes({1}));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("expected end <= 4"), std::string::npos) << s.message();
}

TEST_F(SafetensorsFileTest, OverlappingTensors) {
  Status s = open_error(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                        R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                        f32_bytes({1, 2, 3}));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("tensor 'b'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("overlap"), std::string::npos) << s.message();
}

TEST_F(SafetensorsFileTest, GapInDataIsCorruption) {
  Status s = open_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", f32_bytes({1, 2}));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("belong to no tensor"), std::string::npos) << s.message();
}

TEST_F(SafetensorsFileTest, TrailingBytesAreCorruption) {
  Status s = open_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", f32_bytes({1, 2}));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("expected 4 bytes after the header"), std::string::npos) << s.message();
}

TEST_F(SafetensorsFileTest, ShapeDisagreesWithByteCount) {
  Status s = open_error(R"({"w":{"dtype":"F32","shape":[4096,16],"data_offsets":[0,8]}})", f32_bytes({1, 2}));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("tensor 'w': expected 262144 bytes for F32 [4096, 16], got 8"),
            std::string::npos)
      << s.message();
}

TEST_F(SafetensorsFileTest, UnknownDtypeIsCorruptionKnownOtherIsUnsupported) {
  Status s = open_error(R"({"w":{"dtype":"Q4_K","shape":[1],"data_offsets":[0,4]}})", f32_bytes({1}));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("expected dtype F32, F16 or BF16, got 'Q4_K'"), std::string::npos) << s.message();
  Status s2 = open_error(R"({"w":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})", f32_bytes({1}));
  EXPECT_EQ(s2.code(), StatusCode::kUnsupported);
}

TEST_F(SafetensorsFileTest, NegativeOrNonIntegerShapeAndReversedOffsets) {
  EXPECT_EQ(open_error(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", f32_bytes({1})).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(open_error(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", f32_bytes({1})).code(),
            StatusCode::kCorruption);
  Status s = open_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", f32_bytes({1}));
  EXPECT_NE(s.message().find("expected begin <= end"), std::string::npos) << s.message();
  EXPECT_EQ(open_error(R"(["w"])", "").code(), StatusCode::kCorruption);
  EXPECT_EQ(open_error(R"({"w":{"dtype":"F32","shape":[1]}})", f32_bytes({1})).code(), StatusCode::kCorruption);
}

TEST_F(SafetensorsFileTest, MissingFileIsNotFound) {
  auto f = SafetensorsFile::open(dir_.file("nope.safetensors"));
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace alignwatch::runtime
