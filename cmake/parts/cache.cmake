# ---- cache_bench (models/cache hierarchy; owner: the cache model) ----
add_executable(cache_bench bench/cache_bench.cpp)
target_compile_options(cache_bench PRIVATE ${MEMSIM_WARNINGS})
target_compile_definitions(cache_bench PRIVATE MEMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_link_libraries(cache_bench PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,memsim_plain>")
# ---- end cache_bench ----

# ---- cache_sc_bench: the CacheSc/TLM path against the plain Caches (must agree; prints speeds) ----
add_executable(cache_sc_bench bench/cache_sc_bench.cpp)
target_compile_options(cache_sc_bench PRIVATE ${MEMSIM_WARNINGS})
target_compile_definitions(cache_sc_bench PRIVATE MEMSIM_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
target_link_libraries(cache_sc_bench PRIVATE memsim_sc)
# ---- end cache_sc_bench ----
