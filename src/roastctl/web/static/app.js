// The live page: follows /events (server-sent events), keeps the roast's samples, draws them and
// the readouts, and sends control commands for operators.
"use strict";

(() => {
  // Above this many points the page asks the server for a freshly thinned roast (min/max
  // buckets), then keeps appending live samples to it.
  const MAX_POINTS = 6000;
  const THINNED_POINTS = 1500;
  const REDRAW_MS = 250;

  const $ = (id) => document.getElementById(id);
  const operator = document.body.dataset.operator === "true";
  const chart = new RoastChart.Chart($("chart"));
  const state = { roast: null, rows: [], status: null, statusAt: 0, dirty: false, resyncing: false };

  // ------------------------------------------------------------ data
  function origin() {
    const charge = state.status && state.status.charge_wall_s;
    if (charge != null) return charge;
    return state.rows.length ? state.rows[0][1] : 0;
  }

  function lastIndex() {
    return state.rows.length ? state.rows[state.rows.length - 1][0] : -1;
  }

  function takeSnapshot(data) {
    state.roast = data.roast_number;
    state.rows = data.points.slice();
    state.dirty = true;
  }

  function takeSamples(data) {
    if (data.roast_number !== state.roast) return;
    const last = lastIndex();
    for (const row of data.points) {
      if (row[0] > last) state.rows.push(row);
    }
    state.dirty = true;
    if (state.rows.length > MAX_POINTS) resync();
  }

  async function resync() {
    if (state.resyncing) return;
    state.resyncing = true;
    try {
      const answer = await fetch(`/api/curve?max_points=${THINNED_POINTS}`);
      if (!answer.ok) return;
      const data = await answer.json();
      if (data.roast_number !== state.roast) return;
      const tail = state.rows.filter((row) => row[0] > data.last_index);
      state.rows = data.points.concat(tail);
      state.dirty = true;
    } finally {
      state.resyncing = false;
    }
  }

  function columns() {
    const zero = origin();
    const cols = [[], [], [], [], [], []];
    for (const row of state.rows) {
      cols[0].push(row[1] - zero);
      cols[1].push(row[2]);
      cols[2].push(row[3]);
      cols[3].push(row[4]);
      cols[4].push(row[5]);
      cols[5].push(row[6]);
    }
    return cols;
  }

  function markers() {
    if (!state.status) return [];
    const zero = origin();
    return state.status.events.map((e) => ({ type: e.type, x: e.wall_s - zero, temp: e.bean_temp_c }));
  }

  // The forecast on the chart's axis: [x, BT, low, high] rows, from the forecast's own sample on.
  // None while the forecast is not ok, or once the beans are out.
  function forecastPoints() {
    const s = state.status;
    const f = s && s.forecast;
    if (!f || f.state !== "ok" || f.as_of_wall_s == null || s.phase === "dropped") return null;
    const start = f.as_of_wall_s - origin();
    return f.curve.map(([ahead, bt, low, high]) => [start + ahead, bt, low, high]);
  }

  function redraw() {
    if (!state.dirty) return;
    state.dirty = false;
    chart.setForecast(forecastPoints());
    chart.setFollowed(RoastFollow.overlay(state.status));
    chart.setData(columns(), markers());
    $("point-count").textContent = String(chart.pointCount);
  }

  // ------------------------------------------------------------ readouts
  const fmt = (value, digits) => (value == null ? "-" : Number(value).toFixed(digits));
  const PHASES = { not_charged: "not charged", drying: "drying", maillard: "Maillard",
    development: "development", dropped: "dropped" };

  function showStatus(s) {
    state.status = s;
    state.statusAt = performance.now();
    state.dirty = true;
    $("ro-elapsed").textContent = RoastChart.mmss(s.elapsed_s);
    $("ro-bt").textContent = fmt(s.bean_temp_c, 1);
    $("ro-et").textContent = fmt(s.env_temp_c, 1);
    $("ro-ror").textContent = fmt(s.ror_c_per_min, 1);
    $("ro-phase").textContent = PHASES[s.phase] || s.phase;
    const target = s.dtr_target_percent ? ` (${s.dtr_target_percent[0]}-${s.dtr_target_percent[1]})` : "";
    $("ro-dtr").textContent = s.dtr_percent == null ? "-" : `${fmt(s.dtr_percent, 1)} %${target}`;
    $("ro-controls").textContent = `${fmt(s.heat_percent, 0)} / ${fmt(s.fan_percent, 0)} %` +
      (s.drum_on ? ", drum on" : ", drum off");
    showAge();
    showStore(s.store);
    showEvents(s);
    showFaults(s);
    showPhases(s);
    showForecast(s);
    RoastFollow.show(s);
    if (operator) showLimits(s);
  }

  function showAge() {
    const s = state.status;
    if (!s) return;
    const age = s.data_age_s == null ? null : s.data_age_s + (performance.now() - state.statusAt) / 1000;
    const el = $("ro-age");
    el.textContent = age == null ? "-" : `${age.toFixed(1)} s`;
    el.classList.toggle("bad", !s.data_fresh);
  }

  // The roast store's health: rows that wait (lagging), writes that fail and why, rows lost.
  function showStore(store) {
    const el = $("ro-store");
    if (!store) { el.textContent = "not kept"; el.title = ""; return; }
    const waiting = store.pending ? `, ${store.pending} waiting` : "";
    const lost = store.dropped ? `, ${store.dropped} lost` : "";
    const roasts = store.roasts_waiting ? `, roast waiting to be created` : "";
    el.textContent = store.state + waiting + roasts + lost;
    el.title = store.last_error ? `last error: ${store.last_error}` : "";
    el.classList.toggle("bad", store.state !== "ok" || store.dropped > 0);
  }

  function showEvents(s) {
    const list = $("events");
    const key = s.events.map((e) => `${e.type}@${e.elapsed_s}`).join(",");
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    list.replaceChildren(...s.events.map((e) => {
      const item = document.createElement("li");
      item.dataset.type = e.type;
      const temp = e.bean_temp_c == null ? "" : ` · ${e.bean_temp_c.toFixed(1)} °C`;
      item.textContent = `${RoastChart.SHORT[e.type] || e.type} ${RoastChart.mmss(e.elapsed_s)}${temp}`;
      return item;
    }));
  }

  function showFaults(s) {
    const box = $("faults");
    const items = s.faults.map((f) => `<li><strong>${escapeHtml(f.rule)}</strong>: ${escapeHtml(f.message)} <em>(clears when ${escapeHtml(f.clears_when)})</em></li>`)
      .concat(s.warnings.map((w) => `<li class="warning">${escapeHtml(w)}</li>`))
      .concat((s.notices || []).map((n) => `<li class="warning">${escapeHtml(n)}</li>`));
    if (s.store && s.store.state === "failing") items.push(`<li class="warning">the roast store cannot write (${escapeHtml(s.store.last_error || "")}); ${s.store.pending} rows wait in memory</li>`);
    if (!s.connected) items.unshift(`<li>roaster not connected or data stale${s.last_error ? ": " + escapeHtml(s.last_error) : ""}</li>`);
    box.hidden = items.length === 0;
    box.innerHTML = items.length ? `<ul>${items.join("")}</ul>` : "";
    box.dataset.state = s.safety_state;
  }

  function showPhases(s) {
    const bar = $("phase-bar").children;
    const t = s.phase_times_s;
    const total = s.elapsed_s == null ? 0 : (t.drop ?? s.elapsed_s);
    const dry = t.dry_end ?? Math.min(s.elapsed_s ?? 0, total);
    const fc = t.first_crack ?? (t.dry_end != null ? total : dry);
    const parts = [dry, Math.max(0, fc - dry), Math.max(0, total - fc)];
    parts.forEach((seconds, k) => {
      const share = total > 0 ? (100 * seconds) / total : 0;
      bar[k].style.width = `${share}%`;
      bar[k].firstElementChild.textContent = share >= 8 ? `${RoastChart.mmss(seconds)} ${share.toFixed(0)}%` : "";
    });
  }

  // ------------------------------------------------------------ forecast readouts
  const DASH = "—";
  const fmtOr = (value, digits) => (value == null ? DASH : Number(value).toFixed(digits));
  const inTime = (seconds) => (seconds == null ? DASH : RoastChart.mmss(seconds));

  function firstCrackText(f) {
    if (f.first_crack_in_s == null) return DASH;
    const range = f.first_crack_in_s_low != null && f.first_crack_in_s_high != null
      ? ` (${inTime(f.first_crack_in_s_low)}–${inTime(f.first_crack_in_s_high)})` : "";
    return `FC in ${inTime(f.first_crack_in_s)}${range} at ${fmtOr(f.first_crack_bt_c, 0)} °C`;
  }

  function basisText(f) {
    if (f.first_crack_in_s == null || f.first_crack_bt_c == null) return "";
    if (f.first_crack_bt_basis === "history") {
      const k = f.first_crack_history_roasts;
      return `history of ${k} roast${k === 1 ? "" : "s"}`;
    }
    return { config: "configured", model: "model" }[f.first_crack_bt_basis] || "";
  }

  function dropText(f) {
    if (f.drop_in_s == null) return DASH;
    return `Drop at DTR ${fmtOr(f.drop_development_percent, 0)} % in ${inTime(f.drop_in_s)}, ` +
      `BT ${fmtOr(f.drop_bt_c, 0)} °C`;
  }

  function heaterText(f) {
    if (f.heater_power_factor == null) return DASH;
    const spread = f.heater_power_factor_std == null ? "" : ` ± ${fmtOr(f.heater_power_factor_std, 2)}`;
    return `×${fmtOr(f.heater_power_factor, 2)}${spread}`;
  }

  const STATES = { ok: "", warming_up: "warming up", diverged: "diverged", roast_over: "roast over" };

  function showForecast(s) {
    const f = s.forecast && s.forecast.state === "ok" ? s.forecast : {};
    const dropped = s.phase === "dropped";
    $("ro-fc").textContent = dropped ? DASH : firstCrackText(f);
    $("ro-fc-basis").textContent = dropped ? "" : basisText(f);
    $("ro-drop").textContent = dropped ? DASH : dropText(f);
    $("ro-dry").textContent = dropped ? DASH : (f.dry_end_in_s == null ? DASH : `Dry end in ${inTime(f.dry_end_in_s)}`);
    $("ro-dry").parentElement.hidden = s.phase_times_s.dry_end != null;
    $("ro-heater").textContent = heaterText(f);
    const note = $("forecast-note");
    const forecast = s.forecast;
    if (!forecast) {
      note.textContent = "forecast: off";
    } else if (forecast.state !== "ok") {
      const why = forecast.reason ? `: ${forecast.reason}` : "";
      note.textContent = `forecast ${STATES[forecast.state] || forecast.state}${why}`;
    } else {
      note.textContent = dropped ? "forecast: the beans are out" : "";
    }
    note.dataset.state = forecast ? forecast.state : "off";
  }

  function showLimits(s) {
    for (const which of ["heat", "fan"]) {
      const input = $(`${which}-input`);
      const limit = s.limits[which];
      input.min = limit.min; input.max = limit.max; input.step = limit.step;
      input.title = `allowed: ${limit.allowed}`;
      if (input.value === "" && document.activeElement !== input) {
        input.value = s[`${which}_percent`] ?? 0;
      }
    }
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  // ------------------------------------------------------------ the stream
  function setConnection(text, kind) {
    const badge = $("connection");
    badge.textContent = text;
    badge.dataset.state = kind;
  }

  function connect() {
    // EventSource reconnects by itself and sends Last-Event-ID, so the server resumes exactly.
    const source = new EventSource("/events");
    source.onopen = () => setConnection("live", "live");
    source.onerror = () => setConnection("reconnecting…", "reconnecting");
    source.addEventListener("snapshot", (e) => takeSnapshot(JSON.parse(e.data)));
    source.addEventListener("samples", (e) => takeSamples(JSON.parse(e.data)));
    source.addEventListener("status", (e) => showStatus(JSON.parse(e.data)));
  }

  // ------------------------------------------------------------ reference curve
  async function loadReferences() {
    const answer = await fetch("/api/roasts?limit=50");
    if (!answer.ok) return;
    const data = await answer.json();
    const select = $("reference");
    for (const roast of data.roasts) {
      if (roast.samples < 2) continue;
      const option = document.createElement("option");
      option.value = roast.id;
      option.textContent = `#${roast.id} ${roast.title || roast.bean || roast.started_utc.slice(0, 16)}`;
      select.appendChild(option);
    }
    const info = $("reference-info");
    select.addEventListener("change", async () => {
      if (!select.value) {
        chart.setReference(null);
        info.textContent = "";
        return;
      }
      const roast = await (await fetch(`/api/roasts/${select.value}?max_points=1000`)).json();
      // Rows are [t, BT, ET, ...]; either probe can be missing in a row.
      const curve = (column) => roast.points
        .filter((p) => p[column] != null)
        .map((p) => [p[0] - roast.origin_s, p[column]]);
      const reference = { bt: curve(1), et: curve(2) };
      chart.setReference(reference);
      info.textContent = `BT ${reference.bt.length} and ET ${reference.et.length} points, dashed`;
    });
  }

  // ------------------------------------------------------------ controls
  async function command(name, body) {
    const result = $("command-result");
    result.textContent = `${name}…`;
    result.className = "";
    try {
      const answer = await fetch(`/api/control/${name}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body || {}),
      });
      const data = await answer.json();
      if (!answer.ok) {
        result.textContent = `${name} refused: ${data.error}`;
        result.className = "error";
        return;
      }
      const failures = data.failures && data.failures.length ? ` (${data.failures.join("; ")})` : "";
      result.textContent = `${name}: done${failures}`;
      showStatus(data.status);
    } catch (err) {
      result.textContent = `${name} not sent: ${err}`;
      result.className = "error";
    }
  }

  function wireControls() {
    $("estop").addEventListener("click", () => command("emergency-stop"));
    $("heat-set").addEventListener("click", () => command("heat", { percent: Number($("heat-input").value) }));
    $("fan-set").addEventListener("click", () => command("fan", { percent: Number($("fan-input").value) }));
    $("drum-start").addEventListener("click", () => command("drum", { on: true }));
    $("drum-stop").addEventListener("click", () => command("drum", { on: false }));
    $("first-crack").addEventListener("click", () => command("first-crack"));
    $("drop").addEventListener("click", () => command("drop"));
    $("cooling-start").addEventListener("click", () => command("cooling", { on: true }));
    $("cooling-stop").addEventListener("click", () => command("cooling", { on: false }));
    $("clear-fault").addEventListener("click", () => command("clear-fault"));
    RoastFollow.wire(command);
  }

  // For the browser tests: the chart (what its canvas drew) and the page's state.
  window.roastDashboard = { chart, state, follow: RoastFollow.state };

  RoastFollow.init(() => { state.dirty = true; });
  if (operator) wireControls();
  connect();
  loadReferences();
  setInterval(() => { redraw(); showAge(); }, REDRAW_MS);
})();
