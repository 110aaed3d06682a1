// The report page of mas-run (docs/report.md). It reads the run's data from the element
// #mas-data and builds the page: summary, plots (dygraphs), schedule and scenario graph.
// window.masReport holds what it built, for scripts and for the project's browser test.
(function () {
  "use strict";

  // How many entities a plot shows at first, and how many the picker lists at once: a page of
  // 100,000 entities stays responsive because it never draws or lists them all.
  const INITIAL_SERIES = 8;
  const PICKER_ROWS = 200;
  const SCHEDULE_SIMS = 12;
  const SCHEDULE_ROWS = 100000;
  const GRAPH_SIMS = 150;

  const data = JSON.parse(document.getElementById("mas-data").textContent);
  const run = data.run;
  const root = document.getElementById("report");
  const report = (window.masReport = { plots: [], schedule: null, data: data, ready: false });

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function ms(value) {
    if (value >= 100) return value.toFixed(0);
    if (value >= 1) return value.toFixed(2);
    return value.toPrecision(2);
  }

  function table(headers, rows, className) {
    return el("table", { class: className || "" },
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))))));
  }

  const scenarioName = run.scenario.split("/").pop();
  document.title = "mas-run report: " + scenarioName;
  const resolution = run.time_resolution;

  // ---- Summary -----------------------------------------------------------------------------
  const busy = new Map(data.schedule.sims.map((s) => [s.sid, s]));
  const wallMs = run.wall_time_s * 1000;
  const totalSteps = run.simulators.reduce((sum, s) => sum + s.steps, 0);
  root.append(
    el("header", {},
      el("h1", {}, "Run of ", el("code", {}, scenarioName)),
      run.description ? el("p", { class: "description" }, run.description) : null,
      el("p", { class: "facts", id: "facts" },
        `Simulated time 0 to ${run.until} in time units of ${resolution} s (${run.until * resolution} s); ` +
        `wall time ${run.wall_time_s.toFixed(3)} s; ${totalSteps} simulator steps.`),
      el("p", { class: "path" }, run.scenario),
      el("nav", {}, el("a", { href: "#results" }, "Results"), el("a", { href: "#schedule" }, "Schedule"),
        el("a", { href: "#graph" }, "Scenario graph"))));

  const simRows = run.simulators.map((s) => {
    const b = busy.get(s.sid);
    const busyMs = b ? b.busy_ms : 0;
    return [s.sid, el("code", {}, s.start), s.steps, b ? ms(busyMs) : "-",
      wallMs > 0 && b ? (100 * busyMs / wallMs).toFixed(1) + " %" : "-"];
  });
  const slowRows = data.schedule.slowest.map(([sim, time, start, dur]) =>
    [data.schedule.sims[sim].sid, time, ms(start), ms(dur)]);
  root.append(el("section", { id: "summary" },
    el("h2", {}, "Simulators"),
    table(["Simulator", "Started as", "Steps", "Busy wall time (ms)", "Share of wall time"], simRows, "summary"),
    data.schedule.steps.length === 0 ? el("p", {}, "No step was recorded.") : [
      el("h3", {}, "Slowest steps"),
      table(["Simulator", "Simulated time", "Began at (ms)", "Took (ms)"], slowRows, "slowest")]));

  // ---- Results -----------------------------------------------------------------------------
  const results = el("section", { id: "results" }, el("h2", {}, "Results"));
  root.append(results);
  if (run.results.length === 0) {
    results.append(el("p", {}, "The scenario has no collector with a results file (a simulator param path or csv_path)."));
  } else {
    results.append(el("p", {}, "From ", run.results.map((r, i) =>
      [i > 0 ? ", " : "", el("code", {}, r.path), ` (${r.sid})`]), ". Drag to zoom, double-click to zoom out."));
  }
  if (data.plots.length === 0 && run.results.length > 0) results.append(el("p", {}, "No numeric values were collected."));
  // Which plots to show: by attribute and by model.
  const distinct = (key) => [...new Set(data.plots.map((p) => p[key]))].sort();
  const chooser = (label, values) => el("label", { class: "chooser" }, label + " ",
    el("select", {}, el("option", { value: "" }, "all"), values.map((v) => el("option", { value: v }, v))));
  const byAttr = chooser("Attribute", distinct("attr"));
  const byModel = chooser("Model", distinct("model"));
  if (data.plots.length > 1) results.append(el("p", { class: "choosers" }, byAttr, byModel));
  const sections = data.plots.map((plot) => makePlot(plot));
  function choose() {
    const attr = byAttr.querySelector("select").value;
    const model = byModel.querySelector("select").value;
    data.plots.forEach((plot, i) => {
      sections[i].hidden = (attr && plot.attr !== attr) || (model && plot.model !== model);
    });
  }
  byAttr.addEventListener("change", choose);
  byModel.addEventListener("change", choose);
  results.append(...sections);
  if (data.text_attrs.length > 0) {
    results.append(el("p", { class: "note" }, "Not plotted (values that are not numbers): ",
      data.text_attrs.map((t, i) => [i > 0 ? ", " : "", `${t.model} ${t.attr} (${t.entities} entities)`])));
  }

  function makePlot(plot) {
    const selected = plot.entities.slice(0, INITIAL_SERIES);
    const graphBox = el("div", { class: "graph" });
    const legend = el("div", { class: "legend" });
    const empty = el("p", { class: "note", hidden: "" }, "No entity selected.");
    const filter = el("input", { type: "search", placeholder: "filter entities", "aria-label": "filter entities" });
    const choices = el("div", { class: "choices" });
    const count = el("span", { class: "count" });
    const entry = { source: plot.source, model: plot.model, attr: plot.attr, graph: null, selected: selected };
    report.plots.push(entry);

    function rows() {
      const columns = selected.map((id) => plot.columns[plot.entities.indexOf(id)]);
      return plot.times.map((t, i) => [t, ...columns.map((c) => c[i])]);
    }

    function redraw() {
      count.textContent = `${selected.length} of ${plot.entities.length} shown`;
      empty.hidden = selected.length > 0;
      graphBox.hidden = selected.length === 0;
      if (selected.length === 0) return;
      const options = { file: rows(), labels: ["time", ...selected] };
      if (entry.graph) {
        entry.graph.updateOptions(options);
        return;
      }
      entry.graph = new Dygraph(graphBox, options.file, {
        labels: options.labels,
        axes: { y: { axisLabelWidth: 60 } },
        xlabel: `time (units of ${resolution} s)`,
        ylabel: plot.attr,
        connectSeparatedPoints: true,
        drawPoints: plot.times.length <= 100,
        legend: "always",
        labelsDiv: legend,
        showRangeSelector: plot.times.length > 50,
        animatedZooms: false,
        height: 280,
      });
    }

    function list() {
      const needle = filter.value.trim().toLowerCase();
      const matches = needle ? plot.entities.filter((id) => id.toLowerCase().includes(needle)) : plot.entities;
      choices.replaceChildren(...matches.slice(0, PICKER_ROWS).map((id) => {
        const box = el("input", { type: "checkbox" });
        box.checked = selected.includes(id);
        box.addEventListener("change", () => {
          if (box.checked) selected.push(id);
          else selected.splice(selected.indexOf(id), 1);
          redraw();
        });
        return el("label", {}, box, id);
      }));
      if (matches.length > PICKER_ROWS) {
        choices.append(el("p", { class: "note" }, `and ${matches.length - PICKER_ROWS} more: filter to narrow`));
      }
    }

    filter.addEventListener("input", list);
    const none = el("button", { type: "button" }, "none");
    none.addEventListener("click", () => { selected.length = 0; list(); redraw(); });
    const first = el("button", { type: "button" }, `first ${INITIAL_SERIES}`);
    first.addEventListener("click", () => {
      selected.splice(0, selected.length, ...plot.entities.slice(0, INITIAL_SERIES));
      list();
      redraw();
    });
    const section = el("section", { class: "plot" },
      el("h3", {}, plot.model, " ", el("code", {}, plot.attr)),
      el("p", { class: "note" }, `${plot.entities.length} entities, ${plot.all_times} times, from ${plot.source}`,
        plot.stride > 1 ? `; one time in ${plot.stride} shown (the page holds a bounded number of values; ` +
          "the results file has them all)" : ""),
      el("div", { class: "plot-body" },
        el("div", { class: "plot-area" }, graphBox, legend, empty),
        el("details", { class: "picker" }, el("summary", {}, "Entities ", count),
          el("div", { class: "picker-tools" }, filter, first, none), choices)));
    list();
    // Drawn once the section is in the page, so that dygraphs knows its width.
    queueMicrotask(redraw);
    return section;
  }

  // ---- Schedule ----------------------------------------------------------------------------
  const scheduleSection = el("section", { id: "schedule" }, el("h2", {}, "Schedule"),
    el("p", {}, "Each point is a step: when it began in wall time (x) and the simulated time it stepped to (y)."));
  root.append(scheduleSection);
  (function schedule() {
    const steps = data.schedule.steps;
    const n = steps.length / 4;
    if (n === 0) {
      scheduleSection.append(el("p", {}, "No step was recorded."));
      return;
    }
    const sims = data.schedule.sims.map((s, i) => ({ i: i, sid: s.sid, busy: s.busy_ms }));
    const shown = sims.slice().sort((a, b) => b.busy - a.busy).slice(0, SCHEDULE_SIMS);
    // In the order the scenario starts them, as the summary lists them.
    const order = new Map(run.simulators.map((s, k) => [s.sid, k]));
    const place = (s) => (order.has(s.sid) ? order.get(s.sid) : order.size + s.i);
    shown.sort((a, b) => place(a) - place(b));
    const column = new Map(shown.map((s, k) => [s.i, k]));
    let picked = 0;
    for (let k = 0; k < n; ++k) if (column.has(steps[4 * k])) ++picked;
    const stride = Math.max(1, Math.ceil(picked / SCHEDULE_ROWS));
    const rows = [];
    let seen = 0;
    for (let k = 0; k < n; ++k) {
      const c = column.get(steps[4 * k]);
      if (c === undefined || seen++ % stride !== 0) continue;
      const row = new Array(shown.length + 1).fill(null);
      row[0] = steps[4 * k + 2];
      row[c + 1] = steps[4 * k + 1];
      rows.push(row);
    }
    if (shown.length < sims.length) {
      scheduleSection.append(el("p", { class: "note" }, `The ${shown.length} busiest of ${sims.length} simulators.`));
    }
    if (stride > 1) scheduleSection.append(el("p", { class: "note" }, `One step in ${stride} of ${picked}.`));
    const box = el("div", { class: "graph" });
    const legend = el("div", { class: "legend" });
    scheduleSection.append(box, legend);
    queueMicrotask(() => {
      report.schedule = new Dygraph(box, rows, {
        labels: ["wall time (ms)", ...shown.map((s) => s.sid)],
        axes: { y: { axisLabelWidth: 60 } },
        xlabel: "wall time since the start (ms)",
        ylabel: "simulated time",
        drawPoints: true,
        pointSize: 2,
        strokeWidth: 0,
        legend: "always",
        labelsDiv: legend,
        height: 280,
      });
    });
  })();

  // ---- Scenario graph ----------------------------------------------------------------------
  const graphSection = el("section", { id: "graph" }, el("h2", {}, "Scenario graph"));
  root.append(graphSection);
  const links = run.connections;
  function options(l) {
    const o = [];
    if (l.weak) o.push("weak");
    if (l.time_shifted) o.push(`time-shifted by ${l.time_shifted}`);
    if (l.async_requests) o.push("async requests");
    return o.join(", ");
  }
  function attrs(l) { return l.attrs.map(([a, b]) => (a === b ? a : `${a} → ${b}`)).join(", "); }
  if (run.simulators.length <= GRAPH_SIMS) graphSection.append(drawGraph());
  else graphSection.append(el("p", { class: "note" }, `${run.simulators.length} simulators: the table only.`));
  graphSection.append(links.length === 0 ? el("p", {}, "No connections.") :
    table(["From", "To", "Attributes", "Options"], links.map((l) => [l.src, l.dest, attrs(l), options(l)]), "links"));

  // Simulators in columns by their longest chain of same-time connections (those form no cycle
  // in a valid scenario), connections as arrows: dashed when weak, orange when time-shifted.
  function drawGraph() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = (tag, attrs) => {
      const node = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      return node;
    };
    const ids = run.simulators.map((s) => s.sid);
    const layer = new Map(ids.map((id) => [id, 0]));
    const direct = links.filter((l) => !l.weak && !l.time_shifted && layer.has(l.src) && layer.has(l.dest));
    for (let round = 0; round < ids.length; ++round) {
      let changed = false;
      for (const l of direct) {
        if (layer.get(l.dest) < layer.get(l.src) + 1) { layer.set(l.dest, layer.get(l.src) + 1); changed = true; }
      }
      if (!changed) break;
    }
    const columns = [];
    for (const id of ids) (columns[layer.get(id)] = columns[layer.get(id)] || []).push(id);
    const W = 170, H = 44, GX = 110, GY = 40;
    const pos = new Map();
    // Room above the boxes for connections that pass over a column, below for those that go back.
    const TOP = 70;
    columns.forEach((col, x) => col.forEach((id, y) => pos.set(id, { x: 20 + x * (W + GX), y: TOP + y * (H + GY) })));
    const column = (id) => layer.get(id);
    const width = 40 + columns.length * (W + GX) - GX;
    const height = TOP + 60 + Math.max(...columns.map((c) => c.length)) * (H + GY);
    const root = svg("svg", { width: width, height: height, viewBox: `0 0 ${width} ${height}`, class: "scenario-graph" });
    const defs = svg("defs", {});
    const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
    defs.append(marker);
    root.append(defs);
    links.forEach((l, k) => {
      const a = pos.get(l.src), b = pos.get(l.dest);
      if (!a || !b) return;
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
      const back = x2 <= x1;
      const over = !back && column(l.dest) - column(l.src) > 1;  // would cross the boxes between
      const bend = 45 + 10 * (k % 3);
      const d = back
        ? `M${a.x + W / 2},${a.y + H} C${a.x + W / 2},${a.y + H + bend} ${b.x + W / 2},${b.y + H + bend} ${b.x + W / 2},${b.y + H}`
        : over
          ? `M${a.x + W / 2},${a.y} C${a.x + W / 2},${a.y - bend} ${b.x + W / 2},${b.y - bend} ${b.x + W / 2},${b.y}`
          : `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`;
      const path = svg("path", { d: d, class: "link" + (l.weak ? " weak" : "") + (l.time_shifted ? " shifted" : ""), "marker-end": "url(#arrow)" });
      const title = svg("title", {});
      title.textContent = `${l.src} → ${l.dest}: ${attrs(l)}${options(l) ? " (" + options(l) + ")" : ""}`;
      path.append(title);
      root.append(path);
    });
    for (const s of run.simulators) {
      const p = pos.get(s.sid);
      const g = svg("g", { class: "sim", transform: `translate(${p.x},${p.y})` });
      g.append(svg("rect", { width: W, height: H, rx: 6 }));
      const name = svg("text", { x: W / 2, y: 18, "text-anchor": "middle", class: "sid" });
      name.textContent = s.sid;
      const mode = svg("text", { x: W / 2, y: 34, "text-anchor": "middle", class: "mode" });
      mode.textContent = s.start.length > 26 ? s.start.slice(0, 25) + "…" : s.start;
      const title = svg("title", {});
      title.textContent = `${s.sid}: ${s.start}; ${s.steps} steps`;
      g.append(name, mode, title);
      root.append(g);
    }
    return el("div", { class: "graph-box" }, root);
  }

  report.ready = true;
})();
