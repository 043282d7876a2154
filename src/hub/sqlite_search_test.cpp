#include <gtest/gtest.h>

#include <algorithm>

#include "hub/sqlite_storage.h"
#include "hub/sqlite_test_util.h"

namespace lmp::hub {
namespace {

using testing::make_version;
using testing::VersionSpec;

std::vector<std::string> names(const PackagePage& page) {
  std::vector<std::string> out;
  for (const auto& p : page.packages) out.push_back(p.name);
  return out;
}

TEST(SqliteFtsQueryTest, QuotesEveryWordAsPrefix) {
  EXPECT_EQ(fts5_prefix_query("tcp"), "\"tcp\"*");
  EXPECT_EQ(fts5_prefix_query("  tcp   latency "), "\"tcp\"* \"latency\"*");
  EXPECT_EQ(fts5_prefix_query("a\"b"), "\"a\"\"b\"*");
  EXPECT_EQ(fts5_prefix_query("NEAR(a b)"), "\"NEAR(a\"* \"b)\"*");
  EXPECT_EQ(fts5_prefix_query("-- * \" ( ) :"), "");
  EXPECT_EQ(fts5_prefix_query(""), "");
  EXPECT_EQ(fts5_prefix_query("größe"), "\"größe\"*");
}

class SqliteSearchTest : public testing::StorageFixture {
 protected:
  void SetUp() override {
    StorageFixture::SetUp();
    VersionSpec tcp;
    tcp.description = "count connections";
    tcp.published = 300;
    publish_ok(make_version("tcp", "1.0.0", tcp), alice_);

    VersionSpec connect;
    connect.description = "trace connect calls";
    connect.published = 200;
    connect.program_types = {"kprobe", "tracepoint"};
    publish_ok(make_version("tcpconnect", "1.0.0", connect), alice_);

    VersionSpec snoop;
    snoop.description = "trace open() calls; tcp tcp tcp is not its business";
    snoop.tags = {"files", "tcp"};
    snoop.category = "files";
    snoop.program_types = {"tracepoint"};
    snoop.readme = "opensnoop shows every file opened, with the tcp of it";
    snoop.published = 100;
    publish_ok(make_version("opensnoop", "1.0.0", snoop), bob_);

    VersionSpec bio;
    bio.description = "block I/O latency histogram";
    bio.category = "disk";
    bio.published = 400;
    bio.files = {{"package.json", testing::fake_sha('p'), 1}};
    publish_ok(make_version("biolatency", "0.1.0", bio), bob_);

    ASSERT_TRUE(storage_->add_downloads({{"opensnoop", "1.0.0", 10, 50},
                                         {"biolatency", "0.1.0", 10, 20},
                                         {"tcpconnect", "1.0.0", 10, 5}}));
  }

  PackagePage search(PackageQuery query) {
    auto page = storage_->list_packages(query, 10);
    EXPECT_TRUE(page) << page.error().message;
    return page ? *page : PackagePage{};
  }
};

TEST_F(SqliteSearchTest, ExactNameFirstThenPrefixThenRank) {
  auto page = search({.text = "tcp"});
  EXPECT_EQ(page.total, 3);
  EXPECT_EQ(names(page), (std::vector<std::string>{"tcp", "tcpconnect", "opensnoop"}));
  // Case and surrounding space do not matter.
  EXPECT_EQ(names(search({.text = "  TCP "})).at(0), "tcp");
}

TEST_F(SqliteSearchTest, NameSubstringIsFound) {
  auto page = search({.text = "snoop"});
  EXPECT_EQ(page.total, 1);
  EXPECT_EQ(names(page), std::vector<std::string>{"opensnoop"});
  EXPECT_EQ(names(search({.text = "latency"})), std::vector<std::string>{"biolatency"});
}

TEST_F(SqliteSearchTest, WordsArePrefixesAndAllMustMatch) {
  EXPECT_EQ(names(search({.text = "histo"})), std::vector<std::string>{"biolatency"});
  auto both = names(search({.text = "trace calls"}));
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<std::string>{"opensnoop", "tcpconnect"}));
  EXPECT_EQ(search({.text = "trace histogram"}).total, 0);
}

TEST_F(SqliteSearchTest, QuerySyntaxIsNeverInterpreted) {
  for (const char* text :
       {"\"", "*", "tcp OR disk", "NEAR(tcp latency)", "-tcp", "name:tcp", "(", ")", "'", "tcp\"",
        "^tcp", "tcp AND", "{name}: x", "\\", "%", "_", "%%", "a%", "!!!"}) {
    auto page = storage_->list_packages({.text = text}, 10);
    ASSERT_TRUE(page) << text << ": " << page.error().message;
    EXPECT_LE(page->total, 4) << text;
  }
  // LIKE wildcards are literal: "%" and "_" match no name.
  EXPECT_EQ(search({.text = "%"}).total, 0);
  EXPECT_EQ(search({.text = "_"}).total, 0);
  EXPECT_EQ(search({.text = "!!!"}).total, 0);
  // "OR" is a word like any other: no package has it.
  EXPECT_EQ(search({.text = "tcp OR disk"}).total, 0);
}

