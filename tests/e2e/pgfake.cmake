# pgserver_fake: the PostgreSQL server glue (src/server/pgserver) in front of the fake
# backend of tests/server/support, as a process that psql and psycopg talk to. Included
# from cmake/tests.cmake AFTER tests/e2e/tests.cmake: that file's glob already registers
# tests/e2e/test_pgserver_fake.py as e2e/pgserver_fake; here it gets the binary to run.
if(TARGET mice_server)
  add_executable(pgserver_fake ${CMAKE_SOURCE_DIR}/tests/server/pgserver_fake_main.c
                 ${CMAKE_SOURCE_DIR}/tests/server/support/fake_backend.c)
  target_link_libraries(pgserver_fake PRIVATE mice_server)
  target_include_directories(pgserver_fake PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  set_target_properties(pgserver_fake PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  if(NOT TEST e2e/pgserver_fake)
    add_test(NAME e2e/pgserver_fake
             COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider
                     ${CMAKE_SOURCE_DIR}/tests/e2e/test_pgserver_fake.py)
  endif()
  set_tests_properties(e2e/pgserver_fake PROPERTIES TIMEOUT 300
    ENVIRONMENT "PGSERVER_FAKE_BIN=$<TARGET_FILE:pgserver_fake>;MICE_TEST_TMP=${CMAKE_BINARY_DIR}/testtmp")
endif()
