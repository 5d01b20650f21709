# Tests of the routing area: switchboard_add_test(name_test)
switchboard_add_test(router_lifecycle_test)
switchboard_add_test(router_property_test)
