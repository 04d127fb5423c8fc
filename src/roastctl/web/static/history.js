// The history page: every kept roast, newest first, with its chart and downloads.
"use strict";

(async () => {
  const note = document.getElementById("history-note");
  const table = document.getElementById("roasts");
  const body = table.querySelector("tbody");
  const mmss = (s) => (s == null ? "-" : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, "0")}`);
  const text = (value) => document.createTextNode(value == null ? "-" : String(value));

  const answer = await fetch("/api/roasts?limit=500");
  const data = await answer.json();
  if (!answer.ok) { note.textContent = data.error; return; }
  if (!data.kept) { note.textContent = "This session keeps no roasts (no roast store)."; return; }
  if (!data.roasts.length) { note.textContent = "No roasts kept yet."; return; }
  note.textContent = `${data.roasts.length} roasts`;
  for (const roast of data.roasts) {
    const row = body.insertRow();
    row.dataset.roastId = roast.id;
    const cells = [roast.id, roast.started_utc.slice(0, 19).replace("T", " "),
      roast.title || roast.bean || "", mmss(roast.duration_s),
      roast.dtr_percent == null ? null : `${roast.dtr_percent.toFixed(1)} %`, roast.status, roast.samples];
    for (const value of cells) row.insertCell().appendChild(text(value));
    const links = row.insertCell();
    for (const [label, href] of [["chart", `/roasts/${roast.id}`],
      [".alog", `/api/roasts/${roast.id}/export.alog`], ["CSV", `/api/roasts/${roast.id}/export.csv`]]) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = label;
      if (label !== "chart") a.setAttribute("download", `roast-${roast.id}${label === "CSV" ? ".csv" : ".alog"}`);
      links.appendChild(a);
      links.appendChild(text(" "));
    }
  }
  table.hidden = false;
})();
