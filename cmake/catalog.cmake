# Builds every tool under catalog/ with the just-built lmp and turns the results into the
# bundled static repository build/catalog (index.json + NAME/ + NAME/VERSION/), which
# lmp searches after the local cache. Installed to share/lmp/catalog.
#
# A tool whose directory holds app.c has a WebAssembly user space: its package directory
# gets app.wasm beside package.json (the layout LMP publishes; `lmp run NAME` prefers
# app.wasm). The generated headers are not in the source tree: the tool is copied to
# build/catalog-wasm/NAME, where `lmp gen-wasm-skel` (which keeps app.c) and
# `lmp build-wasm` run.
file(GLOB lmp_catalog_entries LIST_DIRECTORIES true CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/catalog/*)
set(lmp_catalog_packages)
foreach(dir ${lmp_catalog_entries})
  if(NOT IS_DIRECTORY ${dir})
    continue()
  endif()
  get_filename_component(name ${dir} NAME)
  file(GLOB tool_sources CONFIGURE_DEPENDS ${dir}/*)
  set(out ${CMAKE_BINARY_DIR}/catalog-packages/${name})
  # A tool without app.c must not keep publishing an app.wasm built before its app.c was
  # removed: the extra step also changes the command, so ninja reruns it then.
  set(remove_stale_wasm)
  if(NOT EXISTS ${dir}/app.c)
    set(remove_stale_wasm COMMAND ${CMAKE_COMMAND} -E rm -f ${out}/app.wasm)
  endif()
  add_custom_command(
    OUTPUT ${out}/package.json
    COMMAND lmp build ${dir} -o ${out} ${remove_stale_wasm}
    DEPENDS lmp ${tool_sources}
    COMMENT "lmp build catalog/${name}"
    VERBATIM)
  list(APPEND lmp_catalog_packages ${out}/package.json)
  if(EXISTS ${dir}/app.c)
    set(work ${CMAKE_BINARY_DIR}/catalog-wasm/${name})
    add_custom_command(
      OUTPUT ${out}/app.wasm
      COMMAND ${CMAKE_COMMAND} -E rm -rf ${work}
      COMMAND ${CMAKE_COMMAND} -E copy_directory ${dir} ${work}
      COMMAND ${CMAKE_COMMAND} -E copy ${out}/package.json ${work}/package.json
      COMMAND lmp gen-wasm-skel ${work}
      COMMAND lmp build-wasm ${work}
      COMMAND ${CMAKE_COMMAND} -E copy ${work}/app.wasm ${out}/app.wasm
      DEPENDS lmp ${out}/package.json ${tool_sources}
      COMMENT "lmp build-wasm catalog/${name}"
      VERBATIM)
    list(APPEND lmp_catalog_packages ${out}/app.wasm)
  endif()
endforeach()

add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/catalog/index.json
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${CMAKE_BINARY_DIR}/catalog
  COMMAND lmp repo build ${CMAKE_BINARY_DIR}/catalog-packages ${CMAKE_BINARY_DIR}/catalog
  DEPENDS lmp ${lmp_catalog_packages}
  COMMENT "lmp repo build: bundled catalog"
  VERBATIM)
add_custom_target(catalog ALL DEPENDS ${CMAKE_BINARY_DIR}/catalog/index.json)

install(TARGETS lmp RUNTIME DESTINATION bin)
install(DIRECTORY ${CMAKE_BINARY_DIR}/catalog/ DESTINATION share/lmp/catalog)
