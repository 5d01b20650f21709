# Tests of the journey area: switchboard_add_test(name_test)
switchboard_add_test(identity_test)
switchboard_add_test(journey_merger_test)
switchboard_add_test(journey_property_test)
switchboard_add_test(context_snapshot_test)
# journey_merger_test checks docs/journeys.md's error table against the calls' real codes.
target_compile_definitions(journey_merger_test PRIVATE
                           SWITCHBOARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
switchboard_add_test(snapshot_oracle_test)
# Several threads at once over what the headers call safe to share (const calls of the merger,
# the normalizer, the registry and strategies, the clocks, the pure functions, the simulator's
# runs); built with -fsanitize=thread it is a data-race check (see the test's first comment).
find_package(Threads REQUIRED)
switchboard_add_test(thread_safety_test switchboard::sim Threads::Threads)
target_compile_definitions(thread_safety_test PRIVATE
                           SWITCHBOARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
switchboard_add_test(resolution_oracle_test)
