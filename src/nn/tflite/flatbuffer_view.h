// Bounded, read-only views of a FlatBuffer (the binary format of .tflite
// files), written from the FlatBuffers "Internals" description:
//
//   uoffset  uint32, points forward: target = its own position + value
//   table    int32 soffset to its vtable (vtable = table - soffset), then
//            the fields; vtable = uint16 vtable size, uint16 table size,
//            one uint16 per field id (offset from the table start, 0 = absent)
//   vector   uint32 element count, then the elements (tables and strings as
//            uoffsets relative to each element's own position)
//   string   a vector of chars followed by a NUL that is not counted
//   union    two fields: a uint8 type tag (id N) and a uoffset to a table
//            (id N + 1)
//
// Nothing is trusted: every view is checked against the buffer when it is
// made, so reads through it cannot leave the buffer. Problems are
// detail::FormatError; the reader turns them into Error(kModel) with the
// model's name and where in the model the problem was.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace signprep::nn::detail {

// FlatBuffers and FlexBuffers are little-endian; scalars are loaded with
// memcpy, which is only a load on a little-endian host.
static_assert(std::endian::native == std::endian::little, "the model readers assume little-endian");

class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] void format_fail(const std::string& message);

// Runs `body`; a FormatError it throws gets "<what>: " in front, so that a
// message says where in the model a low-level problem was.
template <class Body>
auto with_context(std::string_view what, Body&& body) {
  try {
    return body();
  } catch (const FormatError& e) {
    throw FormatError(std::string(what) + ": " + e.what());
  }
}

// Limits what a reader builds from a buffer to a multiple of the buffer's
// size. Offsets may be shared (a thousand tensors naming one huge shape
// vector), so without a limit a small corrupt file could make a reader
// allocate, and loop, without bound. Charged in bytes of decoded output.
class DecodeBudget {
 public:
  explicit DecodeBudget(std::uint64_t bytes) : left_(bytes) {}
  void charge(std::uint64_t bytes) {
    if (bytes > left_) format_fail("decodes to far more data than the file holds");
    left_ -= bytes;
  }

 private:
  std::uint64_t left_;
};

// A field of a schema table: its id (declaration order in the .fbs, a union
// taking two ids) and its name for messages.
struct Field {
  int id;
  const char* name;
};

// The whole buffer: the one place where bytes are read.
class FbBuffer {
 public:
  explicit FbBuffer(std::span<const std::byte> bytes) : bytes_(bytes) {}

  std::size_t size() const { return bytes_.size(); }

  // Throws unless [pos, pos + length) lies inside the buffer.
  void check_range(std::size_t pos, std::uint64_t length, std::string_view what) const;

  template <class T>
  T load(std::size_t pos) const {
    static_assert(std::is_trivially_copyable_v<T>);
    check_range(pos, sizeof(T), "scalar");
    T value;
    std::memcpy(&value, bytes_.data() + pos, sizeof(T));
    return value;
  }

  std::span<const std::byte> bytes(std::size_t pos, std::size_t length) const {
    check_range(pos, length, "data");
    return bytes_.subspan(pos, length);
  }

  // Follows the uoffset stored at `pos`; the target must leave room for the
  // 4-byte header (length or soffset) that every referenced object starts with.
  std::size_t follow(std::size_t pos) const;

 private:
  std::span<const std::byte> bytes_;
};

// A vector of fixed-size elements (scalars, or uoffsets to tables/strings).
class FbVector {
 public:
  FbVector() = default;
  // Reads the length at `pos` and checks that `element_size`-byte elements fit.
  FbVector(const FbBuffer& buffer, std::size_t pos, std::size_t element_size);

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t element_pos(std::size_t i) const { return data_ + i * element_size_; }
  std::span<const std::byte> bytes() const {
    return buffer_ ? buffer_->bytes(data_, size_ * element_size_) : std::span<const std::byte>{};
  }

  // All elements, copied; T must have the element size the vector was read with.
  template <class T>
  std::vector<T> scalars() const {
    check_element_size(sizeof(T));
    std::vector<T> values(size_);
    if (size_ != 0) std::memcpy(values.data(), bytes().data(), size_ * sizeof(T));
    return values;
  }

  const FbBuffer* buffer() const { return buffer_; }
  void check_index(std::size_t i) const;
  void check_element_size(std::size_t size) const;

 private:
  const FbBuffer* buffer_ = nullptr;
  std::size_t data_ = 0;
  std::size_t size_ = 0;
  std::size_t element_size_ = 1;
};

class FbTable {
 public:
  FbTable() = default;  // an absent table: every field reads as its default
  // Checks the soffset, the vtable and the table's inline size.
  FbTable(const FbBuffer& buffer, std::size_t pos);

  bool present() const { return buffer_ != nullptr; }

  template <class T>
  T scalar(Field field, T default_value) const {
    const std::size_t pos = field_pos(field, sizeof(T));
    return pos == 0 ? default_value : buffer_->load<T>(pos);
  }
  bool boolean(Field field) const { return scalar<std::uint8_t>(field, 0) != 0; }

  FbTable table(Field field) const;                              // absent field: an absent table
  FbVector vector(Field field, std::size_t element_size) const;  // absent: empty
  std::string_view string(Field field) const;                    // absent: empty

  // A union is read as its uint8 tag field plus table(value field).
  std::uint8_t union_type(Field type_field) const { return scalar<std::uint8_t>(type_field, 0); }

 private:
  std::uint16_t field_offset(Field field) const;
  // Absolute position of a `size`-byte field, 0 when absent.
  std::size_t field_pos(Field field, std::size_t size) const;

  const FbBuffer* buffer_ = nullptr;
  std::size_t pos_ = 0;
  std::size_t vtable_ = 0;
  std::uint16_t vtable_size_ = 0;
  std::uint16_t table_size_ = 0;
};

// Element i of a vector of tables or strings.
FbTable table_at(const FbVector& tables, std::size_t i);
std::string_view string_at(const FbBuffer& buffer, std::size_t pos);

}  // namespace signprep::nn::detail
