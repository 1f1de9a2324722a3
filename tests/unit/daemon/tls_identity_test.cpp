#include "daemon/http/tls_identity.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

namespace alignwatch::daemon {
namespace {

namespace fs = std::filesystem;

class TlsIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("aw-tls-" + std::to_string(random()));
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  char buf[1024];
  size_t n;
  while (pipe && (n = fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  if (pipe) pclose(pipe);
  return out;
}

TEST_F(TlsIdentityTest, ASelfSignedPairIsMadeOnceAndReused) {
  auto made = load_or_create_self_signed(dir_);
  ASSERT_TRUE(made.has_value()) << made.error().to_string();
  EXPECT_TRUE(made->created);
  EXPECT_EQ(made->fingerprint_sha256.size(), 32u * 3 - 1);
  struct stat st {};
  ASSERT_EQ(::stat(made->private_key_pem.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto again = load_or_create_self_signed(dir_);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->fingerprint_sha256, made->fingerprint_sha256);

  // openssl agrees on the fingerprint and on what the certificate is for.
  const std::string printed = run("openssl x509 -in " + made->certificate_pem.string() +
                                  " -noout -fingerprint -sha256 -ext subjectAltName");
  EXPECT_NE(printed.find(made->fingerprint_sha256), std::string::npos) << printed;
  EXPECT_NE(printed.find("IP Address:127.0.0.1"), std::string::npos) << printed;
  EXPECT_NE(printed.find("DNS:localhost"), std::string::npos) << printed;
}

TEST_F(TlsIdentityTest, HalfAPairOrAMismatchIsAnError) {
  auto made = load_or_create_self_signed(dir_);
  ASSERT_TRUE(made.has_value());
  const fs::path other = dir_ / "other";
  auto second = load_or_create_self_signed(other);
  ASSERT_TRUE(second.has_value());
  auto mismatch = load_tls_identity(made->certificate_pem, second->private_key_pem);
  ASSERT_FALSE(mismatch.has_value());
  EXPECT_NE(mismatch.error().message().find("does not belong"), std::string::npos);

  fs::remove(made->private_key_pem);
  auto half = load_or_create_self_signed(dir_);
  ASSERT_FALSE(half.has_value());
  EXPECT_NE(half.error().message().find("only one of"), std::string::npos);

  std::ofstream(dir_ / "garbage.pem") << "not a certificate";
  auto garbage = load_tls_identity(dir_ / "garbage.pem", second->private_key_pem);
  ASSERT_FALSE(garbage.has_value());
  EXPECT_EQ(garbage.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(load_tls_identity(dir_ / "none.pem", second->private_key_pem).error().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace alignwatch::daemon
