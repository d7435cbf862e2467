"""The Lessons page's Streamlit parts: lesson cards by group, a focused lesson (?lesson=<id>), a run's live
progress, and a finished lesson's overlay, watched chart, measured sentence and (on Reveal) its claim.

A Run trains the lesson's setups in a process of its own (playground/lesson_runner.py: all torch work is
there), held in a session-scoped resource so the session's end, or the next Run, ends it; a fragment
polls its events. Each run is also an ordinary run in the store (source "lesson"), so the Playground's
runs table and the Compare page list it.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from playground.figures import lessons as figures
from playground.figures.boundary import boundary_figure
from playground.figures.compare import curves_figure
from playground.figures.evaluation import confusion_figure
from playground.figures.lr_finder import lr_finder_figure
from playground.figures.race import contour_figure
from playground.figures.race import loss_figure as race_loss_figure
from playground.figures.regression import predicted_actual_figure
from playground.lesson_runner import LessonProgress, LessonRunner, LessonWorker
from playground.lessons import GROUPS, LESSONS, Lesson
from playground.presentation import HIDE_KEY, format_hide, hide_all_but
from playground.store import Location, StoreUnavailable
from playground.ui import presenter, run_store, session
from playground.ui.charts import chart
from playground.ui.workers import admission, spare_pool

FOCUS = "lesson"  # URL key: /lessons?lesson=<id> opens that lesson first
POLL = 0.3  # s between the live fragment's reads of the running lesson
REVEALED = "_lessons_revealed"  # session_state: ids of lessons whose claim is shown


class LessonSlot:
    """The session's lesson run: one LessonRunner at a time, closed with the session; the next Run ends it, or
    reuses its process once it has finished."""

    def __init__(self) -> None:
        self.runner: LessonRunner | None = None

    def next_worker(self) -> LessonWorker | None:
        """The last lesson's process, for the next lesson, if that lesson has finished; else it is ended."""
        if self.runner is None:
            return None
        worker = self.runner.detach()
        self.close()
        self.runner = None
        return worker

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()


@st.cache_resource(scope="session", on_release=lambda slot: slot.close(), show_spinner=False)
def session_lesson() -> LessonSlot:
    return LessonSlot()


# ---------------------------------------------------------------- the page


def focused() -> str | None:
    """The lesson the URL names, or None; an unknown id is a warning naming it and the valid ones."""
    wanted = st.query_params.get(FOCUS)
    if wanted is None or wanted in LESSONS:
        return wanted
    st.warning(f"There is no lesson {wanted!r}. Lessons: {', '.join(LESSONS)}.", icon=":material/link_off:")
    return None


def page() -> None:
    run_store.notice()
    focus = focused()
    if focus is None:
        lesson_list()
        return
    card(LESSONS[focus], focused=True)
    with st.expander("All lessons", icon=":material/school:"):
        lesson_list(skip=focus)


def lesson_list(skip: str | None = None) -> None:
    """Every lesson (but ``skip``) as a card, in teaching order, under its group's header."""
    for group in GROUPS:
        lessons = [lesson for lesson in LESSONS.values() if lesson.group == group and lesson.id != skip]
        if lessons:
            st.markdown(f"##### {group.capitalize()}")
            for lesson in lessons:
                card(lesson, focused=False)


def card(lesson: Lesson, focused: bool) -> None:
    with st.container(border=True, key=f"lesson_card_{lesson.id}"):
        text, buttons = st.columns([5, 2], vertical_alignment="center")
        if focused:  # a heading, but a small one: on a 720-px projector the charts need the height
            text.markdown(f"##### {lesson.title}\n{lesson.question}")
        else:
            text.markdown(f"**{lesson.title}**  \n{lesson.question}")  # two spaces: a line break, not a paragraph
        with buttons.container(horizontal=True, horizontal_alignment="right", gap="small"):
            st.button("Run", key=f"lesson_run_{lesson.id}", type="primary" if focused else "secondary",
                      icon=":material/play_arrow:", on_click=start, args=(lesson.id,),
                      help="Train the lesson's runs one after another, live; the claim stays hidden until you reveal it.")  # fmt: skip
            where, url = open_link(lesson)
            st.link_button(f"Open in {where}", url, icon=":material/open_in_new:",
                           help=f"The lesson's {'race' if lesson.race else 'first setup'} in the {where} page, ready to tweak.")  # fmt: skip
        runner = session_lesson().runner
        if runner is not None and runner.lesson_id == lesson.id:
            run_panel(lesson, runner, focused)


