"""Datasets: the DATASETS registry, loaders, and split/scale preparation.

Importing the package loads no sklearn or pandas; the loaders and ``split_and_scale`` import them
when called, so the app's training process (which receives prepared Splits) stays lean.
"""
from playground.datasets.files import DatasetUnavailable
from playground.datasets.prepare import load_dataset, prepare, split_and_scale
from playground.datasets.registry import DATASETS, DatasetInfo
from playground.datasets.splits import Dataset, Splits

__all__ = ["DATASETS", "DatasetInfo", "DatasetUnavailable", "Dataset", "Splits", "load_dataset", "prepare", "split_and_scale"]
