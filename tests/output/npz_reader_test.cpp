// The .npz reader against the writer (round trips) and against hostile bytes:
// every truncation and every single-byte flip of a real archive, and .npy
// headers broken one way each, must end in an Error, never a crash.
#include "output/npz_reader.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "output/npz_writer.h"
#include "test_support.h"

namespace signprep::output {
namespace {

constexpr std::string_view kMeta = "{\"video\": \"vid\\u00e9o.mp4\"} ✓ 𝄞 é";

struct Clip {
  std::vector<float> x;
  std::vector<std::uint8_t> mask;
  std::vector<std::int64_t> timestamps;
};

Clip sample_clip(std::size_t frames) {
  Clip clip{std::vector<float>(frames * 156), std::vector<std::uint8_t>(frames * 78),
            std::vector<std::int64_t>(frames)};
  for (std::size_t i = 0; i < clip.x.size(); ++i) clip.x[i] = static_cast<float>(i) / 997.0f;
  for (std::size_t i = 0; i < clip.mask.size(); ++i) clip.mask[i] = i % 3 == 0;
  for (std::size_t i = 0; i < frames; ++i) clip.timestamps[i] = static_cast<std::int64_t>(i) * 33;
  return clip;
}

void write_clip(const std::filesystem::path& path, const Clip& clip) {
  const std::size_t frames = clip.timestamps.size();
  const std::size_t x_shape[] = {frames, 156}, m_shape[] = {frames, 78}, t_shape[] = {frames};
  NpzWriter npz;
  npz.add_float32("X", x_shape, clip.x);
  npz.add_bool("mask", m_shape, clip.mask);
  npz.add_int64("timestamps_ms", t_shape, clip.timestamps);
  npz.add_unicode_scalar("meta", kMeta);
  npz.write(path);
}

std::vector<std::byte> bytes_of(std::string_view text) {
  const auto* data = reinterpret_cast<const std::byte*>(text.data());
  return {data, data + text.size()};
}

void write_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

// A .npy image with `header` as given (no padding added) and `data_bytes` zero bytes.
std::vector<std::byte> npy_with_header(const std::string& header, std::size_t data_bytes,
                                       int major = 1) {
  std::string npy = "\x93NUMPY";
  npy += static_cast<char>(major);
  npy += '\0';
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    npy += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  }
  npy += header;
  npy.append(data_bytes, '\0');
  return bytes_of(npy);
}

std::string decode_error(std::span<const std::byte> npy) {
  try {
    decode_npy(npy, "test.npy");
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInput);
    return error.what();
  }
  return "no error";
}

TEST(NpzReader, ReadsBackWhatTheWriterWrote) {
  test::TempDir dir;
  for (std::size_t frames : {0u, 1u, 7u}) {
    const Clip clip = sample_clip(frames);
    const auto path = dir.path() / "clip.npz";
    write_clip(path, clip);
    const std::vector<NpzMember> members = read_npz(path);
    ASSERT_EQ(members.size(), 4u);
    EXPECT_EQ(members[0].name, "X");
    EXPECT_EQ(members[0].array.descr, "<f4");
    EXPECT_EQ(members[0].array.shape, (std::vector<std::size_t>{frames, 156}));
    EXPECT_EQ(members[0].array.float32_values(), clip.x);
    EXPECT_EQ(members[1].name, "mask");
    EXPECT_EQ(members[1].array.descr, "|b1");
    EXPECT_EQ(members[1].array.bool_values(), clip.mask);
    EXPECT_EQ(members[2].name, "timestamps_ms");
    EXPECT_EQ(members[2].array.shape, (std::vector<std::size_t>{frames}));
    EXPECT_EQ(members[2].array.int64_values(), clip.timestamps);
    EXPECT_EQ(members[3].name, "meta");
    EXPECT_TRUE(members[3].array.shape.empty());
    EXPECT_EQ(members[3].array.unicode_scalar(), kMeta);
  }
}

TEST(NpzReader, DecodesEveryShapeTheWriterEncodes) {
  const std::vector<std::vector<std::size_t>> shapes = {{},     {0},       {5},
                                                        {2, 3}, {2, 0, 4}, {1, 2, 3, 2}};
  for (const auto& shape : shapes) {
    std::size_t count = 1;
    for (std::size_t d : shape) count *= d;
    std::vector<std::int64_t> values(count);
    for (std::size_t i = 0; i < count; ++i) values[i] = -static_cast<std::int64_t>(i) * 1000003;
    const NpyArray array =
        decode_npy(encode_npy("<i8", shape, std::as_bytes(std::span(values))), "t");
    EXPECT_EQ(array.shape, shape);
    EXPECT_EQ(array.int64_values(), values);
  }
}

