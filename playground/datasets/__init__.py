"""Datasets: the DATASETS registry, loaders, and split/scale preparation."""
from playground.datasets.files import DatasetUnavailable
from playground.datasets.prepare import Dataset, Splits, load_dataset, prepare, split_and_scale
from playground.datasets.registry import DATASETS, DatasetInfo

__all__ = ["DATASETS", "DatasetInfo", "DatasetUnavailable", "Dataset", "Splits", "load_dataset", "prepare", "split_and_scale"]
