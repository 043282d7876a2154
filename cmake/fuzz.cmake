# libFuzzer targets: every src/<module>/*_fuzz.cpp becomes <name> (e.g. package_fuzz),
# linked against its module library. Off by default; needs clang:
#
#   cmake -S . -B build-fuzz -G Ninja -DLMP_FUZZ=ON \
#     -DCMAKE_C_COMPILER=clang-16 -DCMAKE_CXX_COMPILER=clang++-16
#   ninja -C build-fuzz package_fuzz
#   ./build-fuzz/package_fuzz -max_total_time=60 build-fuzz/corpus/package
#
# Debian's clang-16 + libclang-rt-16-dev provide -fsanitize=fuzzer. (clang 14 cannot
# compile libstdc++'s <expected>, which lmp::Result uses.)
#
# Without clang, -DLMP_FUZZ_REPLAY=ON builds the same targets with the project's compiler
# and cmake/fuzz_replay.cpp as main(): each runs the inputs (files or directories) it is
# given once. scripts/fuzz.sh picks one of the two and runs every target on its seeds
# (src/<module>/fuzz_seeds; object_fuzz: src/loader/fuzz_seeds/object).
option(LMP_FUZZ "Build libFuzzer fuzzers (needs clang >= 16)" OFF)
option(LMP_FUZZ_REPLAY "Build the fuzz targets as corpus replayers (any compiler)" OFF)
file(GLOB lmp_fuzz_srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/*/*_fuzz.cpp)
# A target that needs only a few files of a large module names them here, and is built from
# them (instrumented) with lmp_common instead of its whole module library.
set(object_evidence_fuzz_sources ${CMAKE_SOURCE_DIR}/src/compiler/bpf_elf.cpp
                                 ${CMAKE_SOURCE_DIR}/src/compiler/record_evidence.cpp
                                 ${CMAKE_SOURCE_DIR}/src/compiler/global_writes.cpp)
function(lmp_fuzz_executable fuzzer src module)
  if(DEFINED ${fuzzer}_sources)
    add_executable(${fuzzer} ${src} ${${fuzzer}_sources} ${ARGN})
    target_link_libraries(${fuzzer} PRIVATE lmp_common)
    target_include_directories(${fuzzer} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  else()
    add_executable(${fuzzer} ${src} ${ARGN})
    target_link_libraries(${fuzzer} PRIVATE lmp_${module})
  endif()
endfunction()
if(LMP_FUZZ_REPLAY AND NOT LMP_FUZZ)
  foreach(src ${lmp_fuzz_srcs})
    get_filename_component(fuzzer ${src} NAME_WE)
    get_filename_component(module_dir ${src} DIRECTORY)
    get_filename_component(module ${module_dir} NAME)
    lmp_fuzz_executable(${fuzzer} ${src} ${module} ${CMAKE_SOURCE_DIR}/cmake/fuzz_replay.cpp)
  endforeach()
  return()
endif()
if(NOT LMP_FUZZ)
  return()
endif()

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
  message(FATAL_ERROR "LMP_FUZZ needs clang >= 16 (e.g. -DCMAKE_CXX_COMPILER=clang++-16)")
endif()

# Clang 16-18 implement what libstdc++'s <expected> needs (conditionally trivial
# special members) but still report __cpp_concepts as 201907L, which hides it.
if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 19)
  string(APPEND CMAKE_CXX_FLAGS " -D__cpp_concepts=202002L -Wno-macro-redefined")
endif()
# clang warns where GCC does not (registry/curl_dynamic.cpp: va_start after an enum
# parameter); the fuzz build reports such warnings without failing on them.
string(APPEND CMAKE_CXX_FLAGS " -Wno-error=varargs")

set(lmp_fuzz_flags -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                   -fno-sanitize-recover=all)

foreach(src ${lmp_fuzz_srcs})
  get_filename_component(fuzzer ${src} NAME_WE)
  get_filename_component(module_dir ${src} DIRECTORY)
  get_filename_component(module ${module_dir} NAME)
  lmp_fuzz_executable(${fuzzer} ${src} ${module})
  target_compile_options(${fuzzer} PRIVATE -fsanitize=fuzzer,address,undefined
                                           -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(${fuzzer} PRIVATE -fsanitize=fuzzer,address,undefined)
endforeach()

# Instrument the libraries the fuzzers exercise, so coverage guides the search.
foreach(lib lmp_common lmp_package lmp_loader lmp_registry lmp_wasm)
  target_compile_options(${lib} PRIVATE ${lmp_fuzz_flags})
endforeach()
