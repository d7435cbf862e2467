"""The claims suite prints what it measured: every lesson's sentence per seed, after the test results."""
import pytest

MEASURED = pytest.StashKey[list]()


@pytest.fixture
def measured_log(request) -> list:
    """(lesson id, seed, held, sentence, seconds) rows, shown by pytest_terminal_summary."""
    return request.config.stash.setdefault(MEASURED, [])


def pytest_terminal_summary(terminalreporter, config):
    rows = config.stash.get(MEASURED, [])
    if not rows:
        return
    terminalreporter.section("lesson claims: measured")
    for lesson_id, seed, held, sentence, seconds in sorted(rows, key=lambda r: r[:2]):
        terminalreporter.write_line(f"{lesson_id} seed {seed} {'held' if held else 'FAILED'} ({seconds:.1f} s): {sentence}")