TEST(NpzReader, AcceptsVersion2HeadersAndAnyKeyOrder) {
  const NpyArray array = decode_npy(
      npy_with_header("{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}\n", 12, 2), "t");
  EXPECT_EQ(array.descr, "<f4");
  EXPECT_EQ(array.shape, std::vector<std::size_t>{3});
  EXPECT_EQ(array.float32_values(), std::vector<float>(3, 0.0f));
}

TEST(NpzReader, KeepsOtherDtypesForTheCallerToJudge) {
  const NpyArray array = decode_npy(
      npy_with_header("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 1), }", 16), "t");
  EXPECT_EQ(array.descr, ">f8");
  EXPECT_EQ(array.item_size(), 8u);
  EXPECT_THROW(array.float32_values(), Error);
  EXPECT_THROW(array.unicode_scalar(), Error);
}

TEST(NpzReader, RejectsBrokenNpyHeaders) {
  const std::string good_start = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
  const struct {
    std::vector<std::byte> npy;
    std::string problem;
  } cases[] = {
      {bytes_of(""), "bad magic"},
      {bytes_of("\x93NUMPY"), "bad magic"},
      {bytes_of("PK\x03\x04xxxxxxxxxxxx"), "bad magic"},
      {npy_with_header(good_start + "(1,)}", 4, 4), "unsupported .npy version 4.0"},
      {bytes_of(std::string_view("\x93NUMPY\x01\x00\x10", 9)), "truncated .npy header"},
      {bytes_of(std::string_view("\x93NUMPY\x01\x00\xff\x00{'descr'", 18)),
       "truncated .npy header"},
      {bytes_of(std::string_view("\x93NUMPY\x02\x00\xff\xff\xff\xff{", 13)),
       "truncated .npy header"},
      {npy_with_header("", 0), "expected '{'"},
      {npy_with_header(good_start + "(1,)", 4), "expected '}'"},
      {npy_with_header(good_start + "(1,)} x", 4), "unexpected text after the dict"},
      {npy_with_header("{'descr': '<f4', 'shape': (1,)}", 4),
       "lacks descr, fortran_order or shape"},
      {npy_with_header(good_start + "(1,), 'shape': (1,)}", 4), "repeated key 'shape'"},
      {npy_with_header(good_start + "(1,), 'extra': 1}", 4), "unexpected or repeated key 'extra'"},
      {npy_with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (1,)}", 4),
       "Fortran-order arrays are not supported"},
      {npy_with_header("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", 4),
       "expected True or False"},
      {npy_with_header("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", 8),
       "unsupported dtype '|O'"},
      {npy_with_header("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (1,)}", 8),
       "unsupported dtype '<M8[ns]'"},
      {npy_with_header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", 4),
       "structured dtypes are not supported"},
      {npy_with_header("{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}", 4),
       "expected ':'"},
      {npy_with_header("{'descr': '<f4", 4), "unterminated string"},
      {npy_with_header(good_start + "(3)}", 12), "shape (n) is not a tuple"},
      {npy_with_header(good_start + "(-3,)}", 12), "expected a non-negative integer"},
      {npy_with_header(good_start + "(3 4)}", 48), "expected ',' or ')'"},
      {npy_with_header(good_start + "(99999999999999999999999,)}", 4), "dimension too big"},
      {npy_with_header(good_start + "(4294967296, 4294967296)}", 4), "shape too large"},
      {npy_with_header(good_start + "(3,)}", 11),
       "holds 11 data bytes, dtype <f4 and shape need 12"},
      {npy_with_header(good_start + "(3,)}", 13), "holds 13 data bytes"},
  };
  for (const auto& [npy, problem] : cases) {
    const std::string error = decode_error(npy);
    EXPECT_NE(error.find(problem), std::string::npos)
        << "expected '" << problem << "', got " << error;
    EXPECT_EQ(error.rfind("test.npy: ", 0), 0u) << error;
  }
}

TEST(NpzReader, RejectsInvalidUnicodeScalars) {
  const char32_t beyond_unicode[] = {U'a', static_cast<char32_t>(0x110000)};
  NpyArray array{"<U2", {}, {}};
  array.data.resize(sizeof beyond_unicode);
  std::memcpy(array.data.data(), beyond_unicode, sizeof beyond_unicode);
  EXPECT_THROW(array.unicode_scalar(), Error);
  array.shape = {1};
  EXPECT_THROW(array.unicode_scalar(), Error);
}

