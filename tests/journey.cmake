# Tests of the journey area: switchboard_add_test(name_test)
switchboard_add_test(identity_test)
switchboard_add_test(journey_merger_test)
switchboard_add_test(journey_property_test)
switchboard_add_test(context_snapshot_test)
# journey_merger_test checks docs/journeys.md's error table against the calls' real codes.
target_compile_definitions(journey_merger_test PRIVATE
                           SWITCHBOARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
switchboard_add_test(snapshot_oracle_test)
