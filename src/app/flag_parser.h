// A small table-driven command-line parser: each flag is declared once with
// its help text and a function that stores its value, and --help is generated
// from the same table.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signprep::app {

class FlagParser {
 public:
  FlagParser(std::string usage, std::string description);

  // A flag without a value (--json).
  void add_switch(std::string name, std::string help, bool& target);
  // A flag with a value; `help` should mention the default.
  void add_value(std::string name, std::string value_name, std::string help, int& target);
  void add_value(std::string name, std::string value_name, std::string help, double& target);
  void add_value(std::string name, std::string value_name, std::string help, std::string& target);
  void add_value(std::string name, std::string value_name, std::string help,
                 std::optional<std::int64_t>& target);
  void add_value(std::string name, std::string value_name, std::string help,
                 std::optional<std::filesystem::path>& target);
  // A flag whose value `store` parses itself (throwing Error(kUsage) when it
  // is malformed); `value_name` empty makes it a switch.
  void add(std::string name, std::string value_name, std::string help,
           std::function<void(std::string_view)> store);

  // Parses argv (without the program name). Positional arguments are returned
  // in order; every argument after "--" is one. Throws Error(kUsage) on unknown
  // flags, missing, malformed or non-finite values. Returns std::nullopt when
  // --help was given (help already printed).
  std::optional<std::vector<std::string>> parse(const std::vector<std::string>& args) const;

  std::string help_text() const;

 private:
  struct Flag {
    std::string name;
    std::string value_name;  // empty for a switch
    std::string help;
    std::function<void(std::string_view)> store;
  };
  const Flag* find(std::string_view name) const;

  std::string usage_;
  std::string description_;
  std::vector<Flag> flags_;
};

}  // namespace signprep::app
