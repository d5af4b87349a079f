// FlexBuffers layout, as far as this reader needs it:
//
//   root       the last byte is the root's byte width, the byte before it
//              the root's packed type, the bytes before that the root slot
//   packed     type << 2 | log2(byte width of the referenced child)
//   offset     unsigned, counted backwards from the slot that holds it
//   vector     size (child width) | elements (child width each) |
//              one packed type byte per element (untyped vectors only)
//   typed vec  size | elements; VECTOR_INT2..FLOAT4 have no size field
//   map        keys offset | keys byte width | size | values | types, where
//              the keys vector is a typed vector of offsets to C strings
//   string     size | bytes | NUL
//
// Scalars in a slot have the width of the container holding the slot; only
// referenced children use the width in their packed type.
#include "nn/tflite/flexbuffers.h"

#include <limits>
#include <string>

#include "nn/tflite/flatbuffer_view.h"

namespace signprep::nn::detail {
namespace {

enum FlexType : unsigned {
  kNull = 0,
  kInt = 1,
  kUInt = 2,
  kFloat = 3,
  kKey = 4,
  kString = 5,
  kIndirectInt = 6,
  kIndirectUInt = 7,
  kIndirectFloat = 8,
  kMap = 9,
  kVector = 10,
  kVectorInt = 11,
  kVectorUInt = 12,
  kVectorFloat = 13,
  kVectorInt2 = 16,  // ... kVectorFloat4 = 24: fixed-length typed vectors
  kVectorFloat4 = 24,
  kBool = 26,
  kVectorBool = 36,
};

// One slot: where it is, the width it was stored with (its container's) and
// its packed type.
struct Slot {
  std::size_t pos;
  unsigned width;
  std::uint8_t packed;

  unsigned type() const { return packed >> 2; }
  unsigned child_width() const { return 1u << (packed & 3u); }
};

class FlexReader {
 public:
  explicit FlexReader(std::span<const std::byte> bytes) : buffer_(bytes) {}

  FlexMap read_root_map() const;

 private:
  std::uint64_t read_uint(std::size_t pos, unsigned width) const;
  std::int64_t read_int(std::size_t pos, unsigned width) const;
  double read_float(std::size_t pos, unsigned width) const;
  std::size_t back(std::size_t pos, std::uint64_t distance) const;
  std::size_t target(const Slot& slot) const {
    return back(slot.pos, read_uint(slot.pos, slot.width));
  }
  std::uint64_t size_before(std::size_t pos, unsigned width) const;
  std::string key_at(std::size_t pos) const;

  // Every decoded element or character is charged, so that shared offsets
  // (many keys pointing at one long string) cannot make the output, and the
  // time spent, much larger than the input.
  void charge(std::uint64_t units) const { budget_.charge(units); }

  FlexValue value(const Slot& slot) const;
  std::int64_t integer(unsigned type, std::size_t pos, unsigned width) const;
  FlexValue scalar(unsigned type, std::size_t pos, unsigned width) const;
  FlexValue string(const Slot& slot) const;
  FlexValue typed_vector(unsigned element_type, std::size_t pos, std::uint64_t size,
                         unsigned width) const;
  FlexValue untyped_vector(const Slot& slot) const;

