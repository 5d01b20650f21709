# Tests of the journey area: switchboard_add_test(name_test)
switchboard_add_test(identity_test)
switchboard_add_test(journey_merger_test)
switchboard_add_test(journey_property_test)
