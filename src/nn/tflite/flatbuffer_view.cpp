#include "nn/tflite/flatbuffer_view.h"

#include <stdexcept>

namespace signprep::nn::detail {
namespace {

constexpr std::size_t kOffsetSize = 4;  // uoffset, soffset and vector length are 32-bit

std::string at_byte(std::size_t pos) {
  return "at byte " + std::to_string(pos);
}

}  // namespace

void format_fail(const std::string& message) {
  throw FormatError(message);
}

void FbBuffer::check_range(std::size_t pos, std::uint64_t length, std::string_view what) const {
  // Written so that nothing can overflow: pos <= size is checked first.
  if (pos > bytes_.size() || length > bytes_.size() - pos) {
    format_fail(std::string(what) + " " + at_byte(pos) + " (" + std::to_string(length) +
                " bytes) runs past the end of the file (" + std::to_string(bytes_.size()) +
                " bytes)");
  }
}

std::size_t FbBuffer::follow(std::size_t pos) const {
  const std::uint64_t target = pos + static_cast<std::uint64_t>(load<std::uint32_t>(pos));
  if (target > bytes_.size() || bytes_.size() - target < kOffsetSize) {
    format_fail("offset " + at_byte(pos) + " points outside the file (to byte " +
                std::to_string(target) + " of " + std::to_string(bytes_.size()) + ")");
  }
  return static_cast<std::size_t>(target);
}

FbVector::FbVector(const FbBuffer& buffer, std::size_t pos, std::size_t element_size)
    : buffer_(&buffer),
      data_(pos + kOffsetSize),
      size_(buffer.load<std::uint32_t>(pos)),
      element_size_(element_size) {
  buffer.check_range(data_, static_cast<std::uint64_t>(size_) * element_size_,
                     "vector of " + std::to_string(size_) + " elements");
}

void FbVector::check_index(std::size_t i) const {
  if (i >= size_) {
    format_fail("index " + std::to_string(i) + " out of range (vector of " + std::to_string(size_) +
                ")");
  }
}

void FbVector::check_element_size(std::size_t size) const {
  // An absent vector (no buffer) is empty whatever its element type.
  if (buffer_ != nullptr && size != element_size_) {
    throw std::logic_error("FbVector read with the wrong element size");
  }
}

FbTable::FbTable(const FbBuffer& buffer, std::size_t pos) : buffer_(&buffer), pos_(pos) {
  const std::int64_t vtable = static_cast<std::int64_t>(pos) - buffer.load<std::int32_t>(pos);
  if (vtable < 0 || static_cast<std::uint64_t>(vtable) > buffer.size()) {
    format_fail("table " + at_byte(pos) + " has its vtable outside the file");
  }
  vtable_ = static_cast<std::size_t>(vtable);
  vtable_size_ = buffer.load<std::uint16_t>(vtable_);
  table_size_ = buffer.load<std::uint16_t>(vtable_ + 2);
  // The vtable holds its two sizes and whole uint16 field slots; the table
  // holds at least its soffset.
  if (vtable_size_ < 4 || vtable_size_ % 2 != 0 || table_size_ < kOffsetSize) {
    format_fail("table " + at_byte(pos) + " has a malformed vtable (sizes " +
                std::to_string(vtable_size_) + ", " + std::to_string(table_size_) + ")");
  }
  buffer.check_range(vtable_, vtable_size_, "vtable");
  buffer.check_range(pos_, table_size_, "table");
}

std::uint16_t FbTable::field_offset(Field field) const {
  if (!present()) return 0;
  const std::size_t slot = 4 + 2 * static_cast<std::size_t>(field.id);
  return slot + 2 <= vtable_size_ ? buffer_->load<std::uint16_t>(vtable_ + slot) : 0;
}

std::size_t FbTable::field_pos(Field field, std::size_t size) const {
  const std::uint16_t offset = field_offset(field);
  if (offset == 0) return 0;
  // A field lies after the soffset and inside the table's inline bytes.
  if (offset < kOffsetSize || offset + size > table_size_) {
    format_fail(std::string("field '") + field.name + "' of table " + at_byte(pos_) +
                " lies outside the table");
  }
  return pos_ + offset;
}

FbTable FbTable::table(Field field) const {
  const std::size_t pos = field_pos(field, kOffsetSize);
  if (pos == 0) return {};
  return with_context(field.name, [&] { return FbTable(*buffer_, buffer_->follow(pos)); });
}

FbVector FbTable::vector(Field field, std::size_t element_size) const {
  const std::size_t pos = field_pos(field, kOffsetSize);
  if (pos == 0) return {};
  return with_context(field.name,
                      [&] { return FbVector(*buffer_, buffer_->follow(pos), element_size); });
}

std::string_view FbTable::string(Field field) const {
  const std::size_t pos = field_pos(field, kOffsetSize);
  if (pos == 0) return {};
  return with_context(field.name, [&] { return string_at(*buffer_, buffer_->follow(pos)); });
}

FbTable table_at(const FbVector& tables, std::size_t i) {
  tables.check_index(i);
  const FbBuffer& buffer = *tables.buffer();
  return FbTable(buffer, buffer.follow(tables.element_pos(i)));
}

std::string_view string_at(const FbBuffer& buffer, std::size_t pos) {
  const FbVector chars(buffer, pos, 1);
  // The terminating NUL is part of a well-formed string.
  buffer.check_range(chars.element_pos(chars.size()), 1, "string terminator");
  if (buffer.load<std::uint8_t>(chars.element_pos(chars.size())) != 0) {
    format_fail("string " + at_byte(pos) + " is not NUL-terminated");
  }
  const std::span<const std::byte> bytes = chars.bytes();
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace signprep::nn::detail
