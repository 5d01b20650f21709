# Tests of the journey area: switchboard_add_test(name_test)