  FbBuffer buffer_;
  mutable DecodeBudget budget_{8 * std::uint64_t{buffer_.size()} + 1024};
};

unsigned checked_width(std::uint64_t width) {
  if (width != 1 && width != 2 && width != 4 && width != 8) {
    format_fail("invalid byte width " + std::to_string(width));
  }
  return static_cast<unsigned>(width);
}

std::uint64_t FlexReader::read_uint(std::size_t pos, unsigned width) const {
  switch (width) {
    case 1:
      return buffer_.load<std::uint8_t>(pos);
    case 2:
      return buffer_.load<std::uint16_t>(pos);
    case 4:
      return buffer_.load<std::uint32_t>(pos);
    case 8:
      return buffer_.load<std::uint64_t>(pos);
  }
  format_fail("invalid byte width " + std::to_string(width));
}

std::int64_t FlexReader::read_int(std::size_t pos, unsigned width) const {
  switch (width) {
    case 1:
      return buffer_.load<std::int8_t>(pos);
    case 2:
      return buffer_.load<std::int16_t>(pos);
    case 4:
      return buffer_.load<std::int32_t>(pos);
    case 8:
      return buffer_.load<std::int64_t>(pos);
  }
  format_fail("invalid byte width " + std::to_string(width));
}

double FlexReader::read_float(std::size_t pos, unsigned width) const {
  // FlexBuffers stores floats as float32 or float64 only.
  if (width == 4) return buffer_.load<float>(pos);
  if (width == 8) return buffer_.load<double>(pos);
  format_fail("invalid float width " + std::to_string(width));
}

std::size_t FlexReader::back(std::size_t pos, std::uint64_t distance) const {
  if (distance > pos) {
    format_fail("offset " + std::to_string(distance) + " at byte " + std::to_string(pos) +
                " points before the start of the buffer");
  }
  return pos - static_cast<std::size_t>(distance);
}

// Containers keep their element count in the slot just before their data.
std::uint64_t FlexReader::size_before(std::size_t pos, unsigned width) const {
  const std::uint64_t size = read_uint(back(pos, width), width);
  if (size > buffer_.size()) format_fail("container size " + std::to_string(size) + " too large");
  return size;
}

std::string FlexReader::key_at(std::size_t pos) const {
  std::string key;
  for (std::size_t i = pos;; ++i) {
    charge(1);
    const auto c = buffer_.load<char>(i);  // throws at the end of the buffer: no NUL
    if (c == '\0') return key;
    key.push_back(c);
  }
}

std::int64_t FlexReader::integer(unsigned type, std::size_t pos, unsigned width) const {
  if (type == kInt) return read_int(pos, width);
  if (type == kBool) return read_uint(pos, width) != 0 ? 1 : 0;
  const std::uint64_t value = read_uint(pos, width);
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    format_fail("unsigned value " + std::to_string(value) + " does not fit int64");
  }
  return static_cast<std::int64_t>(value);
}

FlexValue FlexReader::scalar(unsigned type, std::size_t pos, unsigned width) const {
  charge(1);
  switch (type) {
    case kInt:
    case kUInt:
      return integer(type, pos, width);
    case kBool:
      return read_uint(pos, width) != 0;
    case kFloat:
      return read_float(pos, width);
  }
  format_fail("unsupported value type " + std::to_string(type));
}

FlexValue FlexReader::string(const Slot& slot) const {
  const std::size_t data = target(slot);
  const std::uint64_t size = size_before(data, slot.child_width());
  buffer_.check_range(data, size + 1, "string");
  charge(size);
  if (buffer_.load<char>(data + static_cast<std::size_t>(size)) != '\0') {
    format_fail("string is not NUL-terminated");
  }
  const auto bytes = buffer_.bytes(data, static_cast<std::size_t>(size));
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

FlexValue FlexReader::typed_vector(unsigned element_type, std::size_t pos, std::uint64_t size,
                                   unsigned width) const {
  buffer_.check_range(pos, size * width, "vector");
  charge(size);
  if (element_type == kFloat) {
    std::vector<double> values;
    for (std::size_t i = 0; i < size; ++i) values.push_back(read_float(pos + i * width, width));
    return values;
  }
  std::vector<std::int64_t> values;
  for (std::size_t i = 0; i < size; ++i) {
    values.push_back(integer(element_type, pos + i * width, width));
  }
  return values;
}

// An untyped vector of numbers: ints stay ints unless a float is among them.
FlexValue FlexReader::untyped_vector(const Slot& slot) const {
  const std::size_t data = target(slot);
  const unsigned width = slot.child_width();
  const std::uint64_t size = size_before(data, width);
  buffer_.check_range(data, size * width + size, "vector");
  std::vector<double> as_double;
  std::vector<std::int64_t> as_int;
  bool any_float = false;
  for (std::size_t i = 0; i < size; ++i) {
    const Slot element{data + i * width, width,
                       buffer_.load<std::uint8_t>(data + size * width + i)};
    // Only numbers: a nested container here would need recursion.
    const unsigned type = element.type();
    const bool indirect = type >= kIndirectInt && type <= kIndirectFloat;
    if (type != kInt && type != kUInt && type != kFloat && !indirect) {
      format_fail("vector element " + std::to_string(i) + " is not a number");
    }
    const FlexValue v = value(element);
    if (const auto* d = std::get_if<double>(&v)) {
      any_float = true;
      as_double.push_back(*d);
    } else {
      const std::int64_t n = std::get<std::int64_t>(v);
      as_double.push_back(static_cast<double>(n));
      as_int.push_back(n);
    }
  }
  if (any_float) return as_double;
  return as_int;
}

FlexValue FlexReader::value(const Slot& slot) const {
  const unsigned type = slot.type();
  if (type == kInt || type == kUInt || type == kFloat || type == kBool) {
    return scalar(type, slot.pos, slot.width);
  }
  if (type >= kIndirectInt && type <= kIndirectFloat) {
    return scalar(type - kIndirectInt + kInt, target(slot), slot.child_width());
  }
  if (type == kString) return string(slot);
  if (type == kVector) return untyped_vector(slot);
  if ((type >= kVectorInt && type <= kVectorFloat) || type == kVectorBool) {
    const std::size_t data = target(slot);
    const unsigned element = type == kVectorBool ? kBool : type - kVectorInt + kInt;
    return typed_vector(element, data, size_before(data, slot.child_width()), slot.child_width());
  }
  if (type >= kVectorInt2 && type <= kVectorFloat4) {
    const unsigned n = type - kVectorInt2;  // int/uint/float for 2, then 3, then 4
    return typed_vector(n % 3 + kInt, target(slot), n / 3 + 2, slot.child_width());
  }
  format_fail("unsupported value type " + std::to_string(type));
}

FlexMap FlexReader::read_root_map() const {
  if (buffer_.size() < 3) format_fail("too short for a FlexBuffer");
  const std::size_t end = buffer_.size();
  const unsigned root_width = checked_width(buffer_.load<std::uint8_t>(end - 1));
  const Slot root{back(end - 2, root_width), root_width, buffer_.load<std::uint8_t>(end - 2)};
  if (root.type() != kMap) {
    format_fail("root is not a map (type " + std::to_string(root.type()) + ")");
  }

  const std::size_t values = target(root);
  const unsigned width = root.child_width();
  const std::uint64_t size = size_before(values, width);
  buffer_.check_range(values, size * width + size, "map values");
  const std::size_t keys_slot = back(values, 3 * std::uint64_t{width});
  const std::size_t keys = back(keys_slot, read_uint(keys_slot, width));
  const unsigned keys_width =
      checked_width(read_uint(back(values, 2 * std::uint64_t{width}), width));
  if (size_before(keys, keys_width) != size) format_fail("map has different key and value counts");
  buffer_.check_range(keys, size * keys_width, "map keys");

  FlexMap map;
  for (std::size_t i = 0; i < size; ++i) {
    const Slot key_slot{keys + i * keys_width, keys_width, 0};
    std::string key = key_at(target(key_slot));
    const Slot slot{values + i * width, width,
                    buffer_.load<std::uint8_t>(values + size * width + i)};
    FlexValue v = with_context("key '" + key + "'", [&] { return value(slot); });
    if (!map.emplace(std::move(key), std::move(v)).second) format_fail("duplicate map key");
  }
  return map;
}

}  // namespace

FlexMap parse_flex_map(std::span<const std::byte> bytes) {
  return FlexReader(bytes).read_root_map();
}

}  // namespace signprep::nn::detail
