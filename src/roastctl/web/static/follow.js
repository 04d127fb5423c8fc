// The Follow panel of the live page: the readouts of following a reference and of the drop
// target, the followed reference's curve for the chart, and (for operators) the controls.
"use strict";

const RoastFollow = (() => {
  const $ = (id) => document.getElementById(id);
  const DASH = "—";
  const STATES = { waiting_for_charge: "waiting for CHARGE", following: "following",
    paused: "paused", finished: "finished", stopped: "stopped" };
  const TARGET_STATES = { waiting_for_charge: "waits for CHARGE",
    waiting_for_turning_point: "waits for TP", waiting_for_first_crack: "waits for first crack",
    armed: "armed", done: "dropped on it", superseded: "dropped otherwise" };
  const UNITS = { dtr_percent: "DTR", bt_c: "BT", development_s: "development" };
  const EVENTS = { DRY_END: "DRY", FC_START: "FCs", FC_END: "FCe", SC_START: "SCs",
    SC_END: "SCe", DROP: "DROP" };
  // The followed reference's curve, fetched once per reference (its key changes with it).
  const state = { reference: null, key: null, loading: false, onChange: () => {} };

  const signed = (value, digits) => (value == null ? DASH
    : (value > 0 ? "+" : value < 0 ? "−" : "±") + Math.abs(value).toFixed(digits));

  function aheadText(ahead) {
    if (ahead == null) return DASH;
    const seconds = Math.round(Math.abs(ahead));
    if (seconds === 0) return "on time";
    return `${seconds} s ${ahead > 0 ? "ahead" : "behind"}`;
  }

  function targetText(t) {
    if (!t) return "none";
    const value = t.unit === "%" ? `${t.target} %` : `${t.target} ${t.unit}`;
    let text = `${UNITS[t.kind] || t.kind} ${value}, ${TARGET_STATES[t.state] || t.state}`;
    if (t.drop_in_s != null && t.state === "armed") text += `, drop in ${RoastChart.mmss(t.drop_in_s)}`;
    if (t.achieved != null) text += ` (reached ${t.achieved})`;
    return text;
  }

  function keyOf(f) {
    return f ? `${f.source}|${f.reference}|${f.reference_drop_s}` : null;
  }

  async function fetchReference(key) {
    if (state.loading) return;
    state.loading = true;
    try {
      const answer = await fetch("/api/following/reference");
      state.reference = answer.ok ? await answer.json() : null;
      state.key = key;
      state.onChange();
    } catch (err) {
      state.reference = null; // tried again with the next status
    } finally {
      state.loading = false;
    }
  }

  // The readouts, from the status the page gets several times a second.
  function show(s) {
    const f = s.following;
    $("fo-state").textContent = f ? `${STATES[f.state] || f.state}: ${f.reference}` : "not following";
    $("fo-state").parentElement.dataset.state = f ? f.state : "none";
    $("fo-reason").textContent = f && f.reason ? f.reason : "";
    const live = f && f.state !== "waiting_for_charge";
    $("fo-target").textContent = live && f.target_bt_c != null ? f.target_bt_c.toFixed(1) : DASH;
    $("fo-dev").textContent = live ? signed(f.deviation_c, 1) : DASH;
    $("fo-ror-dev").textContent = live ? signed(f.ror_deviation_c_per_min, 1) : DASH;
    $("fo-ahead").textContent = live ? aheadText(f.ahead_s) : DASH;
    $("fo-next").textContent = f && f.next_event
      ? `${EVENTS[f.next_event] || f.next_event} in ${RoastChart.mmss(f.next_event_in_s)}` : DASH;
    $("fo-fan").textContent = f ? (f.fan_source === "agent" ? "agent (held)" : "reference") : DASH;
    $("dt-state").textContent = targetText(s.drop_target);
    const key = keyOf(f);
    if (key == null) {
      if (state.reference) { state.reference = null; state.key = null; state.onChange(); }
    } else if (key !== state.key) {
      fetchReference(key);
    }
  }

  // The reference on the chart's axis (seconds since today's CHARGE), or null before CHARGE.
  function overlay(s) {
    const ref = state.reference;
    if (!ref || !s || s.charge_wall_s == null || !s.following) return null;
    const points = ref.times_s.map((t, k) => [t, ref.bean_temps_c[k]]);
    const f = s.following;
    const target = f.target_bt_c != null && s.elapsed_s != null && f.state !== "waiting_for_charge"
      ? [s.elapsed_s, f.target_bt_c] : null;
    return { points, target };
  }

  async function loadRoasts() {
    const answer = await fetch("/api/roasts?limit=50");
    if (!answer.ok) return;
    const data = await answer.json();
    const select = $("follow-roast");
    for (const roast of data.roasts) {
      if (roast.samples < 10) continue;
      const option = document.createElement("option");
      option.value = roast.id;
      option.textContent = `#${roast.id} ${roast.title || roast.bean || roast.started_utc.slice(0, 16)}`;
      select.appendChild(option);
    }
  }

  function followBody() {
    const source = $("follow-source").value;
    if (source === "roast") return { roast_id: Number($("follow-roast").value) || null };
    if (source === "path") return { path: $("follow-path").value };
    return { curve: $("follow-curve").value };
  }

  // command(name, body) sends a control and shows its answer (app.js's).
  function wire(command) {
    const source = $("follow-source");
    const showInput = () => {
      $("follow-roast").hidden = source.value !== "roast";
      $("follow-path").hidden = source.value !== "path";
      $("follow-curve").hidden = source.value !== "curve";
    };
    source.addEventListener("change", showInput);
    showInput();
    $("follow-start").addEventListener("click", () => command("follow", followBody()));
    $("follow-pause").addEventListener("click", () => command("follow-pause"));
    $("follow-resume").addEventListener("click", () => command("follow-resume"));
    $("follow-stop").addEventListener("click", () => command("follow-stop"));
    $("drop-target-set").addEventListener("click", () => {
      command("drop-target", { [$("drop-kind").value]: Number($("drop-value").value) });
    });
    $("drop-target-clear").addEventListener("click", () => command("drop-target-clear"));
    loadRoasts();
  }

  function init(onChange) {
    state.onChange = onChange;
  }

  return { init, show, overlay, wire, state };
})();
