# Tests of the metrics area: switchboard_add_test(name_test)
