# Sources of the routing area (the Router, its strategies and selectors).
target_sources(switchboard PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/indexed_selector.cc
    ${CMAKE_CURRENT_LIST_DIR}/model.cc
    ${CMAKE_CURRENT_LIST_DIR}/names.cc
    ${CMAKE_CURRENT_LIST_DIR}/router.cc
    ${CMAKE_CURRENT_LIST_DIR}/router_config.cc
    ${CMAKE_CURRENT_LIST_DIR}/router_lifecycle.cc
    ${CMAKE_CURRENT_LIST_DIR}/router_queries.cc
    ${CMAKE_CURRENT_LIST_DIR}/scan_selector.cc
    ${CMAKE_CURRENT_LIST_DIR}/strategies.cc
)
