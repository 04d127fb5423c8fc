// The roast chart shared by the live page and a kept roast's page: BT, ET, RoR on its own
// axis, heat and fan, event markers and an optional reference curve, drawn with uPlot.
"use strict";

const RoastChart = (() => {
  const COLOURS = {
    bt: "#c0392b", et: "#2c7fb8", ror: "#e67e22", heat: "#8e1b2a", fan: "#3c8dbc",
    ref: "#7f7f7f", refEt: "#a9a9a9", marker: "#333", grid: "#e6e6e6",
    band: "rgba(192, 57, 43, 0.15)", followed: "#6a3d9a",
  };
  // Artisan's short names of the marks, as on its own chart.
  const SHORT = { CHARGE: "CHARGE", TP: "TP", DRY_END: "DRY", FC_START: "FCs",
    FC_END: "FCe", SC_START: "SCs", SC_END: "SCe", DROP: "DROP", COOL: "COOL" };

  function mmss(seconds) {
    if (seconds == null || !isFinite(seconds)) return "--:--";
    const sign = seconds < 0 ? "-" : "";
    const s = Math.round(Math.abs(seconds));
    return sign + Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  // The forecast ahead of the live BT: its 80 % band as a translucent fill, then the dashed
  // curve on top. What was drawn is kept in chart.drawn.forecast (the canvas keeps no shapes), so
  // the browser tests can check the path: its dash, its points in chart units, the band's size.
  function drawForecast(u, chart) {
    chart.drawn.forecast = null;
    const points = chart.forecast;
    if (!points || points.length < 2) return;
    const ctx = u.ctx;
    const px = (x) => u.valToPos(x, "x", true);
    const py = (y) => u.valToPos(y, "temp", true);
    ctx.fillStyle = COLOURS.band;
    ctx.beginPath();
    points.forEach(([x, , low], k) => (k === 0 ? ctx.moveTo(px(x), py(low)) : ctx.lineTo(px(x), py(low))));
    for (let k = points.length - 1; k >= 0; k--) ctx.lineTo(px(points[k][0]), py(points[k][3]));
    ctx.closePath();
    ctx.fill();
    const dash = [6 * devicePixelRatio, 4 * devicePixelRatio];
    ctx.strokeStyle = COLOURS.bt;
    ctx.lineWidth = 2 * devicePixelRatio;
    ctx.setLineDash(dash);
    ctx.beginPath();
    points.forEach(([x, bt], k) => (k === 0 ? ctx.moveTo(px(x), py(bt)) : ctx.lineTo(px(x), py(bt))));
    ctx.stroke();
    ctx.setLineDash([]);
    chart.drawn.forecast = {
      dash: dash.map((d) => d / devicePixelRatio),
      points: points.map(([x, bt]) => [x, bt]),
      band: points.map(([x, , low, high]) => [x, low, high]),
    };
  }

  // The reference being followed: its BT as a wide, pale purple line from its CHARGE (x = 0) to
  // its DROP, drawn under the series so the live BT stays visible on it; then (drawFollowedTarget,
  // over the series) the target BT now as a ring. Kept in chart.drawn.followed for the tests.
  function drawFollowed(u, chart) {
    chart.drawn.followed = null;
    const followed = chart.followed;
    if (!followed || followed.points.length < 2) return;
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const px = (x) => u.valToPos(x, "x", true);
    const py = (y) => u.valToPos(y, "temp", true);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.strokeStyle = COLOURS.followed;
    ctx.globalAlpha = 0.45;
    ctx.lineWidth = 5 * devicePixelRatio;
    ctx.lineJoin = "round";
    ctx.setLineDash([]);
    ctx.beginPath();
    followed.points.forEach(([x, bt], k) => (k === 0 ? ctx.moveTo(px(x), py(bt)) : ctx.lineTo(px(x), py(bt))));
    ctx.stroke();
    ctx.restore();
    chart.drawn.followed = { colour: COLOURS.followed, points: followed.points, target: followed.target };
  }

  function drawFollowedTarget(u, chart) {
    const followed = chart.followed;
    if (!followed || followed.points.length < 2) return;
    const ctx = u.ctx;
    const px = (x) => u.valToPos(x, "x", true);
    const py = (y) => u.valToPos(y, "temp", true);
    ctx.strokeStyle = COLOURS.followed;
    if (followed.target) {
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.beginPath();
      ctx.arc(px(followed.target[0]), py(followed.target[1]), 5 * devicePixelRatio, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  // Event markers, the reference curve and the forecast are drawn on the canvas after the series.
  function overlayPlugin(chart) {
    return {
      hooks: {
        drawAxes: [(u) => drawFollowed(u, chart)],
        draw: [(u) => {
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, height);
          ctx.clip();
          if (chart.reference) {
            // BT long dashes, ET short ones: the reference stays grey so the live curves lead.
            [[chart.reference.bt, [6, 4], COLOURS.ref], [chart.reference.et, [2, 3], COLOURS.refEt]]
              .forEach(([points, dash, colour]) => {
                if (!points.length) return;
                ctx.strokeStyle = colour;
                ctx.setLineDash(dash.map((d) => d * devicePixelRatio));
                ctx.lineWidth = 1.5 * devicePixelRatio;
                ctx.beginPath();
                points.forEach(([x, y], k) => {
                  const px = u.valToPos(x, "x", true);
                  const py = u.valToPos(y, "temp", true);
                  if (k === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
                });
                ctx.stroke();
              });
            ctx.setLineDash([]);
          }
          drawFollowedTarget(u, chart);
          drawForecast(u, chart);
          ctx.fillStyle = COLOURS.marker;
          ctx.strokeStyle = COLOURS.marker;
          ctx.lineWidth = devicePixelRatio;
          ctx.font = `${11 * devicePixelRatio}px sans-serif`;
          chart.markers.forEach((m, k) => {
            const px = u.valToPos(m.x, "x", true);
            ctx.beginPath();
            ctx.moveTo(px, top);
            ctx.lineTo(px, top + height);
            ctx.stroke();
            const label = (SHORT[m.type] || m.type) + (m.temp != null ? " " + m.temp.toFixed(0) : "");
            ctx.fillText(label, px + 3 * devicePixelRatio, top + (12 + 12 * (k % 3)) * devicePixelRatio);
          });
          ctx.restore();
        }],
      },
    };
  }

  class Chart {
    constructor(element) {
      this.element = element;
      this.markers = [];
      this.reference = null;
      this.forecast = null;
      this.followed = null;
      this.drawn = { forecast: null, followed: null };
      this.data = [[], [], [], [], [], []];
      const chart = this;
      const opts = {
        width: Math.max(320, element.clientWidth),
        height: Math.max(260, Math.min(520, Math.round(element.clientWidth * 0.5))),
        plugins: [overlayPlugin(chart)],
        cursor: { drag: { x: true, y: false } },
        scales: {
          x: { time: false, range: (u, min, max) => chart.xRange(min, max) },
          temp: { range: (u, min, max) => [Math.min(0, min ?? 0), Math.max(250, max ?? 250)] },
          ror: { range: [-5, 30] },
          pct: { range: [0, 100] },
        },
        axes: [
          { scale: "x", values: (u, vals) => vals.map(mmss), grid: { stroke: COLOURS.grid } },
          { scale: "temp", label: "°C", grid: { stroke: COLOURS.grid } },
          { scale: "ror", side: 1, label: "RoR °C/min", grid: { show: false } },
          { scale: "pct", side: 1, label: "%", grid: { show: false }, size: 40 },
        ],
        series: [
          { label: "time", value: (u, v) => mmss(v) },
          { label: "BT", scale: "temp", stroke: COLOURS.bt, width: 2, value: (u, v) => v == null ? "-" : v.toFixed(1) },
          { label: "ET", scale: "temp", stroke: COLOURS.et, width: 1.5, value: (u, v) => v == null ? "-" : v.toFixed(1) },
          { label: "RoR", scale: "ror", stroke: COLOURS.ror, width: 1.5, value: (u, v) => v == null ? "-" : v.toFixed(1) },
          { label: "heat %", scale: "pct", stroke: COLOURS.heat, width: 1, paths: uPlot.paths.stepped({ align: 1 }) },
          { label: "fan %", scale: "pct", stroke: COLOURS.fan, width: 1, paths: uPlot.paths.stepped({ align: 1 }) },
        ],
      };
      this.plot = new uPlot(opts, this.data, element);
      window.addEventListener("resize", () => this.resize());
    }

    xRange(min, max) {
      let high = max ?? 60;
      if (this.reference) {
        for (const points of [this.reference.bt, this.reference.et]) {
          if (points.length) high = Math.max(high, points[points.length - 1][0]);
        }
      }
      if (this.followed && this.followed.points.length) {
        high = Math.max(high, this.followed.points[this.followed.points.length - 1][0]);
      }
      if (this.forecast && this.forecast.length) {
        high = Math.max(high, this.forecast[this.forecast.length - 1][0]);
      }
      const low = Math.min(min ?? 0, 0);
      return [low, Math.max(high, low + 60)];
    }

    resize() {
      const width = Math.max(320, this.element.clientWidth);
      this.plot.setSize({ width, height: Math.max(260, Math.min(520, Math.round(width * 0.5))) });
    }

    // columns: [x seconds since CHARGE, BT, ET, RoR, heat, fan]
    setData(columns, markers) {
      this.data = columns;
      this.markers = markers;
      this.plot.setData(columns);
    }

    // forecast: [[x, BT, low, high]...] on the live x axis, or null for none. Drawn with the
    // next setData (the page sends both together).
    setForecast(forecast) {
      this.forecast = forecast && forecast.length >= 2 ? forecast : null;
    }

    // followed: {points: [[x, BT]...], target: [x, BT] | null} on the live x axis, or null.
    // Drawn with the next setData (the page sends both together).
    setFollowed(followed) {
      this.followed = followed && followed.points.length >= 2 ? followed : null;
    }

    // reference: {bt: [[x, BT]...], et: [[x, ET]...]} on the live x axis, or null for none.
    setReference(reference) {
      this.reference = reference;
      this.plot.redraw(false);
    }

    get pointCount() {
      return this.data[0].length;
    }
  }

  return { Chart, mmss, SHORT };
})();
