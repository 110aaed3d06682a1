# cmake -P script: install the build in MAS_BINARY_DIR into a fresh prefix under WORK_DIR, then
# configure, build and run the consumer project in CONSUMER_SOURCE_DIR against that prefix only.
cmake_minimum_required(VERSION 3.25)

foreach(var MAS_BINARY_DIR CONSUMER_SOURCE_DIR WORK_DIR CXX_COMPILER GENERATOR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: ${var} is not set")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG RelWithDebInfo)
endif()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})

function(step name)
  message(STATUS "package test: ${name}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "package test: ${name} failed (${result})")
  endif()
endfunction()

step("install into ${prefix}"
  ${CMAKE_COMMAND} --install ${MAS_BINARY_DIR} --prefix ${prefix} --config ${CONFIG})
step("configure the consumer"
  ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${build} -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=${CONFIG}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DMAS_EXPECTED_PREFIX=${prefix})
step("build the consumer" ${CMAKE_COMMAND} --build ${build} --config ${CONFIG})
step("run the consumer" ${build}/mas-consumer)
step("run the mosaik consumer" ${build}/mas-mosaik-consumer)

if(PYTHON_EXECUTABLE)
  step("import the installed Python package"
    ${CMAKE_COMMAND} -E env PYTHONPATH=${prefix}/${PYTHON_INSTALL_DIR} PYTHONDONTWRITEBYTECODE=1
    ${PYTHON_EXECUTABLE} -c "import mas.mosaik, mas._mas, sys; sys.exit(0 if mas._mas.__file__.startswith('${prefix}/') else 1)")
  # Where an install with this build's own prefix puts it, the interpreter looks by itself.
  step("the install directory is on the interpreter's path"
    ${PYTHON_EXECUTABLE} -c "import sys; sys.exit(0 if '${PYTHON_DEFAULT_SITE}' in sys.path else 1)")
endif()
