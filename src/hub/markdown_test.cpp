#include "hub/markdown.h"

#include <gtest/gtest.h>

namespace lmp::hub {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(MarkdownTest, RendersGithubExtensions) {
  std::string html = render_markdown(
      "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ and https://example.org\n\n"
      "- [x] done\n- [ ] todo\n\n```c\nint x;\n```\n");
  EXPECT_TRUE(contains(html, "<h1>Title</h1>"));
  EXPECT_TRUE(contains(html, "<table>"));
  EXPECT_TRUE(contains(html, "<td>1</td>"));
  EXPECT_TRUE(contains(html, "<del>old</del>"));
  EXPECT_TRUE(contains(html, "<a href=\"https://example.org\">"));
  EXPECT_TRUE(contains(html, "type=\"checkbox\""));
  EXPECT_TRUE(contains(html, "<code class=\"language-c\">int x;"));
}

TEST(MarkdownTest, DropsRawHtmlAndDangerousLinks) {
  std::string html = render_markdown(
      "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
      "text <b onclick=\"x()\">bold</b> <!-- comment --> end\n\n"
      "[click](javascript:alert(1)) [v](vbscript:x) ![i](javascript:alert(2))\n\n"
      "<a href=\"javascript:alert(3)\">a</a>\n\n[ok](https://example.org)\n");
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "onerror"));
  EXPECT_FALSE(contains(html, "onclick"));
  EXPECT_FALSE(contains(html, "javascript:"));
  EXPECT_FALSE(contains(html, "vbscript:"));
  EXPECT_FALSE(contains(html, "<b"));
  EXPECT_FALSE(contains(html, "<!-- comment"));
  EXPECT_TRUE(contains(html, "<a href=\"https://example.org\">ok</a>"));
  EXPECT_TRUE(contains(html, "raw HTML omitted"));
}

TEST(MarkdownTest, EscapesTextAndCode) {
  std::string html = render_markdown("a < b & \"c\"\n\n    <script>x</script>\n");
  EXPECT_TRUE(contains(html, "a &lt; b &amp; &quot;c&quot;"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;x&lt;/script&gt;"));
}

TEST(MarkdownTest, StripsFrontMatter) {
  EXPECT_EQ(strip_front_matter("---\nsummary: x\n---\n# Hi\n"), "# Hi\n");
  EXPECT_EQ(strip_front_matter("---\r\nsummary: x\r\n...\r\nbody"), "body");
  EXPECT_EQ(strip_front_matter("# No front matter\n---\n"), "# No front matter\n---\n");
  EXPECT_EQ(strip_front_matter("---\nnever closed\n"), "---\nnever closed\n");
  std::string html = render_markdown("---\nsummary: secret\n---\n# Hi\n");
  EXPECT_FALSE(contains(html, "summary"));
  EXPECT_TRUE(contains(html, "<h1>Hi</h1>"));
}

TEST(MarkdownTest, ShiftsHeadingsAndRewritesLinks) {
  MarkdownOptions options;
  options.heading_offset = 1;
  options.rewrite_link = [](std::string_view url) {
    return url == "run.md" ? std::string("/docs/run") : std::string(url);
  };
  std::string html = render_markdown("# A\n###### F\n[run](run.md) [x](javascript:x)\n", options);
  EXPECT_TRUE(contains(html, "<h2>A</h2>"));
  EXPECT_TRUE(contains(html, "<h6>F</h6>"));
  EXPECT_TRUE(contains(html, "<a href=\"/docs/run\">run</a>"));
  EXPECT_FALSE(contains(html, "javascript:"));
}

TEST(MarkdownTest, AcceptsAnyBytes) {
  constexpr char kGarbage[] = "\0\xff\xfe[](<>)**_`";
  std::string garbage(kGarbage, sizeof kGarbage - 1);
  EXPECT_NO_FATAL_FAILURE(render_markdown(garbage));
  EXPECT_EQ(render_markdown(""), "");
}

}  // namespace
}  // namespace lmp::hub
