#include "package/program_options.h"

#include <fcntl.h>

#include <cstring>

#include <gtest/gtest.h>

#include "common/value_names.h"

namespace lmp::package {
namespace {

using Action = ParsedArgs::Action;

package::Variable var_program_options(std::string name, std::string type,
                                      std::string description = {}) {
  package::Variable v;
  v.name = std::move(name);
  v.type = std::move(type);
  v.description = std::move(description);
  return v;
}

package::Variable arg(std::string name, std::string type, std::string short_name,
                      std::string long_name, std::string help) {
  auto v = var_program_options(std::move(name), std::move(type));
  v.cmdarg =
      package::CmdArg{std::nullopt, std::move(long_name), std::move(short_name), std::move(help)};
  return v;
}

package::Meta sigsnoop_meta() {
  package::Meta meta;
  meta.bpf_skel.obj_name = "sigsnoop";
  meta.bpf_skel.doc = package::Doc{"1.2.0", "Trace standard and real-time signals.", "", ""};
  meta.bpf_skel.data_sections.push_back(
      {".rodata",
       {arg("failed_only", "bool", "x", "failed", "failed signals only"),
        arg("kill_only", "bool", "k", "killed", "kill only"),
        arg("filtered_by_pid", "pid_t", "p", "pid", "target pid"),
        arg("target_signal", "int", "s", "signal", "target signal")}});
  return meta;
}

ProgramOptions make(const package::Meta& meta) {
  auto options = ProgramOptions::create(meta, meta.bpf_skel.obj_name);
  EXPECT_TRUE(options) << options.error().message;
  return std::move(*options);
}

Result<ParsedArgs> parse_program_options(const ProgramOptions& options,
                                         std::vector<std::string> args) {
  return options.parse(args);
}

// One option of a given type; returns the bytes written for `text` or the error.
Result<std::vector<uint8_t>> one(std::string type, std::string text) {
  package::Meta meta;
  meta.bpf_skel.obj_name = "t";
  meta.bpf_skel.data_sections.push_back({".rodata", {var_program_options("x", type)}});
  auto options = LMP_TRY(ProgramOptions::create(meta, "t"));
  auto parsed = LMP_TRY(options.parse(std::vector<std::string>{"--x=" + text}));
  if (parsed.assignments.size() != 1) return fail(ExitCode::kFailure, "no assignment");
  return parsed.assignments[0].value.to_bytes();
}

template <typename T>
std::vector<uint8_t> bytes_of_program_options(T v) {
  std::vector<uint8_t> out(sizeof(T));
  std::memcpy(out.data(), &v, sizeof(T));
  return out;
}

TEST(ProgramOptions, HelpTextMatchesSigsnoop) {
  auto options = make(sigsnoop_meta());
  EXPECT_EQ(options.help_text(),
            "Usage: sigsnoop [-h] [-x] [-k] [-p PID] [-s SIGNAL]\n"
            "Trace standard and real-time signals.\n"
            "\n"
            "    -h, --help  show this help message and exit\n"
            "    --version  show the program's version and exit\n"
            "    -x, --failed  failed signals only\n"
            "    -k, --killed  kill only\n"
            "    -p, --pid=<int>  target pid (default: 0)\n"
            "    -s, --signal=<int>  target signal (default: 0)\n");
  EXPECT_EQ(options.version_text(), "sigsnoop 1.2.0\n");
}

TEST(ProgramOptions, HelpShowsDetailsDerivedNamesAndDefaults) {
  package::Meta meta;
  meta.bpf_skel.obj_name = "runqlat";
  meta.bpf_skel.doc = package::Doc{"", "Summarize run queue latency.", "Examples: runqlat -m", ""};
  auto min = var_program_options("min_duration_ns", "unsigned long long", "minimum duration");
  min.value = 100;
  auto comm = var_program_options("target_comm", "char[16]", "command");
  comm.value = "bash";
  meta.bpf_skel.data_sections.push_back(
      {".rodata", {min, comm, var_program_options("ms", "bool", "millis")}});
  auto options = make(meta);
  EXPECT_EQ(options.help_text(),
            "Usage: runqlat [-h] [--min-duration-ns MIN_DURATION_NS] [--target-comm "
            "TARGET_COMM] [--ms]\n"
            "Summarize run queue latency.\n"
            "\n"
            "    -h, --help  show this help message and exit\n"
            "    --version  show the program's version and exit\n"
            "    --min-duration-ns=<int>  minimum duration (default: 100)\n"
            "    --target-comm=<string>  command (default: \"bash\")\n"
            "    --ms  millis\n"
            "\n"
            "Examples: runqlat -m\n");
}

TEST(ProgramOptions, ObjectDefaultsAreShownButNotWritten) {
  package::Meta meta;
  meta.bpf_skel.data_sections.push_back(
      {".rodata", {var_program_options("limit", "int", "limit")}});
  CType int_type = *parse_c_type("int");
  auto options = ProgramOptions::create(meta, "t", {{"limit", TypedValue{int_type, int64_t{7}}}});
  ASSERT_TRUE(options);
  EXPECT_NE(options->help_text().find("--limit=<int>  limit (default: 7)"), std::string::npos);
  auto parsed = options->parse(std::vector<std::string>{});
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->assignments.empty());
}

TEST(ProgramOptions, HelpAndVersionActions) {
  auto options = make(sigsnoop_meta());
  EXPECT_EQ(parse_program_options(options, {"-h"})->action, Action::kHelp);
  EXPECT_EQ(parse_program_options(options, {"--help"})->action, Action::kHelp);
  EXPECT_EQ(parse_program_options(options, {"-x", "--help", "--bogus"})->action, Action::kHelp);
  EXPECT_EQ(parse_program_options(options, {"--version"})->action, Action::kVersion);
  EXPECT_EQ(parse_program_options(options, {})->action, Action::kRun);
}

TEST(ProgramOptions, ParsesLongShortClustersAndFlags) {
  auto options = make(sigsnoop_meta());
  auto parsed = parse_program_options(options, {"-xk", "--pid", "42", "-s9"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->assignments.size(), 4u);
  EXPECT_EQ(parsed->assignments[0].variable, "failed_only");
  EXPECT_EQ(parsed->assignments[0].section, ".rodata");
  EXPECT_EQ(parsed->assignments[0].value.to_bytes(), std::vector<uint8_t>{1});
  EXPECT_EQ(parsed->assignments[2].value.to_bytes(), bytes_of_program_options<int32_t>(42));
  EXPECT_EQ(parsed->assignments[3].value.to_bytes(), bytes_of_program_options<int32_t>(9));

  parsed = parse_program_options(options, {"-p", "-1", "--failed=false", "--signal=0x10"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->assignments.size(), 3u);
  EXPECT_EQ(parsed->assignments[0].value.to_bytes(), std::vector<uint8_t>{0});
  EXPECT_EQ(parsed->assignments[1].value.to_bytes(), bytes_of_program_options<int32_t>(-1));
  EXPECT_EQ(parsed->assignments[2].value.to_bytes(), bytes_of_program_options<int32_t>(16));
}

TEST(ProgramOptions, NamedValuesForSignalsErrnosSyscallsAndFlags) {
  auto options = make(sigsnoop_meta());  // target_signal: a signal by its name
  auto parsed = parse_program_options(options, {"-s", "SIGKILL"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->assignments[0].value.to_bytes(), bytes_of_program_options<int32_t>(9));
  parsed = parse_program_options(options, {"--signal=usr1"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->assignments[0].value.to_bytes(), bytes_of_program_options<int32_t>(10));
  EXPECT_FALSE(parse_program_options(options, {"-s", "SIGNOPE"}));
  EXPECT_FALSE(parse_program_options(options, {"-p", "SIGKILL"}));  // a pid takes numbers only

  package::Meta meta;
  meta.bpf_skel.obj_name = "t";
  auto err = var_program_options("wanted", "int");
  err.extra["format"] = "errno";
  auto sys = var_program_options("target_syscall", "unsigned int");
  auto flags = var_program_options("open_flags", "int");
  flags.extra["format"] = "flags:open";
  meta.bpf_skel.data_sections.push_back({".rodata", {err, sys, flags}});
  auto named = make(meta);
  parsed = parse_program_options(named, {"--wanted", "ENOENT", "--target-syscall", "getppid",
                                         "--open-flags", "O_WRONLY|O_CREAT"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->assignments[0].value.to_bytes(), bytes_of_program_options<int32_t>(2));
  EXPECT_EQ(parsed->assignments[1].value.to_bytes(),
            bytes_of_program_options<uint32_t>(static_cast<uint32_t>(*syscall_number("getppid"))));
  EXPECT_EQ(parsed->assignments[2].value.to_bytes(),
            bytes_of_program_options<int32_t>(O_WRONLY | O_CREAT));
}

TEST(ProgramOptions, UnknownOptionAndStrayArguments) {
  auto options = make(sigsnoop_meta());
  auto parsed = parse_program_options(options, {"--foo"});
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ExitCode::kUsage);
  EXPECT_EQ(parsed.error().message, "unknown option '--foo' for sigsnoop");
  EXPECT_EQ(parsed.error().hint, "run with -h to see its options");
  EXPECT_EQ(parse_program_options(options, {"--foo=1"}).error().message,
            "unknown option '--foo' for sigsnoop");
  EXPECT_EQ(parse_program_options(options, {"-xz"}).error().message,
            "unknown option '-z' for sigsnoop");
  EXPECT_EQ(parse_program_options(options, {"stray"}).error().message,
            "unexpected argument 'stray' for sigsnoop");
}

TEST(ProgramOptions, BadAndMissingValues) {
  auto options = make(sigsnoop_meta());
  EXPECT_EQ(parse_program_options(options, {"--pid", "abc"}).error().message,
            "option --pid: 'abc' is not an integer");
  EXPECT_EQ(parse_program_options(options, {"-p", "12x"}).error().message,
            "option -p: '12x' is not an integer");
  EXPECT_EQ(parse_program_options(options, {"--pid"}).error().message,
            "option --pid needs a value <int>");
  EXPECT_EQ(parse_program_options(options, {"--failed=maybe"}).error().message,
            "option --failed: 'maybe' is not a boolean (use true or false)");
  EXPECT_EQ(parse_program_options(options, {"--pid=3000000000"}).error().message,
            "option --pid: '3000000000' is out of range for pid_t (-2147483648..2147483647)");
}

TEST(ProgramOptions, IntegerRangesForEveryWidth) {
  EXPECT_EQ(*one("unsigned int", "4294967295"), bytes_of_program_options<uint32_t>(4294967295u));
  EXPECT_EQ(one("unsigned int", "4294967296").error().message,
            "option --x: '4294967296' is out of range for unsigned int (0..4294967295)");
  EXPECT_EQ(one("unsigned int", "-1").error().message,
            "option --x: '-1' is out of range for unsigned int (0..4294967295)");
  EXPECT_EQ(*one("__u8", "255"), bytes_of_program_options<uint8_t>(255));
  EXPECT_FALSE(one("__u8", "256"));
  EXPECT_EQ(*one("char", "-128"), bytes_of_program_options<int8_t>(-128));
  EXPECT_FALSE(one("signed char", "128"));
  EXPECT_EQ(*one("short", "-32768"), bytes_of_program_options<int16_t>(-32768));
  EXPECT_FALSE(one("short int", "32768"));
  EXPECT_EQ(*one("unsigned short", "65535"), bytes_of_program_options<uint16_t>(65535));
  EXPECT_EQ(*one("long", "-9223372036854775808"), bytes_of_program_options<int64_t>(INT64_MIN));
  EXPECT_FALSE(one("long long", "9223372036854775808"));
  EXPECT_EQ(*one("unsigned long long", "18446744073709551615"),
            bytes_of_program_options<uint64_t>(UINT64_MAX));
  EXPECT_EQ(one("u64", "18446744073709551616").error().message,
            "option --x: '18446744073709551616' is out of range for u64 (0..18446744073709551615)");
  EXPECT_EQ(*one("long unsigned int", "0xff"), bytes_of_program_options<uint64_t>(255));
  EXPECT_EQ(*one("size_t", "1"), bytes_of_program_options<uint64_t>(1));
  EXPECT_EQ(*one("uid_t", "1000"), bytes_of_program_options<uint32_t>(1000));
  EXPECT_EQ(*one("__s64", "-5"), bytes_of_program_options<int64_t>(-5));
  EXPECT_EQ(*one("pid_t", "-2147483648"), bytes_of_program_options<int32_t>(INT32_MIN));
  EXPECT_EQ(*one("const volatile int", "3"), bytes_of_program_options<int32_t>(3));
  EXPECT_EQ(*one("enum level", "2"), bytes_of_program_options<int32_t>(2));
}

TEST(ProgramOptions, FloatsStringsAndBools) {
  EXPECT_EQ(*one("double", "1.5"), bytes_of_program_options<double>(1.5));
  EXPECT_EQ(*one("float", "0.25"), bytes_of_program_options<float>(0.25f));
  EXPECT_EQ(one("double", "x").error().message, "option --x: 'x' is not a number");
  auto comm = *one("char[8]", "bash");
  EXPECT_EQ(comm, (std::vector<uint8_t>{'b', 'a', 's', 'h', 0, 0, 0, 0}));
  EXPECT_TRUE(one("char[8]", "1234567"));
  EXPECT_EQ(one("char[8]", "12345678").error().message,
            "option --x: '12345678' is too long for char[8] (at most 7 bytes)");
  EXPECT_EQ(*one("_Bool", "yes"), std::vector<uint8_t>{1});
  EXPECT_EQ(*one("bool", "off"), std::vector<uint8_t>{0});
}

TEST(ProgramOptions, CTypeClassification) {
  EXPECT_EQ(parse_c_type("unsigned long long")->size, 8u);
  EXPECT_EQ(parse_c_type("unsigned char [16]")->kind, ValueKind::kString);
  EXPECT_EQ(parse_c_type("char[16]")->size, 16u);
  EXPECT_FALSE(parse_c_type("struct foo"));
  EXPECT_FALSE(parse_c_type("int[4]"));
  EXPECT_FALSE(parse_c_type("char *"));
  EXPECT_FALSE(parse_c_type("long double"));
  EXPECT_EQ(parse_c_type("struct foo").error().code, ExitCode::kBadPackage);
}

TEST(ProgramOptions, SectionsDefaultsAndPackageValues) {
  package::Meta meta;
  auto with_default = arg("verbose", "bool", "v", "", "be chatty");
  with_default.cmdarg->default_value = true;
  auto limit = var_program_options("limit", "__u32", "limit");
  limit.value = 10;
  auto counter = var_program_options("counter", "u64");  // .bss without cmdarg: not an option
  counter.value = 5;
  auto in_bss = arg("target", "int", "", "tgt", "target in bss");
  meta.bpf_skel.data_sections.push_back(
      {".rodata", {with_default, limit, var_program_options("cfg", "struct cfg")}});
  meta.bpf_skel.data_sections.push_back({".bss", {counter, in_bss}});
  auto options = make(meta);
  ASSERT_EQ(options.options().size(), 3u);
  EXPECT_EQ(options.options()[2].long_name, "tgt");
  EXPECT_EQ(options.options()[2].section, ".bss");
  EXPECT_NE(options.help_text().find("    -v, --verbose  be chatty (default: true)\n"),
            std::string::npos);

  auto parsed = parse_program_options(options, {"--verbose=false", "--tgt", "3"});
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->assignments.size(), 4u);
  EXPECT_EQ(parsed->assignments[0].value.to_bytes(), std::vector<uint8_t>{0});
  EXPECT_EQ(parsed->assignments[1].variable, "limit");
  EXPECT_EQ(parsed->assignments[1].value.to_bytes(), bytes_of_program_options<uint32_t>(10));
  EXPECT_EQ(parsed->assignments[2].variable, "target");
  EXPECT_EQ(parsed->assignments[3].variable, "counter");
  EXPECT_EQ(parsed->assignments[3].section, ".bss");
}

TEST(ProgramOptions, PackageErrors) {
  package::Meta meta;
  meta.bpf_skel.data_sections.push_back(
      {".rodata", {arg("a", "int", "p", "", ""), arg("b", "int", "p", "", "")}});
  EXPECT_EQ(ProgramOptions::create(meta, "t").error().code, ExitCode::kBadPackage);

  meta.bpf_skel.data_sections = {{".rodata", {arg("a", "struct s", "", "", "")}}};
  EXPECT_EQ(ProgramOptions::create(meta, "t").error().code, ExitCode::kBadPackage);

  auto bad = arg("a", "u8", "", "", "");
  bad.cmdarg->default_value = 300;
  meta.bpf_skel.data_sections = {{".rodata", {bad}}};
  auto result = ProgramOptions::create(meta, "t");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("out of range for u8"), std::string::npos);

  meta.bpf_skel.data_sections = {{".rodata", {arg("a", "int", "h", "", "")}}};
  EXPECT_FALSE(ProgramOptions::create(meta, "t"));
}

}  // namespace
}  // namespace lmp::package