TEST_F(SqliteSearchTest, NoMatchIsAnEmptyPage) {
  auto page = search({.text = "zzzz"});
  EXPECT_EQ(page.total, 0);
  EXPECT_TRUE(page.packages.empty());
}

TEST_F(SqliteSearchTest, Filters) {
  EXPECT_EQ(names(search({.category = "files"})), std::vector<std::string>{"opensnoop"});
  EXPECT_EQ(names(search({.program_type = "tracepoint", .sort = SortOrder::kName})),
            (std::vector<std::string>{"opensnoop", "tcpconnect"}));
  EXPECT_EQ(names(search({.owner = "bob", .sort = SortOrder::kName})),
            (std::vector<std::string>{"biolatency", "opensnoop"}));
  EXPECT_EQ(names(search({.text = "tcp", .owner = "alice"})),
            (std::vector<std::string>{"tcp", "tcpconnect"}));
  EXPECT_EQ(search({.owner = "nobody"}).total, 0);
}

TEST_F(SqliteSearchTest, SortOrders) {
  // Without text, relevance means downloads.
  EXPECT_EQ(names(search({})),
            (std::vector<std::string>{"opensnoop", "biolatency", "tcpconnect", "tcp"}));
  EXPECT_EQ(names(search({.sort = SortOrder::kDownloads})),
            (std::vector<std::string>{"opensnoop", "biolatency", "tcpconnect", "tcp"}));
  EXPECT_EQ(names(search({.sort = SortOrder::kUpdated})),
            (std::vector<std::string>{"biolatency", "tcp", "tcpconnect", "opensnoop"}));
  EXPECT_EQ(names(search({.sort = SortOrder::kName})),
            (std::vector<std::string>{"biolatency", "opensnoop", "tcp", "tcpconnect"}));
}

TEST_F(SqliteSearchTest, Paging) {
  auto first = search({.sort = SortOrder::kName, .page = 1, .per_page = 3});
  EXPECT_EQ(first.total, 4);
  EXPECT_EQ(names(first), (std::vector<std::string>{"biolatency", "opensnoop", "tcp"}));
  auto second = search({.sort = SortOrder::kName, .page = 2, .per_page = 3});
  EXPECT_EQ(second.total, 4);
  EXPECT_EQ(names(second), std::vector<std::string>{"tcpconnect"});
  auto beyond = search({.sort = SortOrder::kName, .page = 9, .per_page = 3});
  EXPECT_EQ(beyond.total, 4);
  EXPECT_TRUE(beyond.packages.empty());
  // Out-of-range paging is clamped, not an error.
  EXPECT_EQ(search({.page = 0, .per_page = 0}).packages.size(), 1u);
  EXPECT_EQ(search({.page = -5, .per_page = 1000}).packages.size(), 4u);
}

TEST_F(SqliteSearchTest, SummaryFields) {
  auto page = search({.text = "biolatency"});
  ASSERT_EQ(page.packages.size(), 1u);
  const auto& s = page.packages[0];
  EXPECT_EQ(s.latest, "0.1.0");
  EXPECT_EQ(s.description, "block I/O latency histogram");
  EXPECT_EQ(s.summary, "summary of biolatency");
  EXPECT_EQ(s.category, "disk");
  EXPECT_EQ(s.program_types, std::vector<std::string>{"kprobe"});
  EXPECT_TRUE(s.has_package_json);
  EXPECT_FALSE(s.has_app_wasm);
  EXPECT_EQ(s.updated, 400);
  EXPECT_EQ(s.downloads, 20);
  EXPECT_EQ(s.downloads_30d, 20);  // day 10 is "today" in search()
  EXPECT_EQ(storage_->list_packages({.text = "biolatency"}, 40)->packages.at(0).downloads_30d, 0);
}

TEST_F(SqliteSearchTest, SearchFollowsTheLatestVersion) {
  VersionSpec renamed;
  renamed.description = "now about quokkas";
  publish_ok(make_version("tcp", "2.0.0", renamed), alice_);
  EXPECT_EQ(names(search({.text = "quokkas"})), std::vector<std::string>{"tcp"});
  EXPECT_EQ(search({.text = "connections"}).total, 0);
  ASSERT_TRUE(storage_->set_yanked("tcp", "2.0.0", true));
  EXPECT_EQ(search({.text = "quokkas"}).total, 0);
  EXPECT_EQ(names(search({.text = "connections"})), std::vector<std::string>{"tcp"});
}

TEST_F(SqliteSearchTest, CategoriesAndProgramTypes) {
  auto categories = storage_->categories();
  ASSERT_TRUE(categories);
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  EXPECT_EQ(*categories, (Counts{{"disk", 1}, {"files", 1}, {"networking", 2}}));
  auto types = storage_->program_types();
  ASSERT_TRUE(types);
  EXPECT_EQ(*types, (Counts{{"kprobe", 3}, {"tracepoint", 2}}));
}

}  // namespace
}  // namespace lmp::hub
