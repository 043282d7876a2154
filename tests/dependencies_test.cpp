// Dependencies against a real static repository on loopback: `lmp repo build` of small
// packages whose config.json files depend on each other, then `lmp lock`, `lmp pull` of the
// graph, `lmp info`'s tree, resolution from lmp.lock with the repository gone, and the
// errors (cycle, conflict, tampered or broken lock). Runs the real lmp binary with LMP_HOME
// in a temp dir; no root needed.
#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Serves DIR over HTTP on a loopback port until destroyed.
class StaticServer {
 public:
  explicit StaticServer(fs::path root) : root_(std::move(root)) {
    server_.Get(R"(/(.*))", [this](const httplib::Request& req, httplib::Response& res) {
      std::string path = req.matches[1];
      fs::path file = root_ / path;
      if (path.find("..") != std::string::npos || !fs::is_regular_file(file)) {
        res.status = 404;
        return;
      }
      res.set_content(slurp(file), "application/octet-stream");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~StaticServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  fs::path root_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// The one line an error prints, and that it is the only "error:" line.
std::string error_line(const Outcome& o) {
  std::size_t at = o.err.find("error: ");
  EXPECT_NE(at, std::string::npos) << o.err;
  if (at == std::string::npos) return "";
  EXPECT_EQ(o.err.find("error: ", at + 1), std::string::npos) << o.err;
  std::string line = o.err.substr(at);
  EXPECT_EQ(line.find('\n'), line.size() - 1) << o.err;
  return line;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    out.push_back(text.substr(at, end - at));
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

class DependenciesTest : public ::testing::Test {
 protected:
  // A real package.json (lmp info reads its programs): the catalog's sigsnoop.
  static fs::path sample_package() {
    return fs::path(LMP_BINARY).parent_path() / "catalog-packages/sigsnoop/package.json";
  }

  // SRC/DIR holding a copy of the sample package and a config.json NAME VERSION DEPS.
  void add(const std::string& dir, const std::string& name, const std::string& version,
           const nlohmann::json& deps = nlohmann::json::object()) {
    fs::path at = dir_.path() / "src" / dir;
    fs::create_directories(at);
    fs::copy_file(sample_package(), at / "package.json", fs::copy_options::overwrite_existing);
    nlohmann::json config = {{"name", name},
                             {"version", version},
                             {"author", "tester"},
                             {"description", "a dependency test package"}};
    if (!deps.empty()) config["dependencies"] = deps;
    spit(at / "config.json", config.dump());
  }

  void SetUp() override {
    ASSERT_TRUE(fs::exists(sample_package())) << "build the catalog first";
    for (const char* v : {"1.0.0", "1.2.0", "1.2.5", "2.0.0"})
      add(std::string("base-") + v, "base", v);
    add("left", "left", "1.0.0", {{"base", "^1.0"}});
    add("right", "right", "1.0.0", {{"base", "~1.2"}});
    add("cyca", "cyca", "1.0.0", {{"cycb", "*"}});
    add("cycb", "cycb", "1.0.0", {{"cyca", "^1"}});
    add("wants1", "wants1", "1.0.0", {{"base", "^1"}});
    add("wants2", "wants2", "1.0.0", {{"base", "^2"}});
    Outcome built = run_lmp({"repo", "build", (dir_.path() / "src").string(), repo().string()});
    ASSERT_EQ(built.exit_code, 0) << built.err;
    server_ = std::make_unique<StaticServer>(repo());
    project({{"left", "^1"}, {"right", {{"version", "1.0.0"}}}});
  }

  // The project directory ./app: a built package whose config.json has `deps`.
  void project(const nlohmann::json& deps) {
    fs::create_directories(app());
    fs::copy_file(sample_package(), app() / "package.json", fs::copy_options::overwrite_existing);
    spit(app() / "config.json", nlohmann::json({{"name", "app"},
                                                {"version", "0.1.0"},
                                                {"author", "tester"},
                                                {"description", "the root"},
                                                {"dependencies", deps}})
                                    .dump());
  }

  Outcome lmp(const std::vector<std::string>& args) {
    RunOptions options;
    options.timeout = 60s;
    options.cwd = dir_.path();
    std::string url = server_ ? server_->url() : "http://127.0.0.1:9";
    options.env = {"LMP_HOME=" + home().string(), "LMP_REPOSITORY=" + url, "LMP_HTTP_RETRIES=0",
                   "LMP_HTTP_TIMEOUT_MS=2000"};
    return run_lmp(args, options);
  }

  fs::path home() const { return dir_.path() / "home"; }
  fs::path repo() const { return dir_.path() / "repo"; }
  fs::path app() const { return dir_.path() / "app"; }
  nlohmann::json lock_json() { return nlohmann::json::parse(slurp(app() / "lmp.lock")); }

  TempDir dir_;
  std::unique_ptr<StaticServer> server_;
};

TEST_F(DependenciesTest, LockPullAndInfo) {
  Outcome o = lmp({"lock", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out,
            "left ^1 -> 1.0.0\n  base ^1.0 -> 1.2.5\nright 1.0.0 -> 1.0.0\n  base ~1.2 -> 1.2.5\n");
  auto lock = lock_json();
  EXPECT_EQ(lock["root"], "app");
  ASSERT_EQ(lock["packages"].size(), 3u);
  const auto& base = lock["packages"][0];
  EXPECT_EQ(base["name"], "base");
  EXPECT_EQ(base["version"], "1.2.5");
  EXPECT_EQ(base["from"], "repository");
  EXPECT_EQ(base["source"], server_->url());
  EXPECT_EQ(base["file"], "package.json");
  EXPECT_EQ(base["required_by"], nlohmann::json({"left", "right"}));
  EXPECT_EQ(lock["packages"][1]["required_by"], nlohmann::json({"app"}));

  o = lmp({"pull", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto paths = lines(o.out);
  ASSERT_EQ(paths.size(), 3u) << o.out;
  for (const auto& p : paths) EXPECT_TRUE(fs::is_regular_file(p)) << p;
  EXPECT_NE(paths[0].find("/base/1.2.5/"), std::string::npos) << paths[0];
  EXPECT_EQ(nlohmann::json::parse(lmp({"list", "--json"}).out).size(), 3u);

  o = lmp({"info", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("dependencies: (lmp.lock)\n  left ^1 -> 1.0.0\n    base ^1.0 -> 1.2.5\n"),
            std::string::npos)
      << o.out;

  // A package that only depends on others: its config.json and the tree.
  fs::remove(app() / "package.json");
  o = lmp({"info", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("name:        app\n"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("  right 1.0.0 -> 1.0.0\n    base ~1.2 -> 1.2.5\n"), std::string::npos)
      << o.out;

  // A name from the repository brings its dependencies along.
  o = lmp({"pull", "wants2"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  paths = lines(o.out);
  ASSERT_EQ(paths.size(), 2u) << o.out;
  EXPECT_NE(paths[0].find("/base/2.0.0/"), std::string::npos) << paths[0];
  EXPECT_NE(paths[1].find("/wants2/1.0.0/"), std::string::npos) << paths[1];
  o = lmp({"info", "wants2"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("dependencies:\n  base ^2 -> 2.0.0\n"), std::string::npos) << o.out;
}

TEST_F(DependenciesTest, LockIsFollowedOfflineAndChecked) {
  ASSERT_EQ(lmp({"lock", "./app"}).exit_code, 0);
  // Pin an older base in the lock (with its real digest): pull follows the lock.
  auto lock = lock_json();
  lock["packages"][0]["version"] = "1.2.0";
  spit(app() / "lmp.lock", lock.dump(2));
  Outcome o = lmp({"pull", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(lines(o.out)[0].find("/base/1.2.0/"), std::string::npos) << o.out;

  // A digest that is not the package's: an error naming it, nothing used.
  auto tampered = lock;
  tampered["packages"][1]["sha256"] = std::string(64, '0');
  spit(app() / "lmp.lock", tampered.dump(2));
  o = lmp({"pull", "./app"});
  EXPECT_EQ(o.exit_code, 3);
  std::string line = error_line(o);
  EXPECT_TRUE(line.starts_with("error: left: package.json has sha256 ")) << line;
  EXPECT_NE(line.find("but lmp.lock records 0000"), std::string::npos) << line;
  spit(app() / "lmp.lock", lock.dump(2));

  server_.reset();  // the repository is gone: everything comes from the cache
  o = lmp({"pull", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(lines(o.out)[0].find("/base/1.2.0/"), std::string::npos) << o.out;
  o = lmp({"info", "./app"});
  EXPECT_NE(o.out.find("    base ^1.0 -> 1.2.0\n"), std::string::npos) << o.out << o.err;
  o = lmp({"lock", "./app"});  // afresh, from the versions in the cache
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(lock_json()["packages"][0]["version"], "1.2.5");  // pulled by the first lock
}

TEST_F(DependenciesTest, UrlSource) {
  std::string url = server_->url() + "/base/1.0.0/package.json";
  project({{"left", "^1"}, {"extra", {{"version", "*"}, {"url", url}}}});
  Outcome o = lmp({"lock", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("extra * -> - (" + url + ")\n"), std::string::npos) << o.out;
  auto extra = lock_json()["packages"][1];
  EXPECT_EQ(extra["name"], "extra");
  EXPECT_EQ(extra["from"], "url");
  EXPECT_EQ(extra["source"], url);
  EXPECT_EQ(extra["version"], "");
  server_.reset();
  o = lmp({"pull", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(lines(o.out).size(), 3u) << o.out;
}

TEST_F(DependenciesTest, BuildWritesTheLock) {
  fs::path proj = dir_.path() / "proj";
  fs::copy(source_dir() / "catalog/sigsnoop", proj, fs::copy_options::recursive);
  auto config = nlohmann::json::parse(slurp(proj / "config.json"));
  config["dependencies"] = {{"right", "^1"}};
  spit(proj / "config.json", config.dump());
  Outcome o = lmp({"build", proj.string(), "-o", (dir_.path() / "out").string()});
  if (o.exit_code == 5) GTEST_SKIP() << "no kernel BTF here: " << o.err;
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto lock = nlohmann::json::parse(slurp(proj / "lmp.lock"));
  EXPECT_EQ(lock["root"], "sigsnoop");
  ASSERT_EQ(lock["packages"].size(), 2u);
  EXPECT_EQ(lock["packages"][0]["name"], "base");
  EXPECT_EQ(lock["packages"][0]["version"], "1.2.5");
}

TEST_F(DependenciesTest, CycleAndConflictAreOneLineErrors) {
  project({{"cyca", "*"}});
  Outcome o = lmp({"lock", "./app"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(error_line(o),
            "error: dependency cycle: cyca -> cycb -> cyca (a package cannot depend on itself, "
            "directly or through others)\n");
  EXPECT_FALSE(fs::exists(app() / "lmp.lock"));

  project({{"wants1", "*"}, {"wants2", "*"}});
  o = lmp({"lock", "./app"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(error_line(o),
            "error: base: no version satisfies every range: wants1 wants ^1, wants2 wants ^2 "
            "(available: 2.0.0, 1.2.5, 1.2.0, 1.0.0) (widen a range so they overlap)\n");
  EXPECT_FALSE(fs::exists(app() / "lmp.lock"));

  project({{"base", "^1.x.2"}});
  o = lmp({"lock", "./app"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_TRUE(
      error_line(o).starts_with("error: app: config.json: dependencies.base: \"^1.x.2\" "
                                "is not a version range"))
      << o.err;

  project({{"base", {{"version", "^1"}, {"svn", "x"}}}});
  o = lmp({"lock", "./app"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(error_line(o).find("dependencies.base.svn: unknown key"), std::string::npos) << o.err;

  project({{"base", {{"version", "^1"}, {"git", "https://example.org/x.git"}}}});
  o = lmp({"lock", "./app"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(error_line(o).find("dependencies.base.tag: missing"), std::string::npos) << o.err;
}

// A git repository (file://, a real `git clone`) holding a built package in a directory, at
// a tag that HEAD has moved past.
TEST_F(DependenciesTest, GitSource) {
  fs::path git = dir_.path() / "tools.git";
  fs::path pkg = git / "tools/base";
  fs::create_directories(pkg);
  fs::copy_file(sample_package(), pkg / "package.json");
  auto config = [&](const std::string& version) {
    spit(pkg / "config.json", nlohmann::json({{"name", "base"},
                                              {"version", version},
                                              {"author", "tester"},
                                              {"description", "from git"}})
                                  .dump());
  };
  auto git_cmd = [&](const std::string& args) {
    std::string cmd = "git -C '" + git.string() +
                      "' -c user.name=t -c user.email=t@example.org " + args + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  };
  config("1.3.0");
  git_cmd("init -q");
  git_cmd("add -A");
  git_cmd("commit -q -m one");
  git_cmd("tag v1.3.0");
  config("1.4.0");
  git_cmd("commit -q -am two");

  std::string url = "file://" + git.string();
  std::string source = url + "#v1.3.0:tools/base";
  project({{"gitbase",
            {{"version", "^1.3"}, {"git", url}, {"tag", "v1.3.0"}, {"path", "tools/base"}}}});
  Outcome o = lmp({"lock", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.out.find("gitbase ^1.3 -> 1.3.0 (" + source + ")\n"), std::string::npos) << o.out;
  auto locked = lock_json()["packages"][0];
  EXPECT_EQ(locked["name"], "gitbase");
  EXPECT_EQ(locked["from"], "git");
  EXPECT_EQ(locked["source"], source);
  EXPECT_EQ(locked["version"], "1.3.0");  // the tag's, not HEAD's 1.4.0

  o = lmp({"list"});
  EXPECT_NE(o.out.find("git+" + source), std::string::npos) << o.out;

  // The repository is gone: the lock's package comes from the cache.
  fs::rename(git, dir_.path() / "moved.git");
  o = lmp({"pull", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  o = lmp({"rm", "git+" + source});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  o = lmp({"pull", "./app"});  // neither cached nor reachable: git's own reason, one line
  EXPECT_EQ(o.exit_code, 8) << o.err;
  std::string line = error_line(o);
  EXPECT_TRUE(line.starts_with("error: gitbase: " + source + ": git clone failed: ")) << line;
  fs::rename(dir_.path() / "moved.git", git);

  // A tag that does not exist; a range the tag's version does not satisfy.
  project({{"gitbase", {{"version", "^1"}, {"git", url}, {"tag", "v9"}, {"path", "tools/base"}}}});
  o = lmp({"lock", "./app"});
  EXPECT_EQ(o.exit_code, 8);
  EXPECT_NE(error_line(o).find("check the repository URL and that tag v9 exists"),
            std::string::npos)
      << o.err;
  project(
      {{"gitbase", {{"version", "^2"}, {"git", url}, {"tag", "v1.3.0"}, {"path", "tools/base"}}}});
  o = lmp({"lock", "./app"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_NE(error_line(o).find("holds version 1.3.0, but app wants ^2"), std::string::npos)
      << o.err;
  // No clone is left behind in the cache's tmp/.
  for (const auto& e : fs::directory_iterator(home() / "tmp")) ADD_FAILURE() << e.path();
}

TEST_F(DependenciesTest, BrokenLockIsOneClearError) {
  ASSERT_EQ(lmp({"lock", "./app"}).exit_code, 0);
  std::string good = slurp(app() / "lmp.lock");
  spit(app() / "lmp.lock", good.substr(0, good.size() / 2));
  Outcome o = lmp({"pull", "./app"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_TRUE(
      error_line(o).starts_with("error: ./app/lmp.lock: truncated or invalid JSON at byte "))
      << o.err;

  auto lock = nlohmann::json::parse(good);
  lock["packages"][2]["required_by"] = "app";
  spit(app() / "lmp.lock", lock.dump());
  o = lmp({"pull", "./app"});
  EXPECT_EQ(o.exit_code, 3);
  EXPECT_EQ(error_line(o), "error: ./app/lmp.lock: packages[2].required_by: expected an array\n");

  // lmp lock replaces a broken lock whole; no temp file is left beside it.
  o = lmp({"lock", "./app"});
  ASSERT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(slurp(app() / "lmp.lock"), good);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(app())) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 3u);  // package.json, config.json, lmp.lock
}

}  // namespace
}  // namespace lmp::test
