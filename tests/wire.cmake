# Tests of the wire area: switchboard_add_test(name_test)
