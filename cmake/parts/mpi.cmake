# MPI for `memsim sweep` across machines (sim/cli/sweep_mpi.cpp; owner: compare/sweep). Optional:
# without an MPI library memsim builds the same and `memsim sweep` runs locally only.
# Debian: openmpi-bin libopenmpi-dev (scripts/setup.sh).
option(MEMSIM_MPI "Build memsim sweep's MPI driver when an MPI library is found" ON)
if(MEMSIM_MPI)
  find_package(MPI COMPONENTS C QUIET)
endif()
if(MEMSIM_MPI AND MPI_C_FOUND)
  message(STATUS "memsim: MPI ${MPI_C_VERSION} found: memsim sweep runs under mpirun/srun")
  target_link_libraries(memsim_sc PUBLIC MPI::MPI_C)
  # The C API only: mpi.h would otherwise pull in the deprecated C++ bindings (libmpi_cxx).
  target_compile_definitions(memsim_sc PRIVATE MEMSIM_HAVE_MPI=1 OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
  find_program(MEMSIM_MPIEXEC NAMES mpirun mpiexec)
  if(MEMSIM_MPIEXEC AND TARGET memsim_e2e_tests)
    target_compile_definitions(memsim_e2e_tests PRIVATE MEMSIM_MPIRUN="${MEMSIM_MPIEXEC}")
  endif()
else()
  message(STATUS "memsim: no MPI: memsim sweep runs on this machine only")
endif()
