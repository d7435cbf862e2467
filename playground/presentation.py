"""Presenter-mode URL parameters, parsed without Streamlit: ``present=1`` and ``hide=dataset,optimizer``.

``hide`` lists RunConfig fields whose controls a page leaves out (TensorFlow Playground's
``*_hide`` flags, as one list): a lesson link shows only what the lesson is about. Hidden fields
keep their values (from the URL or the defaults). An unknown name is ignored with a warning.
"""
from __future__ import annotations

from playground.config import FIELDS

PRESENT_KEY = "present"
HIDE_KEY = "hide"
TRUE = ("1", "true", "yes", "on")


def parse_present(text: str | None) -> bool:
    return (text or "").strip().lower() in TRUE


def parse_hide(text: str | None) -> tuple[tuple[str, ...], list[str]]:
    """``"dataset, optimizer,bogus"`` -> (("dataset", "optimizer"), [a warning naming "bogus"]); order kept, repeats dropped."""
    names: list[str] = []
    warnings: list[str] = []
    for raw in (text or "").split(","):
        name = raw.strip().replace("-", "_")
        if not name or name in names:
            continue
        if name in FIELDS:
            names.append(name)
        else:
            warnings.append(f"URL parameter hide: {raw.strip()!r} is not a setting, so nothing was hidden for it "
                            f"(settings are e.g. dataset, layers, optimizer, lr).")  # fmt: skip
    return tuple(names), warnings


def hide_all_but(shown: tuple[str, ...]) -> tuple[str, ...]:
    """Every setting but ``shown``, in RunConfig order: a lesson link in presenter mode keeps only the
    controls the lesson names."""
    return tuple(name for name in FIELDS if name not in shown)


def format_hide(names: tuple[str, ...]) -> str:
    return ",".join(names)
