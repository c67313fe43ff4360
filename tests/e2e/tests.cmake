# End-to-end tests: real micedb processes driven by real clients, written with pytest and
# run by Debian's /usr/bin/python3 (which sees python3-psycopg, python3-pytest, ...).
# Each tests/e2e/test_*.py is one ctest entry; MICEDB_BIN points at this build's binary.
file(GLOB e2e_tests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/test_*.py)
foreach(t ${e2e_tests})
  get_filename_component(stem ${t} NAME_WE)
  string(REGEX REPLACE "^test_" "" name ${stem})
  add_test(NAME e2e/${name}
           COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider ${t})
  set_tests_properties(e2e/${name} PROPERTIES TIMEOUT 300
    ENVIRONMENT "MICEDB_BIN=$<TARGET_FILE:micedb>;MICE_TEST_TMP=${CMAKE_BINARY_DIR}/testtmp")
endforeach()
