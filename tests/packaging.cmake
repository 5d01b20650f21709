# Packaging tests (install + find_package consumer).
