#include "package/bpf_object.h"

#include "package/base64.h"
#include "package/package.h"
#include "package/zlib_codec.h"

namespace lmp::package {
namespace {

constexpr uint8_t kElfClass32 = 1;
constexpr uint8_t kElfClass64 = 2;
constexpr uint8_t kElfDataLsb = 1;
constexpr uint8_t kElfDataMsb = 2;
constexpr uint16_t kEmBpf = 247;
constexpr std::size_t kElf32HeaderSize = 52;
constexpr std::size_t kElf64HeaderSize = 64;
constexpr std::size_t kMachineOffset = 18;  // e_machine, same place in both classes

std::unexpected<Error> bad(std::string message) {
  return fail(ExitCode::kBadPackage, std::move(message));
}

}  // namespace

Result<void> check_bpf_elf(std::span<const uint8_t> object) {
  if (object.size() < 4 || object[0] != 0x7f || object[1] != 'E' || object[2] != 'L' ||
      object[3] != 'F') {
    return bad("not an ELF object (no \\x7fELF magic at the start)");
  }
  if (object.size() < 6) return bad("ELF header is truncated");
  uint8_t elf_class = object[4];
  uint8_t data = object[5];
  if (elf_class != kElfClass32 && elf_class != kElfClass64) {
    return bad("ELF class " + std::to_string(elf_class) + " is neither 32-bit nor 64-bit");
  }
  std::size_t header = elf_class == kElfClass64 ? kElf64HeaderSize : kElf32HeaderSize;
  if (object.size() < header) {
    return bad("ELF header is truncated (" + std::to_string(object.size()) + " bytes, need " +
               std::to_string(header) + ")");
  }
  if (data != kElfDataLsb && data != kElfDataMsb) {
    return bad("ELF byte order " + std::to_string(data) + " is neither little nor big endian");
  }
  uint16_t lo = object[kMachineOffset];
  uint16_t hi = object[kMachineOffset + 1];
  uint16_t machine = data == kElfDataLsb ? static_cast<uint16_t>(lo | (hi << 8))
                                         : static_cast<uint16_t>(hi | (lo << 8));
  if (machine != kEmBpf) {
    return bad("ELF machine is " + std::to_string(machine) +
               ", expected EM_BPF (247): " + "this object was not compiled for BPF");
  }
  return {};
}

Result<std::vector<uint8_t>> decode_bpf_object(std::string_view base64_text, uint64_t size) {
  if (size > kMaxBpfObjectBytes) {
    return bad("bpf_object_size: " + std::to_string(size) + " bytes is over the limit of " +
               std::to_string(kMaxBpfObjectBytes) + " bytes (256 MiB)");
  }
  auto compressed = base64_decode(base64_text);
  if (!compressed) return std::unexpected(std::move(compressed.error()).context("bpf_object"));
  if (compressed->size() >= 4 && (*compressed)[0] == 0x7f && (*compressed)[1] == 'E' &&
      (*compressed)[2] == 'L' && (*compressed)[3] == 'F') {
    return bad("bpf_object: holds a plain ELF object; it must be zlib-compressed, then base64");
  }
  auto object = zlib_inflate(*compressed, static_cast<std::size_t>(size));
  if (!object) return std::unexpected(std::move(object.error()).context("bpf_object"));
  if (object->size() > size) {
    return bad("bpf_object_size: " + std::to_string(size) +
               " does not match bpf_object, which inflates to more than that");
  }
  if (object->size() < size) {
    return bad("bpf_object_size: " + std::to_string(size) +
               " does not match bpf_object, which inflates to " + std::to_string(object->size()) +
               " bytes");
  }
  auto elf = check_bpf_elf(*object);
  if (!elf) return std::unexpected(std::move(elf.error()).context("bpf_object"));
  return std::move(*object);
}

std::string encode_bpf_object(std::span<const uint8_t> object) {
  return base64_encode(zlib_compress(object));
}

}  // namespace lmp::package
