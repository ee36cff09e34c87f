"""The process drawn as a graph: viewflow lays the flow out (``viewflow.workflow.chart``),
each step is labelled with the title its node declares (French, English through i18n),
and the portal marks where each
step stands in one challenge's process — done, current (highlighted), cancelled or
not reached."""

from dataclasses import dataclass, field
from decimal import Decimal
from textwrap import wrap

from django.conf import settings
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import chart as viewflow_chart
from viewflow.workflow.status import STATUS

from kernel.formats import format_eur
from workflows.flows import ChallengeFlow

EDGE_LABELS = {"yes": _("oui"), "no": _("non")}
STATE_LABELS = {
    "current": _("en cours"),
    "done": _("fait"),
    "canceled": _("annulé"),
    "skipped": _("non emprunté"),
    "": _("à venir"),
}
CURRENT = {STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED, STATUS.ERROR}

# The chart is drawn top to bottom so that it fits the page's width: one lane per line
# of viewflow's layout, one row per column of it.
LANE = 180  # a lane's width: a task box, or a round shape and its label beside it
ROW = 92  # a row's height
TASK_W, TASK_H = 164, 60
MARGIN = 10


def step_label(name: str) -> str:
    """A step's title, as its node in ``workflows/flows.py`` declares it (translated)."""
    node = ChallengeFlow.instance.node(name, no_obsolete=True)
    return str(node.task_title) if node is not None else name.replace("_", " ").capitalize()


@dataclass
class ChartNode:
    name: str
    label: str
    state: str
    x: int
    y: int
    width: int
    height: int
    svg: str
    lines: list[tuple[str, float, float, int]] = field(default_factory=list)
    task: bool = False

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class ChartEdge:
    path: str
    label: str
    label_x: float
    label_y: float


@dataclass
class Chart:
    width: int
    height: int
    nodes: list[ChartNode]
    edges: list[ChartEdge]

    @property
    def current(self) -> list[ChartNode]:
        return [node for node in self.nodes if node.state == "current"]


def _state(statuses: set[str]) -> str:
    if statuses & CURRENT:
        return "current"
    if STATUS.DONE in statuses:
        return "done"
    if STATUS.CANCELED in statuses:
        return "canceled"
    return ""


def _lines(label: str, state: str, width: int, height: int, task: bool):
    suffix = {"current": "▶ ", "done": "✓ ", "skipped": "– "}.get(state, "")
    if task:  # a task: its label inside the box
        segments = wrap(suffix + label, 23)[:3]
        top = height / 2 - (len(segments) - 1) * 7
        return [(text, width / 2, top + n * 14, 12) for n, text in enumerate(segments)]
    # an event or a gateway: its label at its right, in the lane's free width
    segments = wrap(suffix + label, 19)[:3]
    top = height / 2 - (len(segments) - 1) * 6
    return [(text, width + 6, top + n * 12, 11) for n, text in enumerate(segments)]


