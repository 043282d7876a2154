// Bounds-checked access to a guest's linear memory. Every pointer and length a guest passes
// goes through here; nothing else touches the memory's bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace lmp::wasm {

class GuestMemory {
 public:
  // The guest's memory as it is now: its base and size in bytes. Asked at every access, since
  // memory.grow may move or grow it. Each engine binds its own (wabt's Memory, wasm-rt's).
  using View = std::function<std::span<uint8_t>()>;
  // Binds the guest's exported memory; unbound, every access fails.
  void bind(View view) { view_ = std::move(view); }

  // The bytes [ptr, ptr + len), or nullopt when any of them lies outside memory.
  // Valid until the guest runs again (memory.grow may move it).
  std::optional<std::span<uint8_t>> bytes(uint32_t ptr, uint32_t len) const;
  // The NUL-terminated string at ptr; nullopt when no NUL is found within memory.
  std::optional<std::string> c_string(uint32_t ptr) const;

  std::optional<uint32_t> load_u32(uint32_t ptr) const;
  std::optional<uint64_t> load_u64(uint32_t ptr) const;
  bool store_u8(uint32_t ptr, uint8_t value) const;
  bool store_u16(uint32_t ptr, uint16_t value) const;
  bool store_u32(uint32_t ptr, uint32_t value) const;
  bool store_u64(uint32_t ptr, uint64_t value) const;

 private:
  template <typename T>
  std::optional<T> load(uint32_t ptr) const;
  template <typename T>
  bool store(uint32_t ptr, T value) const;

  View view_;
};

}  // namespace lmp::wasm
