#include "wasm/guest_memory.h"

#include <cstring>

namespace lmp::wasm {

std::optional<std::span<uint8_t>> GuestMemory::bytes(uint32_t ptr, uint32_t len) const {
  if (!view_) return std::nullopt;
  std::span<uint8_t> memory = view_();
  if (uint64_t{ptr} + uint64_t{len} > memory.size()) return std::nullopt;
  if (len == 0) return std::span<uint8_t>{};
  return memory.subspan(ptr, len);
}

std::optional<std::string> GuestMemory::c_string(uint32_t ptr) const {
  if (!view_) return std::nullopt;
  std::span<uint8_t> memory = view_();
  uint64_t size = memory.size();
  if (ptr >= size) return std::nullopt;
  const uint8_t* start = memory.data() + ptr;
  const void* nul = std::memchr(start, 0, size - ptr);
  if (!nul) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(start),
                     static_cast<const uint8_t*>(nul) - start);
}

template <typename T>
std::optional<T> GuestMemory::load(uint32_t ptr) const {
  auto span = bytes(ptr, sizeof(T));
  if (!span) return std::nullopt;
  T value;
  std::memcpy(&value, span->data(), sizeof(T));  // wasm is little-endian, like the host
  return value;
}

template <typename T>
bool GuestMemory::store(uint32_t ptr, T value) const {
  auto span = bytes(ptr, sizeof(T));
  if (!span) return false;
  std::memcpy(span->data(), &value, sizeof(T));
  return true;
}

std::optional<uint32_t> GuestMemory::load_u32(uint32_t ptr) const {
  return load<uint32_t>(ptr);
}
std::optional<uint64_t> GuestMemory::load_u64(uint32_t ptr) const {
  return load<uint64_t>(ptr);
}
bool GuestMemory::store_u8(uint32_t ptr, uint8_t value) const {
  return store(ptr, value);
}
bool GuestMemory::store_u16(uint32_t ptr, uint16_t value) const {
  return store(ptr, value);
}
bool GuestMemory::store_u32(uint32_t ptr, uint32_t value) const {
  return store(ptr, value);
}
bool GuestMemory::store_u64(uint32_t ptr, uint64_t value) const {
  return store(ptr, value);
}

}  // namespace lmp::wasm
