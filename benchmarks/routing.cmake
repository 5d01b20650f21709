# Benchmarks of the routing area: switchboard_add_benchmark(name_benchmark)
switchboard_add_benchmark(router_benchmark)
