# What `cmake --install` puts where: the libraries and their headers under
# include/tether (component dev) with a CMake package and a pkg-config file,
# and the node with its systemd unit (component node, the Debian package).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(tether_libraries tether_base tether_codec tether_containers
  tether_transport tether_config tether_security tether_records tether_store
  tether_actors tether_js tether_client tether_node)
install(TARGETS ${tether_libraries} EXPORT TetherTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
foreach(dir actors codec config containers records store security transport
    clients/cpp)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tether/${dir} COMPONENT dev
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*.ipp")
endforeach()

set(tether_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/Tether)
install(EXPORT TetherTargets NAMESPACE Tether:: DESTINATION ${tether_cmake_dir}
  COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/TetherConfig.cmake.in
  ${PROJECT_BINARY_DIR}/TetherConfig.cmake INSTALL_DESTINATION ${tether_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/TetherConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/TetherConfig.cmake
  ${PROJECT_BINARY_DIR}/TetherConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/caf.cmake
  DESTINATION ${tether_cmake_dir} COMPONENT dev)
configure_file(${PROJECT_SOURCE_DIR}/cmake/tether.pc.in
  ${PROJECT_BINARY_DIR}/tether.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tether.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

install(TARGETS tether-node tetherctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  COMPONENT node)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/tether-node.service
  DESTINATION lib/systemd/system COMPONENT node)
# The package's postinst copies it to /etc/tether/tether.conf when that is
# missing, so that an edited one survives upgrades.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/tether.conf
  DESTINATION ${CMAKE_INSTALL_DATADIR}/tether COMPONENT node)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
  DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tether-node COMPONENT node)

# cpack -G DEB: the node alone, as tether-node_VERSION_ARCH.deb.
set(CPACK_PACKAGE_NAME tether-node)
set(CPACK_PACKAGE_VENDOR "Tether")
set(CPACK_PACKAGE_CONTACT "Tether developers <tether@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Tether node: WebSocket sessions that survive dropped connections")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL node)
set(CPACK_DEBIAN_NODE_PACKAGE_NAME tether-node)
set(CPACK_DEBIAN_NODE_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_NODE_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_NODE_PACKAGE_SECTION net)
set(CPACK_DEBIAN_NODE_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_NODE_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
