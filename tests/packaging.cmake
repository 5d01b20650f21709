# Packaging: install into a temporary prefix, then configure, build and run
# examples/find_package_consumer against it with find_package(switchboard CONFIG REQUIRED).
# The static test installs this build tree; the shared test builds the library alone with
# BUILD_SHARED_LIBS=ON (hidden symbols, exported API) and links the consumer against that.
add_test(NAME packaging:find_package_consumer_static
         COMMAND ${CMAKE_COMMAND}
                 -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DSOURCE_DIR=${PROJECT_SOURCE_DIR}/examples/find_package_consumer
                 -DWORK_DIR=${PROJECT_BINARY_DIR}/packaging-static
                 -DGENERATOR=${CMAKE_GENERATOR}
                 -DCONFIG=$<CONFIG>
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/packaging_test.cmake)
add_test(NAME packaging:find_package_consumer_shared
         COMMAND ${CMAKE_COMMAND}
                 -DPROJECT_DIR=${PROJECT_SOURCE_DIR}
                 -DSOURCE_DIR=${PROJECT_SOURCE_DIR}/examples/find_package_consumer
                 -DWORK_DIR=${PROJECT_BINARY_DIR}/packaging-shared
                 -DGENERATOR=${CMAKE_GENERATOR}
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/packaging_test.cmake)
set_tests_properties(packaging:find_package_consumer_static packaging:find_package_consumer_shared
                     PROPERTIES TIMEOUT 900)
