"""Altair charts rendered offline (vl-convert) to accessible inline SVG with Danish numbers."""

from pipeline.account.charts.breakdowns import actions_chart, fleet_chart, label_chart
from pipeline.account.charts.climate import bridge_chart, emissions_chart
from pipeline.account.charts.kpi import kpi_alt_text, kpi_chart
from pipeline.account.charts.operations import co2e_chart, effort_chart, intensity_chart
from pipeline.account.charts.svg import finish_svg, to_svg

__all__ = ["actions_chart", "bridge_chart", "co2e_chart", "effort_chart", "emissions_chart", "finish_svg", "fleet_chart",
           "intensity_chart", "kpi_alt_text", "kpi_chart", "label_chart", "to_svg"]
