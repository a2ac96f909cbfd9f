#pragma once
// The fixture app (tests/webview/fixtures/app) opened as an app page with one 320×240 view, as the app shell opens an
// app's ui/: the tests that load it (views, media, network reach) differ only in the package they prepare.

#include <filesystem>
#include <memory>

#include "app_page.hpp"
#include "weft/core/result.hpp"

namespace weft::test {

struct FixturePage {
  std::unique_ptr<webview::AppPage> page;
  std::unique_ptr<webview::WebView> view;
};

/// Opens `package`/ui/index.html as session `session_id` of org.weft.test.fixture, with its cache in `cache`.
[[nodiscard]] inline Result<FixturePage> open_fixture_page(const std::filesystem::path& package,
                                                          const std::filesystem::path& cache, uint64_t session_id) {
  WEFT_TRY(auto page, webview::AppPage::create({.app_id = "org.weft.test.fixture",
                                        .session_id = session_id,
                                        .entry_path = (package / "ui" / "index.html").string(),
                                        .ui_kit_path = "",
                                        .cache_dir = cache.string()}));
  WEFT_TRY(auto view, page->create_view(320, 240));
  return FixturePage{std::move(page), std::move(view)};
}

}  // namespace weft::test
