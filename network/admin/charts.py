"""The geometry of the dashboard's charts, drawn as SVG by the macros of admin/_charts.html.

Scales, positions and labels are computed here, in plain Python that tests can reach, so that
the templates only place shapes (and Jinja escapes every label). No script, no CDN.
"""

from dataclasses import dataclass, replace
from math import ceil, floor, log10

from network.admin.stats import Month, Share
from network.templating import MONTHS, thousands

SHORT_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                "oct.", "nov.", "déc."]
# Average glyph width of the charts' 13 px sans-serif, generous: used to size label columns
# (an SVG cannot measure its text without a script).
CHAR_WIDTH = 7.4
# A bar chart's version for a phone: drawn at this width, a 390 px screen shows it at its own
# size, its text at 13 px (a 560 px chart shrunk to fit would write at 8 px).
PHONE_WIDTH = 340


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """0 then round steps (1, 2 or 5 × 10ⁿ) up to `top` or just above: an axis one can read."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** floor(log10(raw))
    step = max(1, round(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)))
    return list(range(0, ceil(top / step) * step + 1, step))


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _shorten(text: str, room: int) -> str:
    return text if len(text) <= room else text[:room - 1].rstrip() + "…"


@dataclass(frozen=True)
class HBar:
    share: Share
    label: str  # the share's label, shortened if it would not fit
    y: float
    length: float
    total: int | None = None  # what the share is out of, drawn as a light track behind the bar
    total_length: float = 0
    label_y: float = 0  # the middle of the label's line: beside the bar, or above it

    @property
    def value(self) -> str:
        count = thousands(self.share.count)
        return count if self.total is None else f"{count} / {thousands(self.total)}"


@dataclass(frozen=True)
class HBarChart:
    width: int
    height: int
    label_width: int  # the column of the labels, left of the bars; 0 when they are above
    bar_height: int
    tone: str
    bars: list[HBar]
    stacked: bool = False  # each label on its own line above its bar (a phone's version)
    phone: "HBarChart | None" = None  # the same bars for a phone's width, stacked

    @property
    def bar_x(self) -> int:
        return self.label_width

    @property
    def label_x(self) -> int:
        return 0 if self.stacked else self.label_width - 10


def hbar_chart(shares: list[Share], tone: str = "teal", width: int = 560,
               totals: list[int] | None = None, stacked: bool = False) -> HBarChart:
    """Horizontal bars, one per share, labelled on the left and valued at their end.

    `tone` is one of the network's colours, as classes of network.css: teal, ochre, terracotta.
    With `totals` (one per share), each bar is drawn over a track of its total, on one scale:
    e.g. the people present over the people registered. The chart carries its version for a
    phone (`phone`): PHONE_WIDTH wide, each label above its bar, with the whole width to itself.
    """
    bar_height, gap = (16, 10) if stacked else (20, 10)
    label_line = 18 if stacked else 0
    with_totals = totals is not None
    pairs = list(zip(shares, totals if with_totals else [None] * len(shares), strict=True))
    longest = max((len(s.label) for s in shares), default=0)
    if stacked:
        label_chars, label_width = min(longest, int(width / CHAR_WIDTH)), 0
    else:
        # Labels take what they need, up to half the width; longer ones are shortened.
        label_chars = min(longest, int(width * 0.5 / CHAR_WIDTH))
        label_width = round(label_chars * CHAR_WIDTH) + 10
    top = max((max(share.count, total or 0) for share, total in pairs), default=0)
    widest = f"{thousands(top)} / {thousands(top)}" if with_totals else thousands(top)
    room = width - label_width - _text_width(widest) - 12
    step = label_line + bar_height + gap

    def length(count: int | None) -> float:
        return round(count / top * room, 1) if top and count else 0

    bars = []
    for i, (share, total) in enumerate(pairs):
        y = gap + label_line + i * step
        bars.append(HBar(share, _shorten(share.label, label_chars), y, length(share.count),
                         total, length(total),
                         label_y=y - label_line / 2 if stacked else y + bar_height / 2))
    chart = HBarChart(width, gap + len(shares) * step, label_width, bar_height, tone, bars,
                      stacked=stacked)
    if stacked:
        return chart
    return replace(chart, phone=hbar_chart(shares, tone, PHONE_WIDTH, totals, stacked=True))


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class MonthColumn:
    month: Month
    name: str  # "novembre 2026"
    tick: str  # "nov. 2026" under every few columns, "" under the others
    x: float  # left edge of the column
    join_y: float
    join_height: float
    exit_height: float
    total_y: float


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    left: int
    right: int
    column_width: float
    bar_width: float
    total_top: int
    total_bottom: int
    flow_top: int
    zero_y: float
    flow_bottom: int
    axis_y: int
    total_ticks: list[Tick]
    flow_ticks: list[Tick]
    columns: list[MonthColumn]

    @property
    def total_line(self) -> str:
        return " ".join(f"{c.x + self.column_width / 2:.1f},{c.total_y:.1f}" for c in self.columns)

    @property
    def total_area(self) -> str:
        first, last = self.columns[0].x, self.columns[-1].x
        half = self.column_width / 2
        return (f"M{first + half:.1f},{self.total_bottom} L{self.total_line} "
                f"L{last + half:.1f},{self.total_bottom} Z")


def month_name(month: Month) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def month_chart(months: list[Month], width: int = 760) -> MonthChart:
    """Two panels over the same months: members at the end of each month (a line), then joins
    (bars up) and exits (bars down) around a zero line, each with its own readable scale."""
    # Room on the right for the last month's label, centred under its column.
    left, right = 52, 36
    total_top, total_bottom = 34, 168
    flow_top, flow_bottom = 206, 326
    axis_y = flow_bottom + 22
    column_width = (width - left - right) / max(len(months), 1)
    totals = nice_ticks(max((m.total for m in months), default=0))
    flows = nice_ticks(max((max(m.joins, m.exits) for m in months), default=0), count=3)
    zero_y = (flow_top + flow_bottom) / 2
    total_scale = (total_bottom - total_top) / totals[-1]
    flow_scale = (zero_y - flow_top) / flows[-1]
    # A label every month, every second or every third: never crowded, the last always shown.
    every = 1 if len(months) <= 8 else 2 if len(months) <= 14 else 3
    columns = [
        MonthColumn(
            month=month, name=month_name(month),
            tick=(f"{SHORT_MONTHS[month.month - 1]} {month.year}"
                  if (len(months) - 1 - i) % every == 0 else ""),
            x=round(left + i * column_width, 1),
            join_y=round(zero_y - month.joins * flow_scale, 1),
            join_height=round(month.joins * flow_scale, 1),
            exit_height=round(month.exits * flow_scale, 1),
            total_y=round(total_bottom - month.total * total_scale, 1))
        for i, month in enumerate(months)]
    return MonthChart(
        width=width, height=axis_y + 8, left=left, right=right,
        column_width=round(column_width, 2), bar_width=round(min(column_width * 0.6, 28), 1),
        total_top=total_top, total_bottom=total_bottom, flow_top=flow_top, zero_y=zero_y,
        flow_bottom=flow_bottom, axis_y=axis_y,
        total_ticks=[Tick(round(total_bottom - t * total_scale, 1), thousands(t))
                     for t in totals],
        # Exits go down from zero but are counted as positive numbers, as the legend says.
        flow_ticks=[Tick(round(zero_y + sign * t * flow_scale, 1), thousands(t))
                    for sign in (-1, 1) for t in flows[1:]] + [Tick(zero_y, "0")],
        columns=columns)
