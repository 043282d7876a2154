// Signed packages end to end (docs/signing.md): lmp key, lmp sign, lmp build --sign and lmp
// trust drive the real binary with LMP_HOME in a temp dir; lmp run verifies under each mode
// before anything loads: a trusted package really loads and shows an event the test causes,
// every tampered or refused one exits at once with one line naming the package and the key.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace lmp::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string show_signing(const Outcome& o) {
  return "exit " + std::to_string(o.exit_code) + "\nstdout:\n" + o.out.substr(0, 2000) +
         "\nstderr:\n" + o.err.substr(0, 2000);
}

// A refusal: the exit code, nothing on stdout, one line on stderr holding every `words`.
void expect_refused(const Outcome& o, int code, const std::vector<std::string>& words) {
  EXPECT_EQ(o.exit_code, code) << show_signing(o);
  EXPECT_EQ(o.out, "") << show_signing(o);
  EXPECT_TRUE(o.err.starts_with("error: ")) << show_signing(o);
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << show_signing(o);
  for (const auto& w : words)
    EXPECT_NE(o.err.find(w), std::string::npos) << w << "\n" << show_signing(o);
}

pid_t open_in_child_signing(const fs::path& path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(path.c_str(), O_CREAT | O_RDONLY, 0600);
    if (fd >= 0) close(fd);
    _exit(0);
  }
  waitpid(pid, nullptr, 0);
  return pid;
}

class SigningTest : public ::testing::Test {
 protected:
  // tests/programs/opentrace built once (unsigned); tests copy it and sign their copy.
  static void SetUpTestSuite() {
    built_ = std::make_unique<TempDir>();
    Outcome o = run_lmp({"build", (source_dir() / "tests/programs/opentrace").string(), "-o",
                         (built_->path() / "opentrace").string()},
                        {.timeout = 120s});
    build_errors_ = o.exit_code == 0 ? "" : show_signing(o);
  }
  static void TearDownTestSuite() { built_.reset(); }
  void SetUp() override {
    ASSERT_EQ(build_errors_, "");
    home_ = tmp_.path() / "home";  // TempDir is 0777, which lmp refuses as a cache
  }

