#include "app/flag_parser.h"

#include <charconv>
#include <cmath>
#include <iostream>

#include "core/error.h"

namespace signprep::app {
namespace {

template <typename Number>
Number parse_number(std::string_view flag, std::string_view text) {
  Number value{};
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || stop != end || text.empty()) {
    throw Error(ErrorKind::kUsage, std::string(flag) + ": '" + std::string(text) + "' is not a" +
                                       (std::is_integral_v<Number> ? "n integer" : " number"));
  }
  // from_chars reads "inf" and "nan": no option means them, and they would
  // reach the meta JSON, which has no way to write them.
  if constexpr (std::is_floating_point_v<Number>) {
    if (!std::isfinite(value)) {
      throw Error(ErrorKind::kUsage,
                  std::string(flag) + ": '" + std::string(text) + "' is not a finite number");
    }
  }
  return value;
}

}  // namespace

FlagParser::FlagParser(std::string usage, std::string description)
    : usage_(std::move(usage)), description_(std::move(description)) {}

void FlagParser::add(std::string name, std::string value_name, std::string help,
                     std::function<void(std::string_view)> store) {
  flags_.push_back({std::move(name), std::move(value_name), std::move(help), std::move(store)});
}

void FlagParser::add_switch(std::string name, std::string help, bool& target) {
  add(std::move(name), "", std::move(help), [&target](std::string_view) { target = true; });
}

void FlagParser::add_value(std::string name, std::string value_name, std::string help,
                           int& target) {
  add(name, std::move(value_name), std::move(help),
      [&target, name](std::string_view text) { target = parse_number<int>(name, text); });
}

void FlagParser::add_value(std::string name, std::string value_name, std::string help,
                           double& target) {
  add(name, std::move(value_name), std::move(help),
      [&target, name](std::string_view text) { target = parse_number<double>(name, text); });
}

void FlagParser::add_value(std::string name, std::string value_name, std::string help,
                           std::string& target) {
  add(std::move(name), std::move(value_name), std::move(help),
      [&target](std::string_view text) { target = std::string(text); });
}

void FlagParser::add_value(std::string name, std::string value_name, std::string help,
                           std::optional<std::int64_t>& target) {
  add(name, std::move(value_name), std::move(help),
      [&target, name](std::string_view text) { target = parse_number<std::int64_t>(name, text); });
}

void FlagParser::add_value(std::string name, std::string value_name, std::string help,
                           std::optional<std::filesystem::path>& target) {
  add(std::move(name), std::move(value_name), std::move(help),
      [&target](std::string_view text) { target = std::filesystem::path(text); });
}

const FlagParser::Flag* FlagParser::find(std::string_view name) const {
  for (const Flag& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

std::optional<std::vector<std::string>> FlagParser::parse(
    const std::vector<std::string>& args) const {
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      // The end of the options, as getopt and argparse take it: what follows
      // is positional even when it starts with '-' (a file named -x.mp4).
      positional.insert(positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                        args.end());
      break;
    }
    if (arg == "-h" || arg == "--help") {
      std::cout << help_text();
      return std::nullopt;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
      continue;
    }
    // Both "--flag value" and "--flag=value" are accepted, as argparse does.
    const std::size_t equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    const Flag* flag = find(name);
    if (flag == nullptr) {
      throw Error(ErrorKind::kUsage, "unknown option " + name + " (see --help)");
    }
    if (flag->value_name.empty()) {
      if (equals != std::string::npos) {
        throw Error(ErrorKind::kUsage, name + " takes no value");
      }
      flag->store({});
    } else if (equals != std::string::npos) {
      flag->store(std::string_view(arg).substr(equals + 1));
    } else if (i + 1 < args.size()) {
      flag->store(args[++i]);
    } else {
      throw Error(ErrorKind::kUsage, name + " needs a value (" + flag->value_name + ")");
    }
  }
  return positional;
}

std::string FlagParser::help_text() const {
  std::string text = "usage: " + usage_ + "\n\n" + description_ + "\n\noptions:\n";
  for (const Flag& flag : flags_) {
    std::string left = "  " + flag.name + (flag.value_name.empty() ? "" : " " + flag.value_name);
    if (left.size() < 28) {
      left.resize(28, ' ');
    } else {
      left += "\n" + std::string(28, ' ');
    }
    text += left + flag.help + "\n";
  }
  return text + "  -h, --help                show this help and exit\n";
}

}  // namespace signprep::app
