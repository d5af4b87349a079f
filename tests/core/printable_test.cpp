#include "core/printable.h"

#include <gtest/gtest.h>

#include <string>

namespace signprep {
namespace {

TEST(Printable, EscapesEveryControlCharacter) {
  EXPECT_EQ(printable("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(printable("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(printable(std::string("nul\0del\x7f", 8)), "nul\\x00del\\x7f");
  for (int byte = 0; byte < 0x20; ++byte) {
    const std::string shown = printable(std::string(1, static_cast<char>(byte)));
    EXPECT_EQ(shown.front(), '\\') << byte;
    EXPECT_GT(shown.size(), 1U) << byte;
  }
}

TEST(Printable, KeepsOrdinaryTextAndUtf8AsTheyAre) {
  EXPECT_EQ(printable("videos/a b/clip-1.mp4"), "videos/a b/clip-1.mp4");
  EXPECT_EQ(printable("Gebärde \xe6\x89\x8b.mp4"), "Gebärde \xe6\x89\x8b.mp4");
  EXPECT_EQ(printable(""), "");
}

}  // namespace
}  // namespace signprep
