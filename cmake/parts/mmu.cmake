# ---- mmu_bench (models/mmu; owner: the MMU model) ----
add_executable(mmu_bench bench/mmu_bench.cpp)
target_compile_options(mmu_bench PRIVATE ${MEMSIM_WARNINGS})
target_link_libraries(mmu_bench PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,memsim_plain>")
# ---- end mmu_bench ----
