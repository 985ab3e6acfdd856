# ---- dma_bench (models/dma engine, models/os/dma_alloc; owner: the DMA model) ----
add_executable(dma_bench bench/dma_bench.cpp)
target_compile_options(dma_bench PRIVATE ${MEMSIM_WARNINGS})
target_link_libraries(dma_bench PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,memsim_plain>")
# ---- end dma_bench ----
