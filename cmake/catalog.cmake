# Builds every tool under catalog/ with the just-built lmp and turns the results into the
# bundled static repository build/catalog (index.json + NAME/ + NAME/VERSION/), which
# lmp searches after the local cache. Installed to share/lmp/catalog, with the public key
# that signed it (catalog.pub).
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

# The catalog is signed (docs/signing.md) by a key made for this build tree: generated once,
# when missing (the command has no dependencies, so nothing reruns it), kept in the build
# directory and never installed. Only its public key goes with the catalog
# (CATALOG/catalog.pub), and lmp trusts it for the catalog's packages. Signatures are
# deterministic (ed25519): the same key and files give the same lmp.sig.
set(lmp_catalog_key ${CMAKE_BINARY_DIR}/catalog-key/catalog.key)
add_custom_command(
  OUTPUT ${lmp_catalog_key}
  COMMAND lmp key generate catalog --out ${CMAKE_BINARY_DIR}/catalog-key
  COMMENT "lmp key generate: the key that signs the bundled catalog"
  VERBATIM)
set(lmp_catalog_dirs)
foreach(package ${lmp_catalog_packages})
  get_filename_component(package_dir ${package} DIRECTORY)
  list(APPEND lmp_catalog_dirs ${package_dir})
endforeach()
list(REMOVE_DUPLICATES lmp_catalog_dirs)
set(lmp_catalog_sign)
foreach(package_dir ${lmp_catalog_dirs})
  list(APPEND lmp_catalog_sign COMMAND lmp sign ${package_dir} --key ${lmp_catalog_key})
endforeach()

add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/catalog/index.json
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${CMAKE_BINARY_DIR}/catalog
  ${lmp_catalog_sign}
  COMMAND lmp repo build ${CMAKE_BINARY_DIR}/catalog-packages ${CMAKE_BINARY_DIR}/catalog
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_BINARY_DIR}/catalog-key/catalog.pub
          ${CMAKE_BINARY_DIR}/catalog/catalog.pub
  DEPENDS lmp ${lmp_catalog_packages} ${lmp_catalog_key}
  COMMENT "lmp repo build: bundled catalog, signed"
  VERBATIM)
add_custom_target(catalog ALL DEPENDS ${CMAKE_BINARY_DIR}/catalog/index.json)

install(TARGETS lmp RUNTIME DESTINATION bin)
install(DIRECTORY ${CMAKE_BINARY_DIR}/catalog/ DESTINATION share/lmp/catalog)
