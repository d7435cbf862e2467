"""Stand-ins for playground.race_task.compute that fail in the race worker process.

Module-level so they pickle by reference into the worker, which imports this module by name (pytest
puts tests/app on sys.path, and a spawned child inherits sys.path).
"""
import os


def raises(config: dict):
    raise RuntimeError(f"boom on {config['surface']}")


def crashes(config: dict):
    os._exit(7)  # like a segfault or the OOM killer: no exception, no reply
