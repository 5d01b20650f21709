# Sources of the metrics area: queueing formulas (Erlang B/C/A, staffing) and contact-center
# measures (service level, ASA, abandonment, occupancy, AHT, FCR, CSAT/NPS/CES, confidence
# intervals).
target_sources(switchboard PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/confidence.cc
    ${CMAKE_CURRENT_LIST_DIR}/customer_measures.cc
    ${CMAKE_CURRENT_LIST_DIR}/erlang.cc
    ${CMAKE_CURRENT_LIST_DIR}/erlang_a.cc
    ${CMAKE_CURRENT_LIST_DIR}/queue_measures.cc
    ${CMAKE_CURRENT_LIST_DIR}/staffing.cc
)
