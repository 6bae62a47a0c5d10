/* The dashboard's charts (数据看板), drawn by Apache ECharts (static/vendor/echarts) from the
   figures the page carries in <script type="application/json" id="stats-data">. The tables under
   the charts hold the same figures, so the page reads without JavaScript too. */
(function () {
  "use strict";

  var FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

  function withUnit(value, unit) {
    if (value === null || value === undefined) return "—";
    var text = typeof value === "number" ? value.toLocaleString() : String(value);
    return unit === "%" ? text + "%" : text + " " + unit;
  }

  function pieOption(plot) {
    var series = plot.series[0];
    return {
      textStyle: { fontFamily: FONT },
      tooltip: {
        trigger: "item",
        formatter: function (item) {
          return item.name + "：" + withUnit(item.value, series.unit) + "（" + item.percent + "%）";
        }
      },
      legend: { type: "scroll", orient: "vertical", left: 8, top: 16, bottom: 16 },
      series: [{
        name: series.name,
        type: "pie",
        radius: ["38%", "68%"],
        center: ["64%", "50%"],
        label: { formatter: "{b}\n{c}" },
        data: plot.categories.map(function (name, index) {
          return { name: name, value: series.values[index] };
        })
      }]
    };
  }

  function barOption(plot) {
    var horizontal = plot.categories.some(function (name) { return name.length > 10; });
    var axes = [0, 1].filter(function (axis) {
      return plot.series.some(function (series) { return series.axis === axis; });
    });
    var valueAxes = axes.map(function (axis) {
      var first = plot.series.filter(function (series) { return series.axis === axis; })[0];
      return {
        type: "value",
        name: first.unit,
        position: axis === 0 ? (horizontal ? "bottom" : "left") : (horizontal ? "top" : "right"),
        splitLine: { show: axis === 0 },
        max: first.max === null || first.max === undefined ? undefined : first.max
      };
    });
    var categoryAxis = {
      type: "category",
      data: plot.categories,
      inverse: horizontal,
      axisLabel: horizontal
        ? { width: 220, overflow: "truncate" }
        : { interval: 0, rotate: plot.categories.length > 8 ? 40 : 0 }
    };
    return {
      textStyle: { fontFamily: FONT },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var lines = [items[0].name];
          items.forEach(function (item) {
            var series = plot.series[item.seriesIndex];
            lines.push(item.marker + series.name + "：" + withUnit(item.value, series.unit));
          });
          return lines.join("<br>");
        }
      },
      legend: { show: plot.series.length > 1, top: 0 },
      grid: {
        left: 12, right: 24, top: plot.series.length > 1 ? 40 : 24, bottom: 8,
        containLabel: true
      },
      xAxis: horizontal ? valueAxes : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxes,
      series: plot.series.map(function (series) {
        var at = axes.indexOf(series.axis);
        var bar = { name: series.name, type: "bar", data: series.values, barMaxWidth: 28 };
        if (series.stack) bar.stack = series.stack;
        if (series.muted) bar.itemStyle = { color: "#cbd5e1" };
        if (horizontal) bar.xAxisIndex = at; else bar.yAxisIndex = at;
        return bar;
      })
    };
  }

  function draw() {
    var data = document.getElementById("stats-data");
    if (!data || typeof echarts === "undefined") return;
    var charts = [];
    JSON.parse(data.textContent).forEach(function (plot) {
      var element = document.querySelector('[data-chart="' + plot.key + '"]');
      if (!element || !plot.categories.length) return;
      var horizontal = plot.type === "bar" && plot.categories.some(function (name) { return name.length > 10; });
      if (horizontal) {
        element.style.height = Math.max(320, 64 + plot.categories.length * 30) + "px";
      }
      var chart = echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(plot.type === "pie" ? pieOption(plot) : barOption(plot));
      element.setAttribute("data-drawn", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
