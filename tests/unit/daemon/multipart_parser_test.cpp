#include "daemon/http/multipart_parser.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace alignwatch::daemon::http {
namespace {

struct Collected {
  std::vector<MultipartPartHeader> headers;
  std::vector<std::string> bodies;
  int ended = 0;
};

MultipartCallbacks collect(Collected& out) {
  MultipartCallbacks callbacks;
  callbacks.on_part_begin = [&out](const MultipartPartHeader& header) {
    out.headers.push_back(header);
    out.bodies.emplace_back();
    return Status::ok();
  };
  callbacks.on_part_data = [&out](std::string_view data) {
    out.bodies.back().append(data);
    return Status::ok();
  };
  callbacks.on_part_end = [&out]() {
    ++out.ended;
    return Status::ok();
  };
  return callbacks;
}

const std::string kBody =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"manifest\"\r\n\r\n"
    "{\"pipeline_id\":\"p1\"}\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"adapter_config.json\"\r\n"
    "Content-Type: application/json\r\n\r\n"
    "{\"r\": 8}\r\n--Xy not a boundary a--XyZ neither\r\n-- still data\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"quoted\\\" name.bin\"\r\n\r\n"
    "\r\n--XyZ--\r\n"
    "epilogue";

TEST(MultipartParser, SplitsPartsWhereverTheBytesAreCut) {
  // Every split point of the body into two feeds, and one byte at a time, give the same parts:
  // a delimiter cut across reads is still found, and near-boundaries stay data (the boundary
  // itself may appear only as a delimiter, RFC 2046 5.1.1).
  for (size_t cut = 0; cut <= kBody.size(); ++cut) {
    Collected out;
    MultipartParser parser("XyZ", collect(out));
    ASSERT_TRUE(parser.feed(kBody.substr(0, cut)).is_ok()) << cut;
    ASSERT_TRUE(parser.feed(kBody.substr(cut)).is_ok()) << cut;
    ASSERT_TRUE(parser.finish().is_ok()) << cut;
    ASSERT_EQ(out.headers.size(), 3u) << cut;
    EXPECT_EQ(out.ended, 3);
    EXPECT_EQ(out.headers[0].name, "manifest");
    EXPECT_FALSE(out.headers[0].has_filename);
    EXPECT_EQ(out.bodies[0], "{\"pipeline_id\":\"p1\"}");
    EXPECT_EQ(out.headers[1].filename, "adapter_config.json");
    EXPECT_EQ(out.headers[1].content_type, "application/json");
    EXPECT_EQ(out.bodies[1], "{\"r\": 8}\r\n--Xy not a boundary a--XyZ neither\r\n-- still data") << cut;
    EXPECT_EQ(out.headers[2].filename, "a \"quoted\" name.bin");
    EXPECT_EQ(out.bodies[2], "");
  }
  Collected bytewise;
  MultipartParser parser("XyZ", collect(bytewise));
  for (char c : kBody) ASSERT_TRUE(parser.feed(std::string_view(&c, 1)).is_ok());
  ASSERT_TRUE(parser.finish().is_ok());
  EXPECT_EQ(bytewise.bodies[1], "{\"r\": 8}\r\n--Xy not a boundary a--XyZ neither\r\n-- still data");
}

TEST(MultipartParser, RefusesTruncatedAndMalformedBodies) {
  auto parse = [](const std::string& body) {
    Collected out;
    MultipartParser parser("B", collect(out));
    Status fed = parser.feed(body);
    return fed.is_ok() ? parser.finish() : fed;
  };
  Status truncated = parse("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nhalf");
  EXPECT_EQ(truncated.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(truncated.message().find("truncated inside a part"), std::string::npos) << truncated.message();
  EXPECT_NE(parse("no boundary at all").message().find("no closing boundary"), std::string::npos);
  EXPECT_NE(parse("--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--").message().find("without Content-Disposition"),
            std::string::npos);
  EXPECT_NE(parse("--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--B--").message().find("form-data"),
            std::string::npos);
  EXPECT_NE(parse("--B\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--B--").message().find("without a name"),
            std::string::npos);
  EXPECT_NE(parse("--Bjunk").message().find("expected CRLF or '--'"), std::string::npos);
  EXPECT_NE(parse("--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--B--").message().find("unterminated"),
            std::string::npos);
  EXPECT_NE(parse("--B\r\n" + std::string(9000, 'h')).message().find("8 KiB"), std::string::npos);
  // The offset of the problem is named.
  EXPECT_NE(parse("--Bjunk").message().find("offset 3"), std::string::npos);
}

TEST(MultipartParser, ACallbackErrorStopsTheParse) {
  MultipartCallbacks callbacks;
  callbacks.on_part_begin = [](const MultipartPartHeader& header) {
    return header.filename == "../etc/passwd" ? Status(StatusCode::kInvalidArgument, "bad name") : Status::ok();
  };
  MultipartParser parser("B", callbacks);
  Status fed = parser.feed("--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"../etc/passwd\"\r\n\r\nx\r\n--B--\r\n");
  EXPECT_EQ(fed.message(), "bad name");
}

TEST(MultipartBoundary, ComesFromTheContentType) {
  EXPECT_EQ(*multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(*multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\""), "a b;c");
  EXPECT_FALSE(multipart_boundary("multipart/form-data").has_value());
  EXPECT_FALSE(multipart_boundary("application/json; boundary=x").has_value());
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')).has_value());
}

}  // namespace
}  // namespace alignwatch::daemon::http
