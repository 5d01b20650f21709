# Packaging: install the build into a temporary prefix, then configure, build and run
# examples/find_package_consumer against it with find_package(switchboard CONFIG REQUIRED).
add_test(NAME packaging:find_package_consumer
         COMMAND ${CMAKE_COMMAND}
                 -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DSOURCE_DIR=${PROJECT_SOURCE_DIR}/examples/find_package_consumer
                 -DWORK_DIR=${PROJECT_BINARY_DIR}/packaging-test
                 -DGENERATOR=${CMAKE_GENERATOR}
                 -DCONFIG=$<CONFIG>
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/packaging_test.cmake)
set_tests_properties(packaging:find_package_consumer PROPERTIES TIMEOUT 300)
