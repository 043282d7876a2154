// Files embedded into lmp-hub at build time by cmake/hub_assets.cmake: the store's static
// assets (src/hub/assets/: CSS, JS, icons) and the project's own Markdown for /docs.
#pragma once

#include <span>
#include <string_view>

namespace lmp::hub {

struct EmbeddedAsset {
  std::string_view name;     // "store.css"; for docs "README.md", "run.md", ...
  std::string_view content;  // the file's bytes
  std::string_view sha256;   // lowercase hex of content
};

std::span<const EmbeddedAsset> store_assets();  // src/hub/assets/*
std::span<const EmbeddedAsset> store_docs();    // README.md and docs/ pages shown at /docs

// By name; null when absent.
const EmbeddedAsset* find_store_asset(std::string_view name);
const EmbeddedAsset* find_store_doc(std::string_view name);

// "text/css; charset=utf-8" for store.css, ... by extension.
std::string_view asset_content_type(std::string_view name);

}  // namespace lmp::hub