TEST(NpzReader, MissingFileAndNonZipAreErrorsNamingTheFile) {
  test::TempDir dir;
  for (const std::string& content : {std::string(), std::string("not a zip at all")}) {
    const auto path = dir.path() / "bad.npz";
    write_bytes(path, bytes_of(content));
    try {
      read_npz(path);
      FAIL() << "expected an error for '" << content << "'";
    } catch (const Error& error) {
      EXPECT_EQ(std::string(error.what()).rfind(path.string() + ": not a readable zip", 0), 0u)
          << error.what();
    }
  }
  EXPECT_THROW(read_npz(dir.path() / "missing.npz"), Error);
}

// Every prefix of a valid archive lacks its central directory or part of a
// member, for the reader and the lister alike.
TEST(NpzReader, EveryTruncationIsAnError) {
  test::TempDir dir;
  const auto good = dir.path() / "good.npz";
  write_clip(good, sample_clip(1));
  const std::string whole = test::read_text(good);
  const auto cut = dir.path() / "cut.npz";
  for (std::size_t length = 0; length < whole.size(); ++length) {
    write_bytes(cut, bytes_of(std::string_view(whole).substr(0, length)));
    EXPECT_THROW(read_npz(cut), Error) << "prefix of " << length << " bytes";
    EXPECT_THROW(list_npz(cut), Error) << "prefix of " << length << " bytes";
  }
}

TEST(NpzLister, ListsWhatTheReaderReadsAndLoadsOnlyWhatIsAsked) {
  test::TempDir dir;
  const auto path = dir.path() / "clip.npz";
  write_clip(path, sample_clip(5));
  const std::vector<NpzMember> members = read_npz(path);
  const std::string wanted[] = {"meta", "absent"};
  const NpzListing listing = list_npz(path, wanted);
  ASSERT_EQ(listing.entries.size(), members.size());
  for (std::size_t i = 0; i < members.size(); ++i) {
    EXPECT_EQ(listing.entries[i].name, members[i].name);
    EXPECT_EQ(listing.entries[i].descr, members[i].array.descr);
    EXPECT_EQ(listing.entries[i].shape, members[i].array.shape);
  }
  ASSERT_EQ(listing.loaded.size(), 1u);
  EXPECT_EQ(listing.loaded[0].name, "meta");
  EXPECT_EQ(listing.loaded[0].array.data, members.back().array.data);
}

// An archive with one member "X.npy" holding `npy` as given.
void write_one_member_zip(const std::filesystem::path& path, const std::vector<std::byte>& npy) {
  int code = 0;
  zip_t* archive = zip_open(path.string().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  ASSERT_NE(archive, nullptr);
  zip_source_t* source = zip_source_buffer(archive, npy.data(), npy.size(), 0);
  ASSERT_NE(source, nullptr);
  ASSERT_GE(zip_file_add(archive, "X.npy", source, ZIP_FL_OVERWRITE), 0);
  ASSERT_EQ(zip_close(archive), 0);
}

// A member whose header promises other data than its entry holds is refused
// without its data being read (the lister's one check on unread members).
TEST(NpzLister, RejectsAMemberWhoseSizeDisagreesWithItsHeader) {
  test::TempDir dir;
  const auto path = dir.path() / "clip.npz";
  const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}";
  for (const std::size_t data_bytes : {11, 13}) {
    write_one_member_zip(path, npy_with_header(header, data_bytes));
    try {
      list_npz(path);
      FAIL() << "expected an error for " << data_bytes << " data bytes";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what())
                    .find("X.npy: holds " + std::to_string(data_bytes) + " data bytes"),
                std::string::npos)
          << error.what();
    }
  }
  write_one_member_zip(path, npy_with_header(header, 12));
  EXPECT_EQ(list_npz(path).entries.at(0).shape, std::vector<std::size_t>{3});
}

// A flipped byte may land where nothing checks it (a time stamp, padding in a
// header); everywhere else it must be an Error. Either way, no crash and no
// other exception: the sanitizer build runs this too.
TEST(NpzReader, EveryByteFlipIsReadOrRejected) {
  test::TempDir dir;
  const auto good = dir.path() / "good.npz";
  write_clip(good, sample_clip(1));
  const std::string whole = test::read_text(good);
  const auto flipped = dir.path() / "flipped.npz";
  std::size_t rejected = 0;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    std::string bytes = whole;
    bytes[i] = static_cast<char>(bytes[i] ^ 0xFF);
    write_bytes(flipped, bytes_of(bytes));
    try {
      read_npz(flipped);
    } catch (const Error&) {
      ++rejected;
    }
    try {
      list_npz(flipped);  // checks less than read_npz: no rejection count, only no crash
    } catch (const Error&) {
    }
  }
  EXPECT_GT(rejected, whole.size() * 9 / 10);
}

}  // namespace
}  // namespace signprep::output
