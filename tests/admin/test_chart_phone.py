"""The dashboard's bar charts have a version for a phone: drawn at its width, labels above."""

from network.admin import charts
from network.admin.stats import Share


def test_a_bar_chart_has_a_phone_version_with_its_labels_above_the_bars():
    shares = [Share("66", "66 – Pyrénées-Orientales", 12), Share("09", "09 – Ariège", 3)]
    chart = charts.hbar_chart(shares, width=560)
    phone = chart.phone
    assert phone.width == charts.PHONE_WIDTH and phone.stacked and phone.phone is None
    assert phone.label_width == 0 and phone.bar_x == 0 and phone.label_x == 0
    first, second = phone.bars
    assert first.label == "66 – Pyrénées-Orientales", "the whole width for the label"
    assert first.label_y < first.y and first.y + phone.bar_height < second.label_y
    assert first.length + charts._text_width("12") + 6 <= phone.width
    assert phone.height == second.y + phone.bar_height + 10


def test_the_wide_version_keeps_its_labels_beside_the_bars():
    chart = charts.hbar_chart([Share("a", "Consultant", 4)], width=560)
    assert not chart.stacked and chart.bar_x == chart.label_width > 0
    assert chart.label_x == chart.label_width - 10
    [bar] = chart.bars
    assert bar.label_y == bar.y + chart.bar_height / 2