def open_link(lesson: Lesson) -> tuple[str, str]:
    """(page name, relative URL) of the lesson's first setup in the Playground, or its race on the race page."""
    keep = presenter.url_params()
    if not lesson.setups:
        from playground.ui.race_controls import preset_config
        from playground.ui.race_url import to_query

        return "the race", "/race?" + urlencode(to_query(preset_config(lesson.race)) | keep)
    if presenter.active():  # a projector shows only what the lesson is about
        keep[HIDE_KEY] = format_hide(hide_all_but(lesson.named_fields()))
    query = lesson.setups[0].query + (f"&{urlencode(keep)}" if keep else "")
    return "Playground", f"/?{query}"


def start(lesson_id: str) -> None:
    """Run's on_click: end the session's last lesson run, start this one, focus it in the URL."""
    url = None
    try:
        url = Location.from_env().url
    except StoreUnavailable:
        pass
    slot = session_lesson()
    runner = LessonRunner(lesson_id, store_url=url, session=session.owner(), worker=slot.next_worker(),
                          spares=spare_pool(),  # a first lesson takes a warm process: its first curve at once
                          gate=admission())  # and trains only when a place is free, as a Start does
    slot.runner = runner
    runner.start()
    st.session_state.setdefault(REVEALED, set()).discard(lesson_id)  # a new run: the class predicts again
    st.query_params[FOCUS] = lesson_id


# ---------------------------------------------------------------- a run


def run_panel(lesson: Lesson, runner: LessonRunner, focused: bool) -> None:
    p = runner.poll()
    if not p.finished:
        st.fragment(run_every=POLL)(_live)(lesson.id)
        return
    if p.error:
        st.error(f"The lesson could not finish: {p.error}", icon=":material/error:")
        return
    finished(lesson, runner, p, wide=focused and presenter.active())


def _live(lesson_id: str) -> None:
    runner = session_lesson().runner
    if runner is None or runner.lesson_id != lesson_id:
        return
    p = runner.poll()
    if p.finished:  # redraw the page: the results replace the live chart, and the timer stops
        st.rerun(scope="app")
    st.progress(p.fraction, text=progress_text(p))
    if p.curves:
        chart(figures.live_figure(p.curves, p.labels), key=f"lesson_live_{lesson_id}")


def progress_text(p: LessonProgress) -> str:
    if p.queued is not None:
        ahead = "next in line" if p.queued == 0 else f"{p.queued} run{'s' * (p.queued > 1)} ahead"
        return f"**Queued, {ahead}** · the lesson starts by itself when a place to train frees up"
    if not p.labels:
        return f"Starting the lesson's process… {p.seconds:.0f} s"
    label = p.labels.get(p.run, p.label)
    epochs = f" · epoch {p.epoch}/{p.epochs}" if p.epochs else " · preparing the data and the network"
    return f"Run {p.run + 1} of {p.runs}: **{label}**{epochs} · {p.seconds:.0f} s"


def finished(lesson: Lesson, runner: LessonRunner, p: LessonProgress, wide: bool) -> None:
    result = p.result
    said, reveal = st.columns([5, 2], vertical_alignment="center")
    said.markdown(f":material/straighten: **Measured:** {result.sentence}")
    if not result.held:
        said.caption("On this run the numbers do not bear the claim out: worth discussing why.")
    revealed = st.session_state.setdefault(REVEALED, set())
    if lesson.id not in revealed:
        reveal.button("Reveal the claim", key=f"lesson_reveal_{lesson.id}", icon=":material/visibility:",
                      on_click=revealed.add, args=(lesson.id,), use_container_width=True)  # fmt: skip
    else:
        st.success(f"**Claim:** {lesson.claim}", icon=":material/school:")
    if wide:  # presenter mode: the watched chart across the page, the overlay beneath
        watched_chart(lesson, runner, p, height=360)  # under the card's head, on a 1280x720 projector's first screen
        overlay(lesson, runner, p, st.columns(2), height=320)
    else:
        big, side = st.columns([3, 2], gap="medium")
        with big:
            watched_chart(lesson, runner, p, height=400)
        with side:
            overlay(lesson, runner, p, [st.container(), st.container()])


