# PostgreSQL's own client tools and the common drivers against micedb (tests/e2e/clients/):
# psql's meta-commands compared with PostgreSQL 15, pgbench, \copy, psycopg2, psycopg 3,
# asyncpg, SQLAlchemy, pgcli, and libpq from C (libpq_test.c, built here). One ctest entry
# per test_*.py file, run by Debian's /usr/bin/python3; included from cmake/tests.cmake.
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
add_executable(libpq_test ${CMAKE_SOURCE_DIR}/tests/e2e/clients/libpq_test.c)
target_link_libraries(libpq_test PRIVATE PkgConfig::LIBPQ)
set_target_properties(libpq_test PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)

file(GLOB e2e_client_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/clients/test_*.py)
foreach(t ${e2e_client_tests})
  get_filename_component(stem ${t} NAME_WE)
  string(REGEX REPLACE "^test_" "" name ${stem})
  add_test(NAME e2e/clients/${name}
           COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${t}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/e2e/clients)
  set_tests_properties(e2e/clients/${name} PROPERTIES TIMEOUT 300
    ENVIRONMENT "MICEDB_BIN=$<TARGET_FILE:micedb>;MICE_TEST_TMP=${CMAKE_BINARY_DIR}/testtmp;LIBPQ_TEST_BIN=$<TARGET_FILE:libpq_test>")
endforeach()
