# Sources of the wire area: conversions between the core types and their protobuf messages.
target_sources(switchboard PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/enum_convert.cc
    ${CMAKE_CURRENT_LIST_DIR}/object_convert.cc
    ${CMAKE_CURRENT_LIST_DIR}/part_convert.cc
)
