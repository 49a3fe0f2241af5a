"""Matplotlib figures of analysis results; every function returns a :class:`~deliberval.plots._base.PlotFigure`
(a matplotlib Figure built without pyplot that shows itself inline in Jupyter) and never shows or saves it."""
