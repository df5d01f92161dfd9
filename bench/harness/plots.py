"""The SVG plots (by gnuplot, when it is installed): one line per server against the number of clients."""
import os
import shutil
import subprocess

from .tables import fanout_columns, idle_memory_columns, value


def clients(column):
    return int(column.case.split("-")[1])


def plot(path, servers, outcomes, columns, ylabel, log_y):
    """Draws the columns (one per number of clients) as one line per server, in SVG; False without gnuplot."""
    series = []
    for server in servers:
        points = []
        for column in columns:
            figure = value(outcomes, server, column)
            if figure is not None:
                points.append(f"{clients(column)} {figure}")
        if points:
            series.append((server, points))
    if not series or len(columns) < 2 or shutil.which("gnuplot") is None:
        return False
    script = [
        'set terminal svg size 720,420 dynamic font "sans,12" background rgb "white"',
        f'set output "{path}"',
        "set logscale x",
        f"set xrange [{clients(columns[0]) / 1.5}:{clients(columns[-1]) * 1.5}]",
        "set logscale y" if log_y else "set yrange [0:*]",
        "set grid",
        "set key outside right top",
        'set xlabel "connected clients"',
        f'set ylabel "{ylabel}"',
        "set xtics (" + ", ".join(f'"{column.title.split()[0]}" {clients(column)}' for column in columns) + ")",
        "plot " + ", ".join(f"'-' using 1:2 with linespoints linewidth 2 title \"{name}\"" for name, _ in series),
    ]
    for _, points in series:
        script += [*points, "e"]
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)
    return True


def draw_plots(mode, servers, outcomes, document):
    """Draws the plots the mode has data for; returns their paths relative to the document, by name."""
    relative = os.path.relpath(mode.plot_dir, document.parent)
    wanted = {
        "fanout": ("fanout-p99.svg", fanout_columns(mode), "POST to last client, p99 (ms)", True),
        "idle": ("idle-rss.svg", idle_memory_columns(mode), "server RSS per connection (KiB)", False),
    }
    return {
        name: f"{relative}/{file}"
        for name, (file, columns, ylabel, log_y) in wanted.items()
        if plot(mode.plot_dir / file, servers, outcomes, columns, ylabel, log_y)
    }
