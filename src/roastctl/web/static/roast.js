// A kept roast's page: the stored curve as a static chart, with its events and downloads.
"use strict";

(async () => {
  const id = location.pathname.split("/").filter(Boolean).pop();
  const note = document.getElementById("roast-note");
  const answer = await fetch(`/api/roasts/${id}`);
  const roast = await answer.json();
  if (!answer.ok) { note.textContent = roast.error; return; }
  const title = `Roast #${roast.id}${roast.title ? ": " + roast.title : ""}`;
  document.getElementById("roast-title").textContent = title;
  document.title = `roastctl: ${title}`;
  note.textContent = `started ${roast.started_utc.slice(0, 19).replace("T", " ")} UTC, ${roast.samples} samples, ${roast.status}`;
  document.getElementById("download-alog").href = `/api/roasts/${id}/export.alog`;
  document.getElementById("download-csv").href = `/api/roasts/${id}/export.csv`;
  const cols = [[], [], [], [], [], []];
  for (const p of roast.points) {
    cols[0].push(p[0] - roast.origin_s);
    for (let k = 1; k < 6; k++) cols[k].push(p[k]);
  }
  const markers = roast.events.map((e) => ({ type: e.type, x: e.time_s - roast.origin_s, temp: e.bean_temp_c }));
  const chart = new RoastChart.Chart(document.getElementById("chart"));
  chart.setData(cols, markers);
  document.getElementById("point-count").textContent = String(chart.pointCount);
})();
