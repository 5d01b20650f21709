# Sources of the routing area: target_sources(switchboard PRIVATE ${CMAKE_CURRENT_LIST_DIR}/file.cc ...)
