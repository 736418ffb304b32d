"""Waiting in a test for something another thread does, with a deadline."""

import time


def wait_until(condition, timeout: float = 5.0) -> bool:
    """Whether ``condition()`` became true within ``timeout`` seconds (looked at every 5 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.005)
    return False