def overlay(lesson: Lesson, runner: LessonRunner, p: LessonProgress, places, height: int = 260) -> None:
    """Loss and accuracy of the lesson's runs (the Compare page's overlay) in ``places``; the race's
    loss per step for a lesson that only races. A watched loss/accuracy chart is not drawn twice."""
    if not lesson.setups:
        with places[0]:
            race_chart(race_loss_figure(p.race, height=height + 40), key=f"lesson_race_loss_{lesson.id}")
        return
    runs, histories = stored_runs(runner, p)
    names = [run.label for run in p.results.values()]
    metrics = [m for m in ("loss", "accuracy") if m != lesson.watch]
    for metric, place in zip(metrics, places):
        with place:
            if metric == "accuracy" and lesson.setups[0].config().regression:  # no classes: the last run's test
                run = p.results[max(p.results)]                                 # predictions instead
                chart(predicted_actual_figure(run.test.y_true, run.test.y_pred, title=f"{run.label}: test predictions",
                                              height=height), key=f"lesson_scatter_{lesson.id}")  # fmt: skip
                continue
            chart(_roomy(curves_figure(runs, histories, metric, names=names, height=height)), key=f"lesson_{metric}_{lesson.id}")


def _roomy(figure):
    """In presenter mode the two-line title grows with the fonts (presenter.figure): room above the plot, so
    the subtitle clears the top tick label ("100%")."""
    if presenter.active():
        figure.update_layout(margin_t=round((figure.layout.margin.t or 60) * presenter.FONT_SCALE))
    return figure


def stored_runs(runner: LessonRunner, p: LessonProgress):
    """The lesson's runs as the store has them; built from the results when the store is unavailable."""
    store = run_store.get()
    if store is not None:
        try:
            return [store.get_run(i) for i in runner.run_ids], [store.load_history(i) for i in runner.run_ids]
        except (KeyError, StoreUnavailable):
            pass
    return figures.records([p.results[i] for i in sorted(p.results)], runner.run_ids)


def watched_chart(lesson: Lesson, runner: LessonRunner, p: LessonProgress, height: int) -> None:
    key = f"lesson_watch_{lesson.id}"
    results = [p.results[i] for i in sorted(p.results)]
    if lesson.watch in ("loss", "accuracy"):
        runs, histories = stored_runs(runner, p)
        chart(_roomy(curves_figure(runs, histories, lesson.watch, names=[r.label for r in results], height=height)), key=key)
    elif lesson.watch == "boundary":  # square plots: in a narrow column a tall figure is white space
        boundary_height = min(height - 40, 120 + 600 // max(len(results), 1))
        for i, column in enumerate(st.columns(len(results))):
            grid = p.boundary(i)
            if grid is not None:
                column.markdown(f"**{results[i].label}** · {results[i].test.accuracy:.0%} test accuracy")
                with column:
                    chart(boundary_figure(grid, list(p.class_names), height=boundary_height), key=f"{key}_{i}")
    elif lesson.watch == "gradflow":
        chart(_roomy(figures.grad_norms_figure(results, height=height)), key=key)
    elif lesson.watch == "lr_finder":
        found = next(r for r in results if r.lr_finder is not None)
        chart(lr_finder_figure(found.lr_finder, height=height), key=key)
        st.caption(f"The LR range test of **{found.label}**: its suggestion {found.lr_finder.suggested_lr:.2g} is the lr it trained at.")
    elif lesson.watch == "race":
        race_chart(contour_figure(p.race, p.race_grid, height=height), key=key)
    elif lesson.watch == "confusion":
        for i, column in enumerate(st.columns(len(results))):
            run = results[i]
            with column:
                chart(confusion_figure(run.test.confusion, list(p.class_names), normalise=True,
                                       title=f"{run.label}: test", height=height - 60), key=f"{key}_{i}")  # fmt: skip


def race_chart(figure, key: str) -> None:
    """The race's figures as the race page draws them: they are laid out for Streamlit's chart theme."""
    st.plotly_chart(presenter.figure(figure), key=key, config={"displaylogo": False})
