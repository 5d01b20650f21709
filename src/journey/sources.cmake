# Sources of the journey area: target_sources(switchboard PRIVATE ${CMAKE_CURRENT_LIST_DIR}/file.cc ...)
target_sources(switchboard PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/context_snapshot.cc
    ${CMAKE_CURRENT_LIST_DIR}/customer_summary.cc
    ${CMAKE_CURRENT_LIST_DIR}/identity.cc
    ${CMAKE_CURRENT_LIST_DIR}/in_memory_journey_store.cc
    ${CMAKE_CURRENT_LIST_DIR}/journey_merger.cc
    ${CMAKE_CURRENT_LIST_DIR}/resolver.cc
    ${CMAKE_CURRENT_LIST_DIR}/siphash.cc
    ${CMAKE_CURRENT_LIST_DIR}/trait_reconciliation.cc
)
