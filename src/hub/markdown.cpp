#include "hub/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

#include <cstdlib>
#include <memory>
#include <mutex>

namespace lmp::hub {
namespace {

struct ParserDeleter {
  void operator()(cmark_parser* parser) const { cmark_parser_free(parser); }
};
struct NodeDeleter {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct IterDeleter {
  void operator()(cmark_iter* iter) const { cmark_iter_free(iter); }
};
struct CharDeleter {
  void operator()(char* text) const { std::free(text); }
};

using ParserPtr = std::unique_ptr<cmark_parser, ParserDeleter>;
using NodePtr = std::unique_ptr<cmark_node, NodeDeleter>;
using IterPtr = std::unique_ptr<cmark_iter, IterDeleter>;
using CharPtr = std::unique_ptr<char, CharDeleter>;

constexpr const char* kExtensions[] = {"table", "autolink", "strikethrough", "tasklist"};

// Removes one line (with its line ending) from the front of `text`; returns the line.
std::string_view take_line(std::string_view& text) {
  std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

std::string_view trim_right(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line;
}

void adjust_tree(cmark_node* root, const MarkdownOptions& options) {
  IterPtr iter(cmark_iter_new(root));
  cmark_event_type event;
  while ((event = cmark_iter_next(iter.get())) != CMARK_EVENT_DONE) {
    if (event != CMARK_EVENT_ENTER) continue;
    cmark_node* node = cmark_iter_get_node(iter.get());
    cmark_node_type type = cmark_node_get_type(node);
    if (type == CMARK_NODE_HEADING && options.heading_offset > 0) {
      int level = cmark_node_get_heading_level(node) + options.heading_offset;
      cmark_node_set_heading_level(node, level > 6 ? 6 : level);
    } else if (type == CMARK_NODE_LINK && options.rewrite_link) {
      const char* url = cmark_node_get_url(node);
      std::string rewritten = options.rewrite_link(url ? url : "");
      cmark_node_set_url(node, rewritten.c_str());
    }
  }
}

}  // namespace

std::string_view strip_front_matter(std::string_view markdown) {
  std::string_view rest = markdown;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // UTF-8 byte order mark
  if (trim_right(take_line(rest)) != "---") return markdown;
  while (!rest.empty()) {
    std::string_view line = trim_right(take_line(rest));
    if (line == "---" || line == "...") return rest;
  }
  return markdown;  // not closed: not front matter
}

std::string render_markdown(std::string_view markdown, const MarkdownOptions& options) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });

  std::string_view text = strip_front_matter(markdown);
  ParserPtr parser(cmark_parser_new(CMARK_OPT_DEFAULT));
  for (const char* name : kExtensions) {
    if (cmark_syntax_extension* extension = cmark_find_syntax_extension(name)) {
      cmark_parser_attach_syntax_extension(parser.get(), extension);
    }
  }
  cmark_parser_feed(parser.get(), text.data(), text.size());
  NodePtr document(cmark_parser_finish(parser.get()));
  if (!document) return {};
  adjust_tree(document.get(), options);
  CharPtr html(cmark_render_html(document.get(), CMARK_OPT_DEFAULT,
                                 cmark_parser_get_syntax_extensions(parser.get())));
  return html ? std::string(html.get()) : std::string();
}

}  // namespace lmp::hub
