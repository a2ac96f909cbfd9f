#include "weft/core/ipc/frame.hpp"

#include <gtest/gtest.h>

namespace {
using weft::ipc::encode_frame;
using weft::ipc::FrameDecoder;

std::vector<uint8_t> body_of(size_t n, uint8_t fill = 0xab) { return std::vector<uint8_t>(n, fill); }

TEST(Frame, PrefixesTheBodyWithItsLittleEndianLength) {
  auto frame = encode_frame(body_of(0x0102));
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ((*frame)[0], 0x02);
  EXPECT_EQ((*frame)[1], 0x01);
  EXPECT_EQ((*frame)[2], 0x00);
  EXPECT_EQ((*frame)[3], 0x00);
  EXPECT_EQ(frame->size(), 4u + 0x0102);
}

TEST(Frame, RefusesToEncodeABodyOverTheCap) {
  auto frame = encode_frame(body_of(11), 10);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().message, "frame of 11 bytes exceeds the 10-byte limit");
}

TEST(Frame, DecodesFramesSplitAcrossArbitraryChunks) {
  std::vector<uint8_t> stream;
  for (size_t n : {0u, 1u, 300u, 70000u}) {
    auto f = *encode_frame(body_of(n, static_cast<uint8_t>(n)));
    stream.insert(stream.end(), f.begin(), f.end());
  }
  FrameDecoder decoder;
  std::vector<size_t> sizes;
  for (size_t i = 0; i < stream.size(); i += 7) {
    decoder.feed(std::span(stream).subspan(i, std::min<size_t>(7, stream.size() - i)));
    for (;;) {
      auto next = decoder.next();
      ASSERT_TRUE(next.ok());
      if (!next->has_value()) break;
      sizes.push_back((*next)->size());
      if (!(*next)->empty()) {
        EXPECT_EQ((**next)[0], static_cast<uint8_t>((*next)->size()));
      }
    }
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{0, 1, 300, 70000}));
  EXPECT_TRUE(decoder.finish().ok());
}

TEST(Frame, RejectsADeclaredLengthOverTheCapBeforeTheBodyArrives) {
  FrameDecoder decoder;  // default cap: 4 MiB
  std::vector<uint8_t> prefix = {0x01, 0x00, 0x40, 0x00};  // 4 MiB + 1
  decoder.feed(prefix);
  auto next = decoder.next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().message, "frame of 4194305 bytes exceeds the 4194304-byte limit");
}

TEST(Frame, AcceptsABodyOfExactlyTheCap) {
  FrameDecoder decoder(16);
  decoder.feed(*encode_frame(body_of(16), 16));
  auto next = decoder.next();
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->size(), 16u);
}

TEST(Frame, ReportsAShortFrameAtEndOfStream) {
  FrameDecoder decoder;
  auto frame = *encode_frame(body_of(10));
  frame.resize(8);
  decoder.feed(frame);
  auto next = decoder.next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  EXPECT_EQ(decoder.finish().error().message, "connection closed inside a frame (4 of 10 body bytes)");
  FrameDecoder partial_prefix;
  partial_prefix.feed(std::vector<uint8_t>{0x05, 0x00});
  EXPECT_EQ(partial_prefix.finish().error().message,
            "connection closed inside a frame's length prefix (2 of 4 bytes)");
}

}  // namespace