  RunOptions options(std::vector<std::string> env = {}) const {
    RunOptions o;
    o.env = {"LMP_HOME=" + home_.string(), "LMP_REPOSITORY=", "LMP_VERIFY="};
    o.env.insert(o.env.end(), env.begin(), env.end());
    o.timeout = 60s;
    return o;
  }
  Outcome lmp(const std::vector<std::string>& args, std::vector<std::string> env = {}) const {
    return run_lmp(args, options(std::move(env)));
  }
  // A fresh copy of the built package in tmp/NAME.
  fs::path package(const std::string& name = "opentrace") const {
    fs::path dir = tmp_.path() / name;
    fs::remove_all(dir);
    fs::copy(built_->path() / "opentrace", dir, fs::copy_options::recursive);
    return dir;
  }
  // `lmp key generate NAME`; returns the fingerprint it prints.
  std::string generate(const std::string& name) const {
    Outcome o = lmp({"key", "generate", name});
    EXPECT_EQ(o.exit_code, 0) << show_signing(o);
    return o.out.substr(0, o.out.find(' '));
  }
  // Runs DIR with --json until the test's own open of a unique file shows; true when seen.
  bool runs_and_shows_event(const fs::path& dir, std::vector<std::string> env = {},
                            const std::vector<std::string>& flags = {}) const {
    fs::path target = tmp_.path() / ("signed-open-" + std::to_string(++opened_));
    std::vector<std::string> args = {"run", "--json"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(dir.string());
    Background run(args, options(std::move(env)));
    bool seen = run.wait_for(
        [&](const std::string& out) { return out.find(target.string()) != std::string::npos; }, 15s,
        [&] { open_in_child_signing(target); });
    Outcome o = run.stop();
    EXPECT_TRUE(seen) << show_signing(o);
    EXPECT_EQ(o.exit_code, 0) << show_signing(o);
    last_err_ = o.err;
    return seen;
  }

  TempDir tmp_;
  fs::path home_;
  mutable int opened_ = 0;
  mutable std::string last_err_;
  static inline std::unique_ptr<TempDir> built_;
  static inline std::string build_errors_;
};

TEST_F(SigningTest, KeyGenerateListExport) {
  std::string fingerprint = generate("alice");
  EXPECT_TRUE(fingerprint.starts_with("ed25519:")) << fingerprint;
  struct stat st {};
  ASSERT_EQ(stat((home_ / "keys/alice.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Outcome again = lmp({"key", "generate", "alice"});
  EXPECT_EQ(again.exit_code, 9) << show_signing(again);  // never overwritten
  Outcome list = lmp({"key", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << show_signing(list);
  auto keys = nlohmann::json::parse(list.out);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0]["name"], "alice");
  EXPECT_EQ(keys[0]["fingerprint"], fingerprint);
  Outcome table = lmp({"key", "list"});
  EXPECT_NE(table.out.find("alice"), std::string::npos) << show_signing(table);
  EXPECT_NE(table.out.find(fingerprint), std::string::npos) << show_signing(table);
  Outcome exported = lmp({"key", "export"});
  ASSERT_EQ(exported.exit_code, 0) << show_signing(exported);
  EXPECT_TRUE(exported.out.starts_with("ed25519 ")) << exported.out;
  EXPECT_EQ(exported.out, slurp(home_ / "keys/alice.pub"));
  EXPECT_EQ(lmp({"key", "generate"}).exit_code, 0);  // the default name
  EXPECT_TRUE(fs::exists(home_ / "keys/default.key"));
  Outcome out_dir = lmp({"key", "generate", "ci", "--out", (tmp_.path() / "ci-keys").string()});
  EXPECT_EQ(out_dir.exit_code, 0) << show_signing(out_dir);
  EXPECT_TRUE(fs::exists(tmp_.path() / "ci-keys/ci.key"));
}

TEST_F(SigningTest, SignNeedsOneKeyADirectoryAndAPrivateKeyFile) {
  fs::path dir = package();
  expect_refused(lmp({"sign", dir.string()}), 7, {"no signing key", "lmp key generate"});
  generate("alice");
  generate("bob");
  expect_refused(lmp({"sign", dir.string()}), 2, {"alice, bob", "--key"});
  expect_refused(lmp({"sign", (tmp_.path() / "missing").string(), "--key", "alice"}), 7,
                 {"missing"});
  chmod((home_ / "keys/bob.key").c_str(), 0644);
  expect_refused(lmp({"sign", dir.string(), "--key", "bob"}), 4, {"bob.key", "chmod 600"});
  Outcome signed_ = lmp({"sign", dir.string(), "--key", "alice"});
  ASSERT_EQ(signed_.exit_code, 0) << show_signing(signed_);
  EXPECT_EQ(signed_.out, (dir / "lmp.sig").string() + "\n");
  auto sig = nlohmann::json::parse(slurp(dir / "lmp.sig"));
  EXPECT_EQ(sig["name"], "opentrace");
  EXPECT_EQ(sig["version"], "1.2.3");
  EXPECT_TRUE(sig["files"].contains("package.json"));
  EXPECT_TRUE(sig["files"].contains("config.json"));
}

TEST_F(SigningTest, TrustAddListRmVerifyRevoke) {
  std::string alice = generate("alice");
  lmp({"key", "export", "alice"});
  spit(tmp_.path() / "alice.pub", slurp(home_ / "keys/alice.pub"));
  Outcome by_file = lmp({"trust", "add", (tmp_.path() / "alice.pub").string(), "--for", "open*"});
  ASSERT_EQ(by_file.exit_code, 0) << show_signing(by_file);
  EXPECT_EQ(lmp({"trust", "add", "alice"}).exit_code, 0);  // by local name, for every name
  EXPECT_EQ(lmp({"trust", "add", alice}).exit_code, 0);    // by fingerprint: already trusted
  expect_refused(lmp({"trust", "add", "ed25519:" + std::string(32, 'b')}), 7,
                 {"a fingerprint alone cannot verify", "public key file"});
  Outcome list = lmp({"trust", "list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << show_signing(list);
  auto policy = nlohmann::json::parse(list.out);
  EXPECT_EQ(policy["verify"], "warn");
  ASSERT_EQ(policy["keys"].size(), 2u) << list.out;
  EXPECT_EQ(policy["keys"][0]["fingerprint"], alice);
  EXPECT_EQ(policy["keys"][0]["for"], "open*");
  EXPECT_EQ(policy["keys"][1]["for"], "*");
  EXPECT_EQ(lmp({"trust", "verify", "require"}).exit_code, 0);
  EXPECT_EQ(lmp({"trust", "verify", "off", "--for", "dev-*"}).exit_code, 0);
  EXPECT_EQ(lmp({"trust", "revoke", alice}).exit_code, 0);
  policy = nlohmann::json::parse(lmp({"trust", "list", "--json"}).out);
  EXPECT_EQ(policy["verify"], "require");
  EXPECT_EQ(policy["packages"]["dev-*"], "off");
  EXPECT_EQ(policy["revoked"][0], alice);
  Outcome text = lmp({"trust", "list"});
  EXPECT_NE(text.out.find("(revoked)"), std::string::npos) << show_signing(text);
  EXPECT_EQ(lmp({"trust", "revoke", "--undo", alice}).exit_code, 0);
  EXPECT_EQ(lmp({"trust", "rm", alice}).exit_code, 0);
  policy = nlohmann::json::parse(lmp({"trust", "list", "--json"}).out);
  EXPECT_TRUE(policy["keys"].empty());
  EXPECT_TRUE(policy["revoked"].empty());
  expect_refused(lmp({"trust", "rm", alice}), 7, {"no trusted key"});
  expect_refused(lmp({"trust", "verify", "maybe"}), 2, {"maybe"});

  // A malformed policy names the field, for trust and for run alike.
  spit(home_ / "trust.json", R"({"verify": "warn", "revoked": ["alice"]})");
  expect_refused(lmp({"trust", "list"}), 2, {"trust.json", "\"revoked\""});
  expect_refused(lmp({"run", package().string(), "-h"}), 2, {"trust.json", "\"revoked\""});
  spit(home_ / "trust.json", R"({"keys": [{"public_key": "AAAA"}]})");
  expect_refused(lmp({"run", package().string(), "-h"}), 2, {"\"keys\"[0].public_key"});
}

// The package really loads when verification lets it, and shows the test's own open.
TEST_F(SigningTest, RunUnderOffWarnRequireAndLmpVerify) {
  LMP_REQUIRE_BPF_OR_SKIP();
  std::string alice = generate("alice");
  fs::path dir = package();
  // Unsigned local path: warn (the default) runs it without a word; require refuses it.
  ASSERT_TRUE(runs_and_shows_event(dir));
  EXPECT_EQ(last_err_.find("signed"), std::string::npos) << last_err_;
  expect_refused(lmp({"run", "--verify=require", dir.string()}), 4,
                 {"refused to run opentrace", "not signed"});
  ASSERT_EQ(lmp({"sign", dir.string()}).exit_code, 0);
  // Signed by a key this machine does not trust.
  expect_refused(lmp({"run", "--verify", "require", dir.string()}), 4,
                 {"refused to run opentrace", alice, "does not trust"});
  expect_refused(lmp({"run", dir.string()}, {"LMP_VERIFY=require"}), 4, {alice});
  // --verify beats LMP_VERIFY.
  ASSERT_TRUE(runs_and_shows_event(dir, {"LMP_VERIFY=require"}, {"--verify=off"}));
  expect_refused(lmp({"run", dir.string()}, {"LMP_VERIFY=sometimes"}), 2, {"LMP_VERIFY"});
  // Trusted: runs under require.
  ASSERT_EQ(lmp({"trust", "add", "alice"}).exit_code, 0);
  ASSERT_TRUE(runs_and_shows_event(dir, {"LMP_VERIFY=require"}));
  EXPECT_EQ(lmp({"trust", "verify", "require"}).exit_code, 0);
  ASSERT_TRUE(runs_and_shows_event(dir));
  // Trusted only for other names.
  ASSERT_EQ(lmp({"trust", "rm", "alice"}).exit_code, 0);
  ASSERT_EQ(lmp({"trust", "add", "alice", "--for", "net-*"}).exit_code, 0);
  expect_refused(lmp({"run", dir.string()}), 4, {"opentrace", alice});
  // Revoked: refused even in warn mode.
  ASSERT_EQ(lmp({"trust", "add", "alice"}).exit_code, 0);
  ASSERT_EQ(lmp({"trust", "revoke", alice}).exit_code, 0);
  expect_refused(lmp({"run", "--verify=warn", dir.string()}), 4, {"opentrace", "revoked", alice});
  ASSERT_TRUE(runs_and_shows_event(dir, {}, {"--verify=off"}));
}

// Each kind of damage is exit 3 in every mode but off, before anything loads.
TEST_F(SigningTest, TamperedPackagesAreRefused) {
  std::string alice = generate("alice");
  auto signed_copy = [&](const std::string& name) {
    fs::path dir = package(name);
    EXPECT_EQ(lmp({"sign", dir.string()}).exit_code, 0);
    return dir;
  };
  fs::path json = signed_copy("json");
  spit(json / "package.json", slurp(json / "package.json") + " ");
  fs::path config = signed_copy("config");
  std::string text = slurp(config / "config.json");
  std::string edited = text;
  spit(config / "config.json", edited.replace(edited.find("lmp tests"), 9, "someone"));
  text.replace(text.find("1.2.3"), 5, "1.2.4");
  fs::path wasm = signed_copy("wasm");
  spit(wasm / "app.wasm", std::string("\0asm\1\0\0\0", 8));
  fs::path truncated = signed_copy("truncated");
  std::string sig = slurp(truncated / "lmp.sig");
  spit(truncated / "lmp.sig", sig.substr(0, sig.size() / 2));
  fs::path version = signed_copy("version");  // config.json of another version, signed
  spit(version / "config.json", text);        // text holds 1.2.4
  ASSERT_EQ(lmp({"sign", version.string()}).exit_code, 0);
  std::string sig_124 = slurp(version / "lmp.sig");
  spit(version / "config.json", slurp(json / "config.json"));  // back to 1.2.3
  spit(version / "package.json", slurp(built_->path() / "opentrace/package.json"));
  spit(version / "lmp.sig", sig_124);

  for (std::string mode : {"warn", "require"}) {
    SCOPED_TRACE(mode);
    expect_refused(lmp({"run", "--verify=" + mode, json.string(), "-h"}), 3,
                   {"opentrace", "package.json was changed after signing", alice});
    expect_refused(lmp({"run", "--verify=" + mode, config.string(), "-h"}), 3,
                   {"config.json was changed after signing", alice});
    expect_refused(lmp({"run", "--verify=" + mode, (wasm / "package.json").string(), "-h"}), 3,
                   {"app.wasm was added after signing", alice});
    expect_refused(lmp({"run", "--verify=" + mode, truncated.string(), "-h"}), 3,
                   {"opentrace", "truncated"});
    expect_refused(lmp({"run", "--verify=" + mode, version.string(), "-h"}), 3,
                   {"signed for version 1.2.4, not 1.2.3", alice});
  }
  // Off reads no signature: the damaged signature does not matter then.
  Outcome off = lmp({"run", "--verify=off", truncated.string(), "-h"});
  EXPECT_EQ(off.exit_code, 0) << show_signing(off);
}

// Unsigned packages from a repository warn once each in warn mode; several packages of one
// run are all verified before any loads.
TEST_F(SigningTest, RepositoryPackagesWarnAndSeveralPackagesAreAllChecked) {
  fs::path src = tmp_.path() / "src";
  fs::create_directories(src);
  fs::copy(package(), src / "opentrace", fs::copy_options::recursive);
  fs::path repo = tmp_.path() / "repo";
  ASSERT_EQ(lmp({"repo", "build", src.string(), repo.string()}).exit_code, 0);
  std::vector<std::string> env = {"LMP_REPOSITORY=file://" + repo.string()};
  Outcome warned = lmp({"run", "opentrace", "-h"}, env);
  ASSERT_EQ(warned.exit_code, 0) << show_signing(warned);
  EXPECT_NE(warned.err.find("warning: opentrace: it is not signed"), std::string::npos)
      << show_signing(warned);
  EXPECT_NE(warned.err.find("from a repository"), std::string::npos) << show_signing(warned);
  expect_refused(lmp({"run", "--verify=require", "opentrace", "-h"}, env), 4,
                 {"refused to run opentrace", "not signed"});

  // A signed local package with an unsigned one after it: refused, nothing loaded.
  generate("alice");
  ASSERT_EQ(lmp({"trust", "add", "alice"}).exit_code, 0);
  fs::path good = package("good");
  ASSERT_EQ(lmp({"sign", good.string()}).exit_code, 0);
  fs::path bad = package("bad");
  expect_refused(lmp({"run", "--verify=require", good.string(), "--", bad.string()}, env), 4,
                 {"refused to run opentrace", "not signed"});
  spit(good / "config.json", slurp(good / "config.json") + "\n");
  expect_refused(lmp({"run", bad.string(), "--", good.string()}, env), 3,
                 {"config.json was changed after signing"});
}

TEST_F(SigningTest, BuildSignSignsWhatItBuilt) {
  generate("alice");
  fs::path out = tmp_.path() / "built";
  Outcome built = lmp({"build", "--sign", (source_dir() / "tests/programs/opentrace").string(),
                       "-o", out.string()});
  ASSERT_EQ(built.exit_code, 0) << show_signing(built);
  ASSERT_TRUE(fs::exists(out / "lmp.sig")) << show_signing(built);
  ASSERT_EQ(lmp({"trust", "add", "alice"}).exit_code, 0);
  Outcome help = lmp({"run", "--verify=require", out.string(), "-h"});
  EXPECT_EQ(help.exit_code, 0) << show_signing(help);
  generate("bob");
  Outcome which = lmp({"build", "--sign", (source_dir() / "tests/programs/opentrace").string(),
                       "-o", out.string()});
  EXPECT_EQ(which.exit_code, 2) << show_signing(which);
  Outcome named = lmp({"build", "--sign=bob", (source_dir() / "tests/programs/opentrace").string(),
                       "-o", out.string()});
  EXPECT_EQ(named.exit_code, 0) << show_signing(named);
  auto sig = nlohmann::json::parse(slurp(out / "lmp.sig"));
  EXPECT_EQ(sig["key_name"], "bob");
}

// The bundled catalog is signed at build time and its key placed beside it: on a fresh
// machine (an empty LMP_HOME, no trust.json) its packages run under require, and its key
// vouches for nothing else.
TEST_F(SigningTest, BundledCatalogRunsUnderRequireAndItsKeyOnlyVouchesForIt) {
  fs::path catalog = fs::path(LMP_BINARY).parent_path() / "catalog";
  ASSERT_TRUE(fs::exists(catalog / "catalog.pub"));
  EXPECT_FALSE(fs::exists(catalog / "catalog.key"));
  Outcome help = lmp({"run", "opensnoop", "-h"}, {"LMP_VERIFY=require"});
  ASSERT_EQ(help.exit_code, 0) << show_signing(help);
  EXPECT_EQ(help.err.find("warning"), std::string::npos) << show_signing(help);
  Outcome trust = lmp({"trust", "list", "--json"});
  std::string catalog_key = nlohmann::json::parse(trust.out)["catalog_key"];
  EXPECT_TRUE(catalog_key.starts_with("ed25519:")) << trust.out;

  // The same signed files from another repository: the catalog's key does not count there.
  auto index = nlohmann::json::parse(slurp(catalog / "index.json"));
  std::string version = index["packages"]["opensnoop"]["latest"];
  fs::path src = tmp_.path() / "mirror-src";
  fs::create_directories(src);
  fs::copy(catalog / "opensnoop" / version, src / "opensnoop", fs::copy_options::recursive);
  ASSERT_TRUE(fs::exists(src / "opensnoop/lmp.sig"));
  fs::path mirror = tmp_.path() / "mirror";
  ASSERT_EQ(lmp({"repo", "build", src.string(), mirror.string()}).exit_code, 0);
  home_ = tmp_.path() / "home2";
  std::vector<std::string> from_mirror = {"LMP_REPOSITORY=file://" + mirror.string()};
  ASSERT_EQ(lmp({"pull", "opensnoop"}, from_mirror).exit_code, 0);  // progress lines
  from_mirror.push_back("LMP_VERIFY=require");
  expect_refused(lmp({"run", "opensnoop", "-h"}, from_mirror), 4,
                 {"refused to run opensnoop", catalog_key});

  // A catalog package with a WebAssembly user space, its app.wasm changed: refused.
  std::string boot = index["packages"]["bootstrap"]["latest"];
  fs::path copy = tmp_.path() / "bootstrap";
  fs::copy(catalog / "bootstrap" / boot, copy, fs::copy_options::recursive);
  ASSERT_TRUE(fs::exists(copy / "app.wasm"));
  spit(copy / "app.wasm", slurp(copy / "app.wasm") + "x");
  expect_refused(lmp({"run", copy.string()}), 3,
                 {"bootstrap", "app.wasm was changed after signing", catalog_key});

  LMP_REQUIRE_BPF_OR_SKIP();
  home_ = tmp_.path() / "home3";
  fs::path target = tmp_.path() / "catalog-open";
  Background run({"run", "--json", "opensnoop"}, options({"LMP_VERIFY=require"}));
  bool seen = run.wait_for(
      [&](const std::string& out) { return out.find(target.string()) != std::string::npos; }, 20s,
      [&] { open_in_child_signing(target); });
  Outcome o = run.stop();
  EXPECT_TRUE(seen) << show_signing(o);
  EXPECT_EQ(o.exit_code, 0) << show_signing(o);
}

}  // namespace
}  // namespace lmp::test
