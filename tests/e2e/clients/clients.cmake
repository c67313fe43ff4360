# PostgreSQL's own client tools against micedb (tests/e2e/clients/): psql's meta-commands
# compared with PostgreSQL 15, pgbench, \copy. One ctest entry per file, run by Debian's
# /usr/bin/python3; included from cmake/tests.cmake.
file(GLOB e2e_client_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/clients/test_*.py)
foreach(t ${e2e_client_tests})
  get_filename_component(stem ${t} NAME_WE)
  string(REGEX REPLACE "^test_" "" name ${stem})
  add_test(NAME e2e/clients/${name}
           COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${t}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/e2e/clients)
  set_tests_properties(e2e/clients/${name} PROPERTIES TIMEOUT 300
    ENVIRONMENT "MICEDB_BIN=$<TARGET_FILE:micedb>;MICE_TEST_TMP=${CMAKE_BINARY_DIR}/testtmp")
endforeach()
