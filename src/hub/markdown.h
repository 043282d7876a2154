// README and docs Markdown to HTML with cmark-gfm (tables, autolinks, strikethrough, task
// lists). Safe for untrusted input: raw HTML is dropped and links or images with
// javascript:, vbscript:, file: or data: (but raster data: images) URLs lose their URL —
// cmark's default, never CMARK_OPT_UNSAFE. The result is meant to sit inside a page, so it
// is escaped HTML with no scripts, styles or event attributes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace lmp::hub {

struct MarkdownOptions {
  // Added to every heading level (capped at 6), so a README's "# Title" can sit below the
  // page's own <h1>.
  int heading_offset = 0;
  // Called with every link URL; returns the URL to use (e.g. "run.md" -> "/docs/run").
  std::function<std::string(std::string_view url)> rewrite_link;
};

// Drops a leading YAML front matter block ("---" line, ..., "---" or "..." line).
std::string_view strip_front_matter(std::string_view markdown);

// Front matter is stripped first. Never fails: any text is valid Markdown.
std::string render_markdown(std::string_view markdown, const MarkdownOptions& options = {});

}  // namespace lmp::hub
