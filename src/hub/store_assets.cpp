#include "hub/store_assets.h"

namespace lmp::hub {
namespace {

const EmbeddedAsset* find_in(std::span<const EmbeddedAsset> assets, std::string_view name) {
  for (const EmbeddedAsset& asset : assets) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

}  // namespace

const EmbeddedAsset* find_store_asset(std::string_view name) {
  return find_in(store_assets(), name);
}

const EmbeddedAsset* find_store_doc(std::string_view name) {
  return find_in(store_docs(), name);
}

std::string_view asset_content_type(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) { return name.ends_with(suffix); };
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".png")) return "image/png";
  if (ends_with(".md")) return "text/markdown; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace lmp::hub
