# ---- dram_bench (models/dram DDR3 controller; owner: the dram model) ----
add_executable(dram_bench bench/dram_bench.cpp)
target_compile_options(dram_bench PRIVATE ${MEMSIM_WARNINGS})
target_link_libraries(dram_bench PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,memsim_plain>")
target_compile_definitions(dram_bench PRIVATE MEMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
# ---- end dram_bench ----

# ---- memsim_sc_tests (SystemC shells: the DRAM AT target; owner: the dram model) ----
# One binary for tests that elaborate SystemC: each test case elaborates once, and ctest runs
# each test case in its own process (catch_discover_tests), as SystemC requires.
file(GLOB_RECURSE MEMSIM_SC_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/sc/*.cpp)
add_executable(memsim_sc_tests $<TARGET_OBJECTS:memsim_catch_main> ${MEMSIM_SC_TESTS})
target_compile_options(memsim_sc_tests PRIVATE ${MEMSIM_WARNINGS})
target_compile_definitions(memsim_sc_tests PRIVATE MEMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_link_libraries(memsim_sc_tests PRIVATE memsim_sc Catch2::Catch2)
catch_discover_tests(memsim_sc_tests TEST_PREFIX "sc: " EXTRA_ARGS --warn NoTests)
# ---- end memsim_sc_tests ----
