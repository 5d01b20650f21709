# Tests of the wire area: switchboard_add_test(name_test)
switchboard_add_test(core_convert_test)
switchboard_add_test(core_convert_garbage_test)
