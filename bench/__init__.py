"""Benchmarks: the real server under load from a second process, each figure a ratio against a bare
Litestar endpoint measured in the same run on the same server. Run with `make bench`."""
