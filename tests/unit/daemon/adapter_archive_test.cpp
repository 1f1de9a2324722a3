// Adapter archives are unpacked flat, and anything but plain files is refused by name.
#include "daemon/adapter_archive.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

namespace alignwatch::daemon {
namespace {

namespace fs = std::filesystem;

class AdapterArchive : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("aw-tar-" + std::to_string(random()));
    fs::create_directories(dir_ / "src" / "adapter");
    fs::create_directories(dir_ / "out");
    std::ofstream(dir_ / "src" / "adapter" / "adapter_config.json") << "{\"r\": 4}";
    std::ofstream(dir_ / "src" / "adapter" / "adapter_model.safetensors") << std::string(1000, 'w');
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Runs tar in src/ with `args`, making dir_/a.tar.
  void tar(const std::string& args) {
    const std::string command = "cd " + (dir_ / "src").string() + " && tar cf " + (dir_ / "a.tar").string() + " " + args +
                                " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  Status extract(uint64_t max_bytes = 1 << 20) {
    return extract_adapter_tar((dir_ / "a.tar").string(), (dir_ / "out").string(), max_bytes);
  }
  fs::path dir_;
};

TEST_F(AdapterArchive, ATarOfTheDirectoryUnpacksFlat) {
  tar("adapter");
  ASSERT_TRUE(extract().is_ok());
  EXPECT_EQ(fs::file_size(dir_ / "out" / "adapter_model.safetensors"), 1000u);
  EXPECT_TRUE(fs::exists(dir_ / "out" / "adapter_config.json"));
}

TEST_F(AdapterArchive, LinksTraversalAndSizeAreRefusedByName) {
  fs::create_symlink("/etc/passwd", dir_ / "src" / "adapter" / "evil");
  tar("adapter");
  Status link = extract();
  EXPECT_EQ(link.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(link.message().find("adapter/evil"), std::string::npos) << link.message();
  EXPECT_NE(link.message().find("not a plain file"), std::string::npos);
  fs::remove(dir_ / "src" / "adapter" / "evil");

  fs::remove_all(dir_ / "out");
  fs::create_directories(dir_ / "out");
  tar("--transform 's,^adapter,../../escape,' adapter");
  Status traversal = extract();
  EXPECT_EQ(traversal.code(), StatusCode::kInvalidArgument) << traversal.message();
  EXPECT_FALSE(fs::exists(dir_ / "escape"));

  fs::create_directories(dir_ / "src" / "adapter" / "deeper");
  std::ofstream(dir_ / "src" / "adapter" / "deeper" / "x") << "x";
  fs::remove_all(dir_ / "out");
  fs::create_directories(dir_ / "out");
  tar("adapter");
  EXPECT_NE(extract().message().find("nested deeper"), std::string::npos);
  fs::remove_all(dir_ / "src" / "adapter" / "deeper");

  fs::remove_all(dir_ / "out");
  fs::create_directories(dir_ / "out");
  tar("adapter");
  EXPECT_NE(extract(500).message().find("exceed 500 bytes"), std::string::npos);
}

TEST_F(AdapterArchive, GarbageIsNotATar) {
  std::ofstream(dir_ / "a.tar") << std::string(2048, 'g');
  Status status = extract();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("bad checksum"), std::string::npos);
}

}  // namespace
}  // namespace alignwatch::daemon
