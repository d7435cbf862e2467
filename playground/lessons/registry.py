"""LESSONS registry: id -> Lesson, in teaching order (the page groups them by ``Lesson.group``)."""
from __future__ import annotations

from playground.lessons import first_steps, freezing, generalisation, optimisation, real_data, regression
from playground.lessons.lesson import Lesson

LESSONS: dict[str, Lesson] = {
    lesson.id: lesson
    for module in (first_steps, optimisation, freezing, generalisation, real_data, regression)
    for lesson in module.LESSONS
}