def _reachable(flow, start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(edge.dst.name for edge in flow.node(name)._outgoing())
    return seen


def _skipped(flow, states: dict[str, str]) -> set[str]:
    """The steps on a branch the process did not take: after a decided gateway whose
    other branch was taken, what only the untaken branch leads to."""
    skipped: set[str] = set()
    for node in flow.nodes():
        outgoing = [edge.dst.name for edge in node._outgoing()]
        if len(outgoing) < 2 or states.get(node.name) != "done":
            continue
        taken = [name for name in outgoing if states.get(name)]
        if not taken:
            continue
        along = set().union(*(_reachable(flow, name) for name in taken))
        for name in outgoing:
            if not states.get(name):
                skipped |= {n for n in _reachable(flow, name) - along if not states.get(n)}
    return skipped


def _lanes(places: list[tuple[int, int]]) -> dict[int, int]:
    """Each of viewflow's lines (``level``) to a lane: in their order, a line shares the
    lane of the lines before it when its rows all come before or all after theirs, so
    that no edge along a lane crosses another line's step, and the branches of the
    phases a call does not plan leave no empty lane."""
    rows_of: dict[int, set[int]] = {}
    for row, level in places:
        rows_of.setdefault(level, set()).add(row)
    lanes: dict[int, int] = {}
    lane, taken = -1, set()
    for level in sorted(rows_of):
        rows = rows_of[level]
        apart = taken and (max(rows) < min(taken) or min(rows) > max(taken))
        if not apart:
            lane, taken = lane + 1, set()
        lanes[level] = lane
        taken |= rows
    return lanes


def _bypass(flow, name: str, omitted: frozenset[str]) -> str | None:
    """The first drawn step an edge into ``name`` leads to when ``name`` is left out:
    through a gateway of an unplanned phase, its « no » branch (the phase not held)."""
    seen = set()
    while name in omitted and name not in seen:
        seen.add(name)
        outgoing = list(flow.node(name)._outgoing())
        if not outgoing:
            return None
        chosen = next((e for e in outgoing if e.edge_class == "cond_false"), outgoing[0])
        name = chosen.dst.name
    return None if name in omitted else name


def process_chart(flow_class, process, omitted: frozenset[str] = frozenset()) -> Chart:
    """The flow's graph, top to bottom, with the state of each step in ``process``:
    done, current, cancelled, skipped (a branch not taken) or still to come (one
    query). The steps in ``omitted`` (the optional phases the call does not plan,
    ``workflows.queries.steps_not_planned``) are left out, their edges joined."""
    flow = flow_class.instance
    grid = viewflow_chart.calc_layout_data(flow_class)
    statuses: dict[str, set[str]] = {}
    for node, status in process.task_set.values_list("flow_task", "status"):
        statuses.setdefault(node.name, set()).add(status)
    states = {cell.node.name: _state(statuses.get(cell.node.name, set())) for cell in grid.cells}
    for name in _skipped(flow, states):
        states[name] = "skipped"
    cells = [cell for cell in grid.cells if cell.node.name not in omitted]
    # viewflow's columns become rows and its lines lanes, each by rank of its centre
    centres = {
        cell.node.name: (
            cell.shape.x + cell.shape.width / 2,
            cell.shape.y + cell.shape.height / 2,
        )
        for cell in cells
    }
    rows = {x: n for n, x in enumerate(sorted({round(x) for x, _y in centres.values()}))}
    lanes = _lanes([(rows[round(x)], round(y / 25)) for x, y in centres.values()])
    nodes, boxes = [], {}
    for cell in cells:
        name = cell.node.name
        cx, cy = centres[name]
        task = cell.shape.width >= 100
        width, height = (TASK_W, TASK_H) if task else (cell.shape.width, cell.shape.height)
        lane, row = lanes[round(cy / 25)], rows[round(cx)]
        x = MARGIN + lane * LANE
        y = MARGIN + row * ROW + (ROW - 20 - height) // 2
        boxes[name] = (x, y, width, height)
        label = str(cell.node.task_title)
        svg = (
            f'<rect class="task" width="{width}" height="{height}" rx="8" ry="8"/>'
            if task
            else cell.shape.svg
        )
        nodes.append(
            ChartNode(
                name=name,
                label=label,
                state=states[name],
                x=x,
                y=y,
                width=width,
                height=height,
                svg=svg,
                lines=_lines(label, states[name], width, height, task),
                task=task,
            )
        )
    right = MARGIN + (max(lanes.values(), default=0) + 1) * LANE
    edges = []
    for node in flow.nodes():
        if node.name not in boxes:
            continue
        sx, sy, sw, sh = boxes[node.name]
        for edge in node._outgoing():
            target = _bypass(flow, edge.dst.name, omitted)
            if target not in boxes:
                continue
            tx, ty, tw, th = boxes[target]
            start = (sx + sw / 2, sy + sh)
            if ty > sy:  # downwards: out of the bottom, into the top
                middle = ty - 12
                points = [start, (start[0], middle), (tx + tw / 2, middle), (tx + tw / 2, ty)]
            else:  # a loop back up: along the right margin
                side = right - 8
                points = [
                    (sx + sw, sy + sh / 2),
                    (side, sy + sh / 2),
                    (side, ty + th / 2),
                    (tx + tw, ty + th / 2),
                ]
            raw = {"cond_true": "yes", "cond_false": "no"}.get(edge.edge_class, "")
            label = str(EDGE_LABELS.get(raw, ""))
            path = "M" + " L".join(f"{px:g},{py:g}" for px, py in points)
            lx, ly = points[1] if ty > sy else points[0]
            edges.append(ChartEdge(path=path, label=label, label_x=lx + 4, label_y=ly - 3))
    return Chart(width=right, height=MARGIN * 2 + len(rows) * ROW, nodes=nodes, edges=edges)


# --- bar charts: amounts compared per row (the reciprocity board) -----------------------


@dataclass
class Bar:
    """One bar: its width in the chart's scale and its amount, written for people."""

    key: str
    label: str
    amount: str
    width: float
    y: float
    hatched: bool  # every series but the first is hatched: told apart without colour

    @property
    def text_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass
class BarGroup:
    """The bars of one row (an organisation), with its label (wrapped) at the left."""

    label: str
    y: int
    bars: list[Bar]
    summary: str
    lines: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    groups: list[BarGroup]
    legend: list[tuple[str, str, int, bool]]  # key, label, x, hatched


BAR_HEIGHT = 16
BAR_GAP = 4
GROUP_GAP = 18
LABEL_WIDTH = 210
PLOT_WIDTH = 380
AMOUNT_WIDTH = 110
LEGEND_HEIGHT = 34


def page_locale() -> str:
    """The Babel locale of the language the page is in (``fr``, ``en``)."""
    return to_locale(get_language() or settings.LANGUAGE_CODE)


def money(amount) -> str:
    """An amount in euros, written as the page's language writes it (``1 234,50 €``,
    ``€1,234.50``); a missing amount (an empty bar) is an int 0."""
    return format_eur(Decimal(amount), locale=page_locale())


def bar_chart(rows, series: list[tuple[str, str]]) -> BarChart:
    """Horizontal bars, one group per row and one bar per series, on one scale.

    ``rows`` are ``(label, {series key: Decimal amount})``; ``series`` are ``(key,
    label)`` in drawing order (the legend's). The amounts stay Decimal; only the pixel
    widths are floats."""
    largest = max((amount for _label, amounts in rows for amount in amounts.values()), default=0)
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    groups = []
    y = LEGEND_HEIGHT
    for label, amounts in rows:
        bars = []
        for n, (key, series_label) in enumerate(series):
            amount = amounts.get(key, 0)
            width = round(float(amount) / float(largest) * PLOT_WIDTH, 1) if largest else 0.0
            bars.append(
                Bar(
                    key=key,
                    label=str(series_label),
                    amount=money(amount),
                    width=width,
                    y=n * (BAR_HEIGHT + BAR_GAP),
                    hatched=n > 0,
                )
            )
        segments = wrap(label, 28)[:2]
        top = group_height / 2 - (len(segments) - 1) * 7
        groups.append(
            BarGroup(
                label=label,
                y=y,
                bars=bars,
                summary=f"{label} — " + ", ".join(f"{bar.label} : {bar.amount}" for bar in bars),
                lines=[(text, top + n * 14) for n, text in enumerate(segments)],
            )
        )
        y += group_height + GROUP_GAP
    return BarChart(
        width=LABEL_WIDTH + PLOT_WIDTH + AMOUNT_WIDTH,
        height=y,
        label_width=LABEL_WIDTH,
        groups=groups,
        legend=[(key, str(label), n * 190, n > 0) for n, (key, label) in enumerate(series)],
    )
