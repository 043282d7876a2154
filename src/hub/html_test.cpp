#include "hub/html.h"

#include <gtest/gtest.h>

namespace lmp::hub::html {
namespace {

TEST(HtmlTest, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(escape("plain text, ünïcode"), "plain text, ünïcode");
  EXPECT_EQ(escape(""), "");
}

TEST(HtmlTest, WriterEscapesValuesButNotLiterals) {
  Writer out;
  std::string name = "<img src=x onerror=alert(1)>";
  out << "<h1 title=\"" << name << "\">" << name << "</h1>" << std::int64_t{42} << Raw{"<b>ok</b>"};
  EXPECT_EQ(out.str(),
            "<h1 title=\"&lt;img src=x onerror=alert(1)&gt;\">&lt;img src=x "
            "onerror=alert(1)&gt;</h1>42<b>ok</b>");
}

TEST(HtmlTest, UrlEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(url_encode("tcp states/é?&=#"), "tcp%20states%2F%C3%A9%3F%26%3D%23");
  EXPECT_EQ(url_encode("a-b_c.d~e"), "a-b_c.d~e");
}

TEST(HtmlTest, SafeExternalUrlAllowsOnlyHttp) {
  EXPECT_EQ(safe_external_url("https://example.org/x?y=1"), "https://example.org/x?y=1");
  EXPECT_EQ(safe_external_url("HTTP://example.org"), "HTTP://example.org");
  EXPECT_EQ(safe_external_url("javascript:alert(1)"), "");
  EXPECT_EQ(safe_external_url(" https://example.org"), "");
  EXPECT_EQ(safe_external_url("https://exa mple.org"), "");
  EXPECT_EQ(safe_external_url("data:text/html,hi"), "");
  EXPECT_EQ(safe_external_url("https://"), "");
}

TEST(HtmlTest, FormatsCountsSizesAndDates) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_size(512), "512 B");
  EXPECT_EQ(format_size(1536), "1.5 KB");
  EXPECT_EQ(format_size(5 * 1024 * 1024), "5.0 MB");
  EXPECT_EQ(format_size(300 * 1024), "300 KB");
  EXPECT_EQ(format_date(0), "1970-01-01");
  EXPECT_EQ(format_day(20788), "2026-12-01");
  EXPECT_EQ(format_rfc3339(1796128800), "2026-12-01T12:40:00Z");
  EXPECT_EQ(format_ago(1000, 1030), "just now");
  EXPECT_EQ(format_ago(1000, 1000 + 120), "2 minutes ago");
  EXPECT_EQ(format_ago(1000, 1000 + 3600), "1 hour ago");
  EXPECT_EQ(format_ago(0, 3 * 86400), "3 days ago");
  EXPECT_EQ(format_ago(0, 90 * 86400), "1970-01-01");
}

TEST(HtmlTest, PageHasLayoutAndEscapedTitle) {
  Layout layout;
  layout.title = "<evil>";
  layout.search = "\"><script>";
  Viewer viewer;
  viewer.user = "alice";
  viewer.csrf_token = "tok";
  std::string page = render_page(layout, viewer, "<p>body</p>");
  EXPECT_NE(page.find("<!doctype html>"), std::string::npos);
  EXPECT_NE(page.find("<title>&lt;evil&gt; · lmp hub</title>"), std::string::npos);
  EXPECT_NE(page.find("value=\"&quot;&gt;&lt;script&gt;\""), std::string::npos);
  EXPECT_NE(page.find("<p>body</p>"), std::string::npos);
  EXPECT_NE(page.find("name=\"csrf_token\" value=\"tok\""), std::string::npos);
  EXPECT_NE(page.find("/static/store.css?v="), std::string::npos);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("style="), std::string::npos);
}

}  // namespace
}  // namespace lmp::hub::html
