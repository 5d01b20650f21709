# Tests of the routing area: switchboard_add_test(name_test)
