#include "content_rules.hpp"

#include <nlohmann/json.hpp>

namespace weft::webview {

namespace {

nlohmann::json block_everything() {
  return {{"trigger", {{"url-filter", ".*"}}}, {"action", {{"type", "block"}}}};
}

nlohmann::json allow(std::string filter) {
  return {{"trigger", {{"url-filter", std::move(filter)}}}, {"action", {{"type", "ignore-previous-rules"}}}};
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

}  // namespace

std::string regex_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string app_content_rules(std::string_view app_id) {
  nlohmann::json rules = nlohmann::json::array();
  rules.push_back(block_everything());
  rules.push_back(allow("^weft-app://" + regex_escape(app_id) + "/"));
  rules.push_back(allow("^data:"));
  rules.push_back(allow("^blob:"));
  rules.push_back(allow("^about:blank$"));
  return rules.dump();
}

std::string system_content_rules(std::string_view page_dir) {
  nlohmann::json rules = nlohmann::json::array();
  rules.push_back(block_everything());
  rules.push_back(allow("^file://" + regex_escape(page_dir) + "/"));
  rules.push_back(allow("^weft-system:"));
  rules.push_back(allow("^data:"));
  rules.push_back(allow("^blob:"));
  rules.push_back(allow("^about:blank$"));
  rules.push_back(allow("^ws://127\\.0\\.0\\.1:[0-9]+/"));
  return rules.dump();
}

bool app_navigation_allowed(std::string_view app_id, std::string_view uri) {
  std::string prefix = "weft-app://" + std::string(app_id) + "/";
  return starts_with(uri, prefix) || uri == "about:blank";
}

bool system_navigation_allowed(std::string_view page_dir, std::string_view uri) {
  std::string prefix = "file://" + std::string(page_dir) + "/";
  if (!starts_with(uri, prefix)) return false;
  return std::string_view(uri).substr(prefix.size()).find("..") == std::string_view::npos;
}

}  // namespace weft::webview
