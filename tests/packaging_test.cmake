# Script run by ctest (see packaging.cmake). Fails on the first step that does not succeed.
# With BUILD_DIR: installs that build tree. With PROJECT_DIR: first builds the library alone as
# shared libraries from PROJECT_DIR, then installs that.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run_step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${name}: ok")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

if(PROJECT_DIR)
  set(BUILD_DIR ${WORK_DIR}/library-build)
  run_step("configure shared library" ${CMAKE_COMMAND} -S ${PROJECT_DIR} -B ${BUILD_DIR}
           # Unoptimized, without debug info: this checks linkage and exports, not speed, and
           # compiles the library in a fraction of the time.
           -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DBUILD_SHARED_LIBS=ON
           -DSWITCHBOARD_BUILD_TESTS=OFF -DSWITCHBOARD_BUILD_BENCHMARKS=OFF
           -DSWITCHBOARD_BUILD_EXAMPLES=OFF -DSWITCHBOARD_BUILD_TOOLS=OFF)
  run_step("build shared library" ${CMAKE_COMMAND} --build ${BUILD_DIR} --target switchboard)
endif()

set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
run_step("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} ${config_args})
run_step("configure consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build
         -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run_step("build consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run_step("run consumer" ${WORK_DIR}/build/consumer)
if(NOT last_output MATCHES "find_package consumer OK")
  message(FATAL_ERROR "consumer printed: ${last_output}")
endif()
message(STATUS "${last_output}")
