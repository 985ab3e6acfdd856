# ---- dram_bench (models/dram DDR3 controller; owner: the dram model) ----
add_executable(dram_bench bench/dram_bench.cpp)
target_compile_options(dram_bench PRIVATE ${MEMSIM_WARNINGS})
target_link_libraries(dram_bench PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,memsim_plain>")
target_compile_definitions(dram_bench PRIVATE MEMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
# ---- end dram_bench ----
