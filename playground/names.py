"""Registry names, without the registries: what ``config`` validates against, importable without torch.

model.py (ACTIVATIONS, INITS), optim.py (OPTIMIZERS) and datasets/registry.py (DATASETS) hold the
objects under these keys, in this order (the page lists them so); tests/unit/test_config.py checks
that each registry's keys equal its names. Adding an entry means adding its name here too.
"""

ACTIVATION_NAMES = ("relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid", "softplus", "linear")
INIT_NAMES = ("default", "xavier", "kaiming", "zeros")
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adadelta", "adam", "adamw")
DATASET_NAMES = ("spiral", "circles", "xor", "blobs", "wine", "pima", "wine_quality", "ionosphere", "mnist",
                 "mnist_full")
