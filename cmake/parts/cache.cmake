# ---- cache_bench (models/cache hierarchy; owner: the cache model) ----
add_executable(cache_bench bench/cache_bench.cpp)
target_compile_options(cache_bench PRIVATE ${MEMSIM_WARNINGS})
target_compile_definitions(cache_bench PRIVATE MEMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_link_libraries(cache_bench PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,memsim_plain>")
# ---- end cache_bench ----
