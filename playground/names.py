"""Registry names, without the registries: what ``config`` validates against, importable without torch.

model.py (ACTIVATIONS, INITS), optim.py (OPTIMIZERS) and datasets/registry.py (DATASETS) hold the
objects under these keys, in this order (the page lists them so); tests/unit/test_config.py checks
that each registry's keys equal its names. Adding an entry means adding its name here too.
"""

ACTIVATION_NAMES = ("relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid", "softplus", "linear")
INIT_NAMES = ("default", "xavier", "kaiming", "zeros")
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adadelta", "adam", "adamw")
DATASET_NAMES = ("spiral", "circles", "xor", "blobs", "plane", "gaussians", "wine", "pima", "wine_quality",
                 "ionosphere", "mnist", "mnist_full")
# regression (issue 13): the sets whose target is a number; plane and gaussians have no classes at all
REGRESSION_ONLY = ("plane", "gaussians")
REGRESSION_DATASETS = ("wine_quality", *REGRESSION_ONLY)  # wine_quality: the quality score 3-8 as a number
REGRESSION_LOSS_NAMES = ("mse", "mae", "huber")  # regression.LOSSES keys
