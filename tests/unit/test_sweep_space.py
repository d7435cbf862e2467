"""Search-space parsing: ranges, choices, ``|`` for values with commas, and errors naming field, value and limit."""
import optuna
import pytest

from playground.config import ConfigError, LayerSpec, RunConfig
from playground.sweep.space import Choice, Range, parse_param, parse_space


def test_ranges_and_choices_parse_with_the_url_codecs():
    space = parse_space(["lr=1e-4:1:log", "epochs=10:50", "batch_size=16,32,128", "layers=16:relu|64:relu,64:relu",
                         "optimizer=sgd,momentum,adam"])  # fmt: skip
    lr, epochs, batch, layers, opt = space.params
    assert lr == Range("lr", 1e-4, 1.0, log=True, is_int=False)
    assert epochs == Range("epochs", 10, 50, log=False, is_int=True)
    assert batch == Choice("batch_size", ("16", "32", "128")) and batch.grid() == [16, 32, 128]
    assert layers == Choice("layers", ("16:relu", "64:relu,64:relu")) and layers.grid() == ["16:relu", "64:relu,64:relu"]
    assert opt.grid() == ["sgd", "momentum", "adam"]
    assert parse_space(space.specs()) == space  # the study stores specs(); a worker parses them back
    cfg = space.config(RunConfig(), {"layers": "64:relu,64:relu", "batch_size": 32, "lr": 0.5})
    assert cfg.layers == (LayerSpec(64, "relu"), LayerSpec(64, "relu")) and (cfg.batch_size, cfg.lr) == (32, 0.5)


def test_text_block_skips_blank_lines_and_comments_and_dashes_become_underscores():
    space = parse_space("lr=0.001,0.01\n\n# the batch\nbatch-size=8:64:log\n")
    assert space.names == ("lr", "batch_size") and space.params[1] == Range("batch_size", 8, 64, True, True)


@pytest.mark.parametrize(("spec", "message"), [
    ("lr=0:1:log", "lr range low == 0 with log scale, must be > 0"),
    ("lr=1e-4:20", "lr == 20.0, must be in (0, 10]"),
    ("lr=1:0.1", "lr range low == 1, must be < high (0.1)"),
    ("lr=1e-3:1:ln", "lr scale == 'ln', must be 'log' or nothing"),
    ("batch_size=16,x", "batch_size == 'x', must be an integer"),
    ("epochs=0:10", "epochs == 0, must be in [1, 100000]"),
    ("momentum=0.5,1.0", "momentum == 1.0, must be in [0, 1)"),
    ("optimizer=sgd,lion", "optimizer == 'lion', must be one of"),
    ("layers=16:relu|0:relu", "hidden units == 0 (layer 1), must be >= 1"),
    ("layers=16:swish", "activation == 'swish' (layer 1), must be one of"),
    ("learning_rate=0.1,1", "search space field == 'learning_rate', must be a RunConfig field"),
    ("lr", "search space item 'lr', must be field=values"),
    ("lr=", "lr == '', must have a range"),
    ("optimizer=sgd,,adam", "optimizer == 'sgd,,adam' has an empty value"),
    ("batch_size=16,16", "batch_size == '16,16' repeats a value"),
])  # fmt: skip
def test_a_bad_item_names_the_field_the_value_and_the_limit(spec, message):
    with pytest.raises(ConfigError, match=None) as err:
        parse_space([spec])
    assert message in str(err.value)


def test_space_level_errors():
    with pytest.raises(ConfigError, match="search space is empty"):
        parse_space(["", "# nothing"])
    with pytest.raises(ConfigError, match="field 'lr' appears twice"):
        parse_space(["lr=0.1,0.2", "lr=0.3:0.4"])


def test_cross_field_limits_are_checked_on_the_corners_of_the_space():
    with pytest.raises(ConfigError) as err:
        parse_space(["val_split=0.2,0.5", "test_split=0.3,0.45"])
    assert "val_split + test_split == 0.95, must be < 0.9" in str(err.value)
    assert "search space value val_split=0.5, test_split=0.45" in str(err.value)
    base = RunConfig(val_split=0.1)
    parse_space(["test_split=0.1:0.7"], base)  # fine on this base
    with pytest.raises(ConfigError, match="val_split \\+ test_split == 0.95"):
        parse_space(["test_split=0.1:0.75"], RunConfig(val_split=0.2))


def test_a_range_on_a_text_field_is_a_choice_and_fails_as_one():
    assert parse_param("layers=64:relu") == Choice("layers", ("64:relu",))
    with pytest.raises(ConfigError, match="scaling == '1:2', must be one of"):
        parse_space(["scaling=1:2"])


def test_grid_values():
    space = parse_space(["lr=1e-4:1:log", "epochs=2:4", "batch_size=8:1000:log", "noise=0:1"])
    grid = space.grid()
    assert grid["lr"] == [1e-4, 0.001, 0.01, 0.1, 1.0]
    assert grid["epochs"] == [2, 3, 4]
    assert grid["batch_size"][0] == 8 and grid["batch_size"][-1] == 1000 and len(grid["batch_size"]) == 5
    assert grid["noise"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert space.grid_size() == 5 * 3 * 5 * 5


def test_every_sampled_config_validates_and_stays_in_the_space():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = parse_space(["lr=1e-4:10:log", "epochs=1:30", "momentum=0:0.99", "layers=4:tanh|8:relu,8:relu",
                         "val_split=0.1:0.4", "test_split=0.1:0.45", "restore_best=0,1"])  # fmt: skip
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(200):
        trial = study.ask()
        cfg = space.suggest(trial, RunConfig())  # RunConfig validates in __post_init__
        assert 1e-4 <= cfg.lr <= 10 and 1 <= cfg.epochs <= 30 and isinstance(cfg.epochs, int)
        assert cfg.val_split + cfg.test_split < 0.9 and isinstance(cfg.restore_best, bool)
        study.tell(trial, 0.0)


def test_the_sweep_package_and_its_commands_import_no_engine():
    """``sweep --help`` and a space check stay quick: torch and optuna load in the workers, when a trial runs."""
    import subprocess
    import sys

    code = ("import sys, playground.sweep, playground.cli.sweep, playground.cli.sweep_worker, playground.sweep.base; "
            "print(sorted(m for m in ('torch', 'optuna', 'sklearn', 'streamlit') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
