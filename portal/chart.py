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
    "": _("à venir"),
}
CURRENT = {STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED, STATUS.ERROR}


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


def _lines(label: str, state: str, width: int, height: int):
    suffix = {"current": "▶ ", "done": "✓ "}.get(state, "")
    if width >= 100:  # a task: its label inside the box
        segments = wrap(suffix + label, 20)
        top = height / 2 - (len(segments) - 1) * 7
        return [(text, width / 2, top + n * 14, 12) for n, text in enumerate(segments)]
    segments = wrap(suffix + label, 16)  # an event or a gateway: its label below
    return [(text, width / 2, height + 12 + n * 12, 10) for n, text in enumerate(segments)]


def process_chart(flow_class, process) -> Chart:
    """The flow's graph with the state of each step in ``process`` (one query)."""
    grid = viewflow_chart.calc_layout_data(flow_class)
    statuses: dict[str, set[str]] = {}
    for node, status in process.task_set.values_list("flow_task", "status"):
        statuses.setdefault(node.name, set()).add(status)
    nodes = []
    for cell in grid.cells:
        name = cell.node.name
        state = _state(statuses.get(name, set()))
        label = str(cell.node.task_title)
        nodes.append(
            ChartNode(
                name=name,
                label=label,
                state=state,
                x=cell.shape.x,
                y=cell.shape.y,
                width=cell.shape.width,
                height=cell.shape.height,
                svg=cell.shape.svg,
                lines=_lines(label, state, cell.shape.width, cell.shape.height),
            )
        )
    edges = []
    for edge in grid.edges:
        points = " L".join(f"{x},{y}" for x, y in edge.segments)
        label = str(EDGE_LABELS.get(edge.label, edge.label or ""))
        x, y = edge.segments[0] if edge.segments else (0, 0)
        edges.append(ChartEdge(path=f"M{points}", label=label, label_x=x + 6, label_y=y + 16))
    return Chart(width=grid.width, height=grid.height + 30, nodes=nodes, edges=edges)


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
