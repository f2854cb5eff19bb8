"""Small server-rendered SVG charts for the admin (no JavaScript)."""

from django.utils.html import format_html, format_html_join


def bar_chart(rows, *, title, width=640, bar_height=22, label_width=260):
    """Horizontal bars: rows are (label, value). Returns safe SVG markup."""
    rows = list(rows)
    if not rows:
        return ""
    biggest = max(value for _, value in rows) or 1
    room = width - label_width - 60
    height = bar_height * len(rows) + 10
    bars = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="{}" y="15" text-anchor="end">{}</text>'
        '<rect x="{}" y="3" width="{}" height="{}" fill="#1b4d3e"><title>{}: {}</title></rect>'
        '<text x="{}" y="15">{}</text></g>',
        (
            (
                i * bar_height,
                label_width - 8,
                _short(label),
                label_width,
                round(room * value / biggest),
                bar_height - 6,
                label,
                value,
                label_width + round(room * value / biggest) + 6,
                value,
            )
            for i, (label, value) in enumerate(rows)
        ),
    )
    return _svg(bars, title=title, width=width, height=height, font_size=12)


def _short(label, most=40):
    """A label that fits beside its bar. Long ones lose their middle, not their end: links to
    the site's own pages differ only after a long shared start."""
    if len(label) <= most:
        return label
    keep = most - 1
    return label[: keep // 2] + "…" + label[-(keep - keep // 2) :]


def line_chart(points, *, title, width=640, height=180):
    """A cumulative line: points are (label, value) in order. Returns safe SVG markup."""
    points = list(points)
    if not points:
        return ""
    biggest = max(value for _, value in points) or 1
    left, bottom, top = 40, height - 24, 10
    step = (width - left - 10) / max(len(points) - 1, 1)
    coords = [
        (left + i * step, bottom - (bottom - top) * value / biggest)
        for i, (_, value) in enumerate(points)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (f"{coords[i][0]:.1f}", height - 6, points[i][0])
            for i in range(0, len(points), max(len(points) // 6, 1))
        ),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="#1b4d3e"><title>{}: {}</title></circle>',
        (
            (f"{x:.1f}", f"{y:.1f}", label, value)
            for (x, y), (label, value) in zip(coords, points, strict=True)
        ),
    )
    body = format_html(
        '<text x="4" y="{}">{}</text><text x="4" y="{}">0</text>'
        '<polyline fill="none" stroke="#1b4d3e" stroke-width="2" points="{}"/>{}{}',
        top + 4,
        biggest,
        bottom,
        path,
        dots,
        labels,
    )
    return _svg(body, title=title, width=width, height=height, font_size=11)


def _svg(body, *, title, width, height, font_size):
    """The labelled <svg> element both charts are drawn in; `body` is safe markup.

    It scales down to a phone's width, and brings its own white background and dark text:
    otherwise its text is black on whatever is behind it, unreadable in the admin's dark theme
    (which an <img> of the chart cannot follow with currentColor).
    """
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" width="{}" '
        'height="{}" viewBox="0 0 {} {}" style="max-width: 100%; height: auto;" '
        'fill="#1f1f1f" font-family="sans-serif" font-size="{}">'
        '<title>{}</title><rect width="100%" height="100%" fill="#ffffff"/>{}</svg>',
        title,
        width,
        height,
        width,
        height,
        font_size,
        title,
        body,
    )
