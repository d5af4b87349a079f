// A tiny FlatBuffer writer for tests, independent of the reader's views:
// describe tables, vectors and strings as a tree of Nodes, then serialize()
// lays them out front to back (parents before children, so every uoffset
// points forward, as the format requires) with each vtable just before its
// table. Enough to write small .tflite models whose every field a test
// chooses, including broken ones.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace signprep::test {

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  enum class Kind { kTable, kScalarVector, kNodeVector, kString };
  Kind kind = Kind::kTable;
  // kTable: scalar fields (id, little-endian bytes) and reference fields.
  std::vector<std::pair<int, std::vector<std::byte>>> scalars;
  std::vector<std::pair<int, NodePtr>> refs;
  // kScalarVector: element count and the elements' bytes.
  std::uint32_t count = 0;
  std::vector<std::byte> bytes;
  std::vector<NodePtr> elements;  // kNodeVector: tables or strings
  std::string text;               // kString
};

template <class T>
std::vector<std::byte> le_bytes(T value) {
  std::vector<std::byte> out(sizeof(T));
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

// Builds a table node: Table().scalar<std::int32_t>(1, 7).ref(2, child).
class Table {
 public:
  template <class T>
  Table& scalar(int id, T value) {
    node_->scalars.emplace_back(id, le_bytes(value));
    return *this;
  }
  Table& ref(int id, NodePtr child) {
    node_->refs.emplace_back(id, std::move(child));
    return *this;
  }
  operator NodePtr() const { return node_; }

 private:
  std::shared_ptr<Node> node_ = std::make_shared<Node>();
};

template <class T>
NodePtr vec(const std::vector<T>& values) {
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::kScalarVector;
  node->count = static_cast<std::uint32_t>(values.size());
  for (const T& v : values) {
    const auto b = le_bytes(v);
    node->bytes.insert(node->bytes.end(), b.begin(), b.end());
  }
  return node;
}

inline NodePtr vec_raw(std::vector<std::byte> bytes) {
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::kScalarVector;
  node->count = static_cast<std::uint32_t>(bytes.size());
  node->bytes = std::move(bytes);
  return node;
}

inline NodePtr tables(std::vector<NodePtr> elements) {
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::kNodeVector;
  node->elements = std::move(elements);
  return node;
}

inline NodePtr str(std::string text) {
  auto node = std::make_shared<Node>();
  node->kind = Node::Kind::kString;
  node->text = std::move(text);
  return node;
}

class FlatBufferWriter {
 public:
  // Root uoffset, the file identifier, then the tree.
  std::vector<std::byte> finish(const NodePtr& root, const char identifier[4]) {
    out_.assign(8, std::byte{0});
    std::memcpy(out_.data() + 4, identifier, 4);
    link(0, write(*root));
    return std::move(out_);
  }

 private:
  std::size_t alloc(std::size_t size, std::size_t align) {
    while (out_.size() % align != 0) out_.push_back(std::byte{0});
    const std::size_t pos = out_.size();
    out_.resize(pos + size);
    return pos;
  }
  template <class T>
  void put(std::size_t pos, T value) {
    std::memcpy(out_.data() + pos, &value, sizeof(T));
  }
  void link(std::size_t slot, std::size_t target) {
    put<std::uint32_t>(slot, static_cast<std::uint32_t>(target - slot));
  }

  std::size_t write(const Node& node) {
    switch (node.kind) {
      case Node::Kind::kTable:
        return write_table(node);
      case Node::Kind::kScalarVector: {
        const std::size_t pos = alloc(4 + node.bytes.size(), 8);
        put(pos, node.count);
        if (!node.bytes.empty())
          std::memcpy(out_.data() + pos + 4, node.bytes.data(), node.bytes.size());
        return pos;
      }
      case Node::Kind::kString: {
        const std::size_t pos = alloc(4 + node.text.size() + 1, 4);
        put(pos, static_cast<std::uint32_t>(node.text.size()));
        std::memcpy(out_.data() + pos + 4, node.text.data(), node.text.size());
        return pos;
      }
      case Node::Kind::kNodeVector: {
        const std::size_t pos = alloc(4 + 4 * node.elements.size(), 4);
        put(pos, static_cast<std::uint32_t>(node.elements.size()));
        for (std::size_t i = 0; i < node.elements.size(); ++i) {
          link(pos + 4 + 4 * i, write(*node.elements[i]));
        }
        return pos;
      }
    }
    return 0;
  }

  // vtable, then the table: soffset, then every field in its own 8-byte slot
  // (simple, and aligned for any scalar).
  std::size_t write_table(const Node& node) {
    int max_id = -1;
    for (const auto& [id, bytes] : node.scalars) max_id = std::max(max_id, id);
    for (const auto& [id, child] : node.refs) max_id = std::max(max_id, id);
    const std::size_t fields = node.scalars.size() + node.refs.size();
    const std::size_t vtable_size = 4 + 2 * static_cast<std::size_t>(max_id + 1);
    const std::size_t table_size = 8 + 8 * fields;
    const std::size_t vtable = alloc(vtable_size, 2);
    const std::size_t table = alloc(table_size, 8);
    put<std::uint16_t>(vtable, static_cast<std::uint16_t>(vtable_size));
    put<std::uint16_t>(vtable + 2, static_cast<std::uint16_t>(table_size));
    put<std::int32_t>(table, static_cast<std::int32_t>(table - vtable));
    std::size_t slot = 8;
    for (const auto& [id, bytes] : node.scalars) {
      put<std::uint16_t>(vtable + 4 + 2 * static_cast<std::size_t>(id),
                         static_cast<std::uint16_t>(slot));
      std::memcpy(out_.data() + table + slot, bytes.data(), bytes.size());
      slot += 8;
    }
    std::vector<std::pair<std::size_t, const Node*>> pending;
    for (const auto& [id, child] : node.refs) {
      put<std::uint16_t>(vtable + 4 + 2 * static_cast<std::size_t>(id),
                         static_cast<std::uint16_t>(slot));
      pending.emplace_back(table + slot, child.get());
      slot += 8;
    }
    for (const auto& [field, child] : pending) link(field, write(*child));
    return table;
  }

  std::vector<std::byte> out_;
};

}  // namespace signprep::test
