# sqllogictest conformance (tests/slt/README.md). The files are third-party data in
# ../shared/slt (MICE_SLT_DIR overrides); when that folder is absent the entries skip.
# slt/runner proves the runner catches wrong answers; slt/<file> entries run select1-5 and
# a sample of the rest against a fresh micedb each and fail when a file passes fewer records
# than tests/slt/expected.txt records for it (numbers that only go up).
set(MICE_SLT_DIR "${CMAKE_SOURCE_DIR}/../shared/slt" CACHE PATH "sqllogictest files")
set(slt_env "MICEDB_BIN=$<TARGET_FILE:micedb>;MICE_TEST_TMP=${CMAKE_BINARY_DIR}/testtmp")

add_test(NAME slt/runner
         COMMAND /usr/bin/python3 -m pytest -q -p no:cacheprovider
                 ${CMAKE_SOURCE_DIR}/tests/slt/test_runner.py)
set_tests_properties(slt/runner PROPERTIES TIMEOUT 300 ENVIRONMENT "${slt_env}")

# name -> files (as the runner names them, relative to MICE_SLT_DIR)
set(slt_groups
  "select1|select1.test"
  "select2|select2.test"
  "select3|select3.test"
  "select4|select4.test"
  "select5|select5.test"
  "sample|index/between/10/slt_good_1.test,index/in/10/slt_good_5.test,index/delete/10/slt_good_4.test,index/orderby/100/slt_good_3.test,random/groupby/slt_good_9.test")
foreach(g ${slt_groups})
  string(REPLACE "|" ";" parts "${g}")
  string(REPLACE "," ";" parts "${parts}")
  list(GET parts 0 name)
  list(REMOVE_AT parts 0)
  set(only "")
  foreach(f ${parts})
    list(APPEND only --only ${f})
  endforeach()
  add_test(NAME slt/${name}
           COMMAND /usr/bin/python3 ${CMAKE_SOURCE_DIR}/tests/slt/slt.py --quiet
                   --expect ${CMAKE_SOURCE_DIR}/tests/slt/expected.txt ${only} ${MICE_SLT_DIR})
  set_tests_properties(slt/${name} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                       ENVIRONMENT "${slt_env}")
endforeach()
