# Sources of the wire area: target_sources(switchboard PRIVATE ${CMAKE_CURRENT_LIST_DIR}/file.cc ...)
