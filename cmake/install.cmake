# What `cmake --install` puts beside lmp and the catalog (installed by cmake/catalog.cmake):
#   bin/lmp-hub
#   share/man/man1/lmp.1, lmp-COMMAND.1   generated from the binary's own help text
#   share/bash-completion/completions/lmp, share/zsh/site-functions/_lmp
# An installed lmp finds its catalog at BIN/../share/lmp/catalog (registry/static_repository).
include(GNUInstallDirs)

# Man pages: scripts/gen-man.sh runs `lmp --help` and `lmp COMMAND --help`, so they change
# whenever lmp does (a removed command's page goes with the directory).
set(lmp_man_dir ${CMAKE_BINARY_DIR}/man)
add_custom_command(
  OUTPUT ${lmp_man_dir}/lmp.1
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${lmp_man_dir}
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/gen-man.sh $<TARGET_FILE:lmp> ${lmp_man_dir}
          ${PROJECT_VERSION}
  DEPENDS lmp ${CMAKE_SOURCE_DIR}/scripts/gen-man.sh
  COMMENT "Generating man pages from lmp's help text"
  VERBATIM)
add_custom_target(man ALL DEPENDS ${lmp_man_dir}/lmp.1)

install(TARGETS lmp-hub RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${lmp_man_dir}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        FILES_MATCHING PATTERN "*.1")
install(FILES ${CMAKE_SOURCE_DIR}/completions/lmp.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME lmp)
install(FILES ${CMAKE_SOURCE_DIR}/completions/_lmp
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
