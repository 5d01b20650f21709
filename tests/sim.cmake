# Tests of the simulator: switchboard_add_test(name_test switchboard::sim)
