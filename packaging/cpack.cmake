# The Debian package: `cpack -G DEB` in a build dir gives piotd_<version>_amd64.deb
# (docs/operations.md). Maintainer scripts are in packaging/deb/.
install(TARGETS piotctl RUNTIME DESTINATION bin)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/piotd.service DESTINATION lib/systemd/system)
# A conffile: shipped with an empty password, which postinst fills in once per machine.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/piotd.conf DESTINATION /etc/piotd
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/api.md
              ${CMAKE_SOURCE_DIR}/docs/configuration.md ${CMAKE_SOURCE_DIR}/docs/replication.md
              ${CMAKE_SOURCE_DIR}/docs/operations.md ${CMAKE_SOURCE_DIR}/docs/piotctl.md
        DESTINATION share/doc/piotd)
# The monitoring template (packaging/monitoring/README.md).
install(FILES ${CMAKE_SOURCE_DIR}/packaging/monitoring/zabbix_piotd_by_http.yaml
              ${CMAKE_SOURCE_DIR}/packaging/monitoring/README.md
        DESTINATION share/doc/piotd/monitoring)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME piotd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "piotd maintainers <piotd@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "marking-code check module for cash registers (Chestny Znak local module API)")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # piotd_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# useradd/userdel (passwd) and runuser (util-linux) are essential on Debian; nothing else needed.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/deb/conffiles ${CMAKE_SOURCE_DIR}/packaging/deb/postinst
    ${CMAKE_SOURCE_DIR}/packaging/deb/prerm ${CMAKE_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
