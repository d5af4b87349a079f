#include "output/labels_csv.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "output/atomic_file.h"

namespace signprep::output {
namespace {

constexpr std::string_view kHeader = "file,gloss,cat,occluded";
constexpr std::string_view kHeaderWithoutOccluded = "file,gloss,cat";

// RFC 4180 quoting, as Python's csv module writes and reads it.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

// Splits CSV text into records (a newline inside quotes does not end one);
// record terminators are dropped.
std::vector<std::string> csv_records(const std::string& text) {
  std::vector<std::string> records;
  std::string current;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) {
      if (!current.empty()) records.push_back(std::move(current));
      current.clear();
      continue;
    }
    current += c;
  }
  if (!current.empty()) records.push_back(std::move(current));
  return records;
}

// A record's first field as written, quotes and the comma after it included
// ("" when there is no second field).
std::string first_field_as_written(const std::string& record) {
  bool quoted = false;
  for (std::size_t i = 0; i < record.size(); ++i) {
    if (record[i] == '"') quoted = !quoted;
    if (record[i] == ',' && !quoted) return record.substr(0, i + 1);
  }
  return {};
}

// The records already in `path`, migrated to the current header.
std::vector<std::string> existing_records(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::kOutput, "cannot read " + path.string());
  std::vector<std::string> records = csv_records(text.str());
  if (records.empty()) return {};
  if (records.front() == kHeaderWithoutOccluded) {
    for (std::string& record : records) record += ",0";
    records.front() = kHeader;
  } else if (records.front() != kHeader) {
    throw Error(ErrorKind::kOutput, "cannot append to " + path.string() + ": its header is '" +
                                        records.front() + "', expected '" + std::string(kHeader) +
                                        "'");
  }
  return records;
}

// Python's csv module reads CR, LF and CRLF alike as a record's end.
bool ends_record(char c) {
  return c == '\n' || c == '\r';
}

}  // namespace

void write_labels_csv(const std::filesystem::path& path, std::span<const LabelRow> rows,
                      bool append) {
  std::vector<std::string> records;
  if (append) records = existing_records(path);
  if (records.empty()) records.emplace_back(kHeader);
  // A file gets one row: a new row replaces an existing one of the same file
  // (a resumed or repeated run appends again).
  std::unordered_set<std::string> replaced;
  for (const LabelRow& row : rows) replaced.insert(csv_field(row.file) + ",");
  std::erase_if(records, [&](const std::string& record) {
    return replaced.contains(first_field_as_written(record));
  });
  for (const LabelRow& row : rows) {
    records.push_back(csv_field(row.file) + "," + std::to_string(row.gloss) + "," +
                      std::to_string(row.cat) + "," + (row.occluded ? "1" : "0"));
  }
  std::string text;
  for (const std::string& record : records) text += record + "\n";
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

std::vector<LabelRow> read_labels_csv(const std::filesystem::path& path) {
  const std::vector<std::vector<std::string>> records = read_csv_records(path);
  const std::vector<std::string> header = {"file", "gloss", "cat", "occluded"};
  const std::vector<std::string> older_header(header.begin(), header.begin() + 3);
  if (records.empty() || (records.front() != header && records.front() != older_header)) {
    throw Error(
        ErrorKind::kInput,
        path.string() + ": not a labels file (expected the header file,gloss,cat,occluded)");
  }
  const std::size_t fields = records.front().size();
  std::vector<LabelRow> rows;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const std::vector<std::string>& record = records[i];
    const auto fail = [&](const std::string& problem) {
      throw Error(ErrorKind::kInput,
                  path.string() + ": record " + std::to_string(i + 1) + ": " + problem);
    };
    if (record.size() != fields) fail(std::to_string(record.size()) + " fields");
    LabelRow row;
    row.file = record[0];
    const auto integer = [&](const std::string& text, const char* name) {
      std::int64_t value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        fail(std::string(name) + " '" + text + "' is not an integer");
      }
      return value;
    };
    row.gloss = integer(record[1], "gloss");
    row.cat = integer(record[2], "cat");
    if (fields == 4) {
      if (record[3] != "0" && record[3] != "1") fail("occluded '" + record[3] + "' is not 0 or 1");
      row.occluded = record[3] == "1";
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::vector<std::string>> read_csv_records(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kInput, path.string() + ": cannot open");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error(ErrorKind::kInput, path.string() + ": cannot read");
  const std::string text = buffer.str();

  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool record_started = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';  // a doubled quote stands for one
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
      record_started = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      record_started = true;
    } else if (ends_record(c)) {
      if (record_started) {
        fields.push_back(std::move(field));
        records.push_back(std::move(fields));
      }
      fields.clear();
      field.clear();
      record_started = false;
    } else {
      field += c;
      record_started = true;
    }
  }
  if (quoted) throw Error(ErrorKind::kInput, path.string() + ": a quoted field is not closed");
  if (record_started) {
    fields.push_back(std::move(field));
    records.push_back(std::move(fields));
  }
  return records;
}

}  // namespace signprep::output
