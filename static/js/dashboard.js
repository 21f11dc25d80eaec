// Dashboards: draw each bar, line, pie and funnel widget with ECharts (static/vendor/echarts).
// The server sends each chart already labelled and ordered (runtime/reports/charts.py) in an
// escaped <script type="application/json"> block next to it; this only maps it onto ECharts options.
// Labels are drawn on the canvas as text and ECharts escapes its tooltips, so no label becomes HTML.

const echarts = window.echarts;

const PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#d63384", "#198754", "#0dcaf0", "#ffc107"];
const NARROW_PX = 480; // below this a pie names its slices in the legend only (outside labels get cut off)
// Axis ticks in the page's language, shortened: 6,000,000,000 reads as "6B" (English) or "60亿" (Chinese).
const compact = new Intl.NumberFormat(document.documentElement.lang || "en", {
  notation: "compact",
  maximumFractionDigits: 1,
});

function axisChart(spec, kind) {
  const split = spec.groups.length > 1;
  return {
    color: PALETTE,
    tooltip: { trigger: "axis" },
    legend: spec.series.length > 1 ? { type: "scroll", top: 0 } : undefined,
    grid: { left: 8, right: 16, bottom: 8, top: spec.series.length > 1 ? 36 : 16, containLabel: true },
    xAxis: { type: "category", data: spec.categories, axisLabel: { hideOverlap: true } },
    yAxis: { type: "value", axisLabel: { formatter: (value) => compact.format(value) } },
    series: spec.series.map((s) => ({
      type: kind,
      name: s.name,
      data: s.data,
      stack: split && kind === "bar" ? "total" : undefined,
      connectNulls: kind === "line",
      emphasis: { focus: "series" },
    })),
  };
}

function sliceChart(spec, kind, width) {
  const series = {
    type: kind,
    name: spec.measures[0].label,
    data: spec.items,
    label: { show: kind === "funnel" || width >= NARROW_PX, formatter: "{b}" },
  };
  if (kind === "pie") Object.assign(series, { radius: ["38%", "68%"], center: ["50%", "46%"], avoidLabelOverlap: true });
  if (kind === "funnel") Object.assign(series, { sort: "none", left: "10%", width: "80%", top: 8, bottom: 40 });
  return {
    color: PALETTE,
    tooltip: { trigger: "item" },
    legend: { type: "scroll", bottom: 0 },
    series: [series],
  };
}

function optionsFor(spec, width) {
  if (spec.type === "bar" || spec.type === "line") return axisChart(spec, spec.type);
  return sliceChart(spec, spec.type, width);
}

function draw(box) {
  const block = box.parentElement.querySelector("script[data-chart-spec]");
  const spec = JSON.parse(block.textContent);
  const chart = echarts.init(box, null, { renderer: "canvas" });
  chart.setOption(optionsFor(spec, box.clientWidth));
  new ResizeObserver(() => chart.resize()).observe(box);
}

if (echarts) {
  document.querySelectorAll("[data-chart]").forEach(draw);
}
