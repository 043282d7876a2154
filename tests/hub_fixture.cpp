#include "hub_fixture.h"

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

namespace lmp::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

bool HubProcess::start(const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {LMP_HUB_BINARY, "serve",  "--listen",
                                   "127.0.0.1:0",  "--data", data_dir_.string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = Background::program(argv);
  static const std::regex listening(R"(listening on (http://127\.0\.0\.1:\d+))");
  std::smatch m;
  bool up = process_->wait_for(
      [&](const std::string&) {
        process_->pump();
        return std::regex_search(process_->err(), m, listening) || !process_->running();
      },
      20s);
  process_->pump();
  const std::string err = process_->err();
  if (!up || !std::regex_search(err, m, listening)) {
    last_error = err;
    return false;
  }
  url_ = m[1].str();
  return true;
}

int HubProcess::stop() {
  if (!process_) return 0;
  Outcome o = process_->stop(SIGTERM);
  last_error = o.err;
  process_.reset();
  return o.exit_code;
}

void HubProcess::kill9() {
  if (!process_) return;
  kill(process_->pid(), SIGKILL);
  process_->stop(SIGKILL);
  process_.reset();
}

std::string HubProcess::host() const {
  return "127.0.0.1";
}

int HubProcess::port() const {
  return std::stoi(url_.substr(url_.rfind(':') + 1));
}

Outcome HubProcess::admin(const std::vector<std::string>& args, const std::string& input) const {
  std::vector<std::string> argv = {LMP_HUB_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--data");
  argv.push_back(data_dir_.string());
  return run_program(argv, {.input = input});
}

httplib::Client HubProcess::client() const {
  httplib::Client c(host(), port());
  c.set_read_timeout(30, 0);
  return c;
}

Outcome lmp_with_hub(const HubProcess& hub, const fs::path& home,
                     const std::vector<std::string>& args, const std::string& input,
                     const fs::path& cwd) {
  RunOptions options{
      .cwd = cwd,
      .env = {"LMP_HOME=" + home.string(), "LMP_REPOSITORY=" + hub.url(), "LMP_HUB=" + hub.url()},
      .input = input};
  return run_lmp(args, options);
}

void make_publish_dir(const fs::path& dir, const fs::path& from, const std::string& name,
                      const std::string& version, const std::string& readme) {
  fs::create_directories(dir);
  for (const char* file : {"package.json", "app.wasm"})
    if (fs::exists(from / file))
      fs::copy_file(from / file, dir / file, fs::copy_options::overwrite_existing);
  nlohmann::json config = {{"name", name},           {"version", version},
                           {"author", "hub tests"},  {"description", "test package " + name},
                           {"license", "GPL-2.0"},   {"category", "testing"},
                           {"tags", {"test", "hub"}}};
  write_file_text(dir / "config.json", config.dump(2));
  write_file_text(dir / "README.md", readme);
}

fs::path opentrace_package_dir() {
  static TempDir* dir = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    dir = new TempDir();  // lives for the process: every test reuses the build
    fs::copy(source_dir() / "tests/programs/opentrace", dir->path() / "src",
             fs::copy_options::recursive);
    Outcome o = run_lmp({"build", (dir->path() / "src").string(), "-o", dir->path().string()});
    if (o.exit_code != 0) ADD_FAILURE() << "lmp build opentrace: " << o.err;
  });
  return dir->path();
}

std::string hub_login(const HubProcess& hub, const std::string& user, const std::string& password,
                      int* status) {
  auto c = hub.client();
  nlohmann::json body = {{"username", user}, {"password", password}, {"token_name", "tests"}};
  auto res = c.Post("/api/v1/login", body.dump(), "application/json");
  if (status) *status = res ? res->status : -1;
  if (!res || res->status != 200) return "";
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  return j.is_object() ? j.value("token", "") : "";
}

httplib::Result hub_publish(const HubProcess& hub, const std::string& token,
                            const std::vector<std::pair<std::string, std::string>>& files) {
  auto c = hub.client();
  httplib::MultipartFormDataItems items;
  for (const auto& [name, content] : files)
    items.push_back({name, content, name, "application/octet-stream"});
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return c.Post("/api/v1/packages", headers, items);
}

}  // namespace lmp::test
